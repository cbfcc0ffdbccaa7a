/**
 * What the provider does when Medusa loads it: one token request, so that wrong credentials or an unreachable Plural
 * show in the log at boot rather than at the first checkout. It is a loader of the provider (Medusa runs it with the
 * provider's options before it constructs anything) and it is never awaited: boot goes on, and the request gives up
 * after the options' `timeouts.total_ms`. Medusa's schema commands (`medusa db:migrate` and the other `db:*`) skip
 * it: they only register the provider, and may run where no Plural secret is available.
 */
import type { Logger, ProviderLoaderOptions } from "@medusajs/framework/types"
import type { Dispatcher } from "undici"
import { PluralAuthenticationError, PluralClient } from "../../plural"
import { clientOptionsOf, parsePluralOptions, type ResolvedPluralOptions, withoutEmptyValues } from "./options"

type BootLogger = Pick<Logger, "info" | "warn" | "error">

export type CredentialCheck = "accepted" | "refused" | "unreachable"

/** The options that only the merchant's Plural account can give; a CI or pre-deploy step usually has none. */
const CREDENTIALS = ["client_id", "client_secret", "secret_key", "webhook_secret"] as const

/**
 * `medusa db:migrate`, `db:rollback`, `db:sync-links`, `db:migrate:scripts`, `plugin:db:generate`…: Medusa loads the
 * payment module there to run migrations and register providers, but no payment is ever taken.
 */
export function isSchemaCommand(argv: readonly string[] = process.argv): boolean {
  const command = argv.slice(2).find((arg) => !arg.startsWith("-"))
  return command !== undefined && /^(plugin:)?db:/.test(command)
}

/** True when none of the Plural credentials is set (empty counts as unset). */
export function hasNoCredentials(options: unknown): boolean {
  const given = withoutEmptyValues(options ?? {}) as Record<string, unknown>
  return CREDENTIALS.every((name) => given[name] === undefined)
}

/**
 * Whether Medusa's boot validation applies: always, except in a schema command run without any Plural credential,
 * where the provider is registered but never used. Options that carry credentials are checked everywhere, so a
 * typo shows at the first command that loads them.
 */
export function validatesAtBoot(options: unknown, argv: readonly string[] = process.argv): boolean {
  return !(isSchemaCommand(argv) && hasNoCredentials(options))
}

/** `medusa db:migrate` loads the payment module more than once in one process: its note is logged once. */
let toldNoCredentials = false

/** The provider's loader. Options that do not parse are left to `validateOptions`, which stops boot naming them. */
export default async function checkCredentialsAtBoot({ options, logger }: ProviderLoaderOptions): Promise<void> {
  if (!logger) return
  if (isSchemaCommand()) {
    if (hasNoCredentials(options) && !toldNoCredentials) {
      toldNoCredentials = true
      logger.info("Plural: no credentials set; the provider is registered and its options are checked when the store starts")
    }
    return
  }
  let parsed: ResolvedPluralOptions
  try {
    parsed = parsePluralOptions(options)
  } catch {
    return
  }
  void checkCredentials(parsed, logger)
}

/** One token request, and one log line saying what came of it. Never throws. */
export async function checkCredentials(options: ResolvedPluralOptions, logger: BootLogger, dispatcher?: Dispatcher): Promise<CredentialCheck> {
  const client = new PluralClient({ ...clientOptionsOf(options), retry: { maxRetries: 0 }, dispatcher })
  const where = options.base_url ? `${client.baseUrl} (base_url)` : `Plural ${options.environment} (${client.baseUrl})`
  try {
    await client.authenticate()
    logger.info(`Plural: credentials accepted by ${where}`)
    return "accepted"
  } catch (error) {
    if (error instanceof PluralAuthenticationError) {
      logger.error(
        `Plural: ${where} refused the credentials (${error.code}); every Plural checkout will fail until this is fixed. ` +
          `Set client_id / client_secret (PLURAL_CLIENT_ID, PLURAL_CLIENT_SECRET) to the keys of this environment: ` +
          `UAT keys with environment "uat", live keys with "prod", or the sandbox's printed keys with base_url pointing at it.`
      )
      return "refused"
    }
    logger.warn(
      `Plural: could not check the credentials, ${where} did not answer as expected: ${(error as Error).message}. ` +
        `Checkouts with Plural fail while it cannot be reached: check base_url / environment and this server's outbound network.`
    )
    return "unreachable"
  } finally {
    // Nothing of the check may outlive it, nor reject where nobody awaits it.
    await client.close().catch(() => undefined)
  }
}
