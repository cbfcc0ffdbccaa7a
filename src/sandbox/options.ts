/**
 * What a sandbox can be told at start, what of it can change at run time (`configure` / `POST /_sandbox/config`),
 * and the test merchant it accepts when none is given.
 */
import { z } from "zod"
import type { WebhookSecretEncoding } from "../plural/signatures"

/** One merchant account the sandbox accepts. `secret_key` signs callbacks (hex), `webhook_secret` webhooks. */
export type SandboxMerchant = {
  merchant_id: string
  client_id: string
  client_secret: string
  secret_key: string
  webhook_secret: string
}

export type SandboxLogger = { info(message: string): void; warn(message: string): void }

/** Options that may be patched while the sandbox runs. */
export type RuntimeConfig = {
  /** Where webhooks are POSTed; none = deliveries are logged as "dropped". */
  webhookUrl?: string
  webhookSecretEncoding: WebhookSecretEncoding
  /** Decision 4 (docs/decisions.md): a repeated merchant reference returns the existing object, or 422 DUPLICATE_REQUEST. */
  duplicateMode: "return_existing" | "reject"
  /** How the browser return reaches `callback_url`: an auto-submitting form POST, or a 303 with a query string. */
  callbackMode: "form_post" | "query"
  /** Decision 3 (docs/decisions.md): the status field of the browser return. */
  callbackStatusKey: "payment_status" | "status"
  tokenTtlSeconds: number
  /** Decision 1 (docs/decisions.md): `expires_in` (seconds, as the seeds) or `expires_at` (ISO time, as current docs). */
  tokenExpiryField: "expires_in" | "expires_at"
  /** Failed attempts an order takes before it is FAILED; until then it is ATTEMPTED. */
  paymentRetries: number
  /** How long a successful payment still reads PENDING through get-order (Plural's wallets lag like this). */
  processingDelayMs: number
  /** A pending UPI collect approves itself after this long; undefined = only the page or control API approve it. */
  collectAutoApproveMs?: number
  /** Waits before each webhook retry; its length is the number of retries. */
  webhookRetryDelaysMs: number[]
  /** A webhook attempt that has not answered after this long counts as failed. */
  webhookTimeoutMs: number
}

export type SandboxOptions = Partial<RuntimeConfig> & {
  port?: number
  host?: string
  /** The origin put into redirect, challenge and image URLs; default the listening URL. */
  publicUrl?: string
  /** Makes ids, tokens and probabilistic faults repeatable. */
  seed?: number | string
  /** The sandbox's clock (epoch ms); injectable so tests can move time. */
  now?: () => number
  merchants?: SandboxMerchant[]
  logger?: SandboxLogger
  /** A JSON file keeping the orders across restarts (see ./state-file.ts); default: orders live in memory only. */
  stateFile?: string
}

/** Test credentials only: they open nothing but a sandbox. */
export const DEFAULT_MERCHANT: SandboxMerchant = {
  merchant_id: "123456",
  client_id: "sandbox-client-id",
  client_secret: "sandbox-client-secret",
  secret_key: "5A1D0B0C0FFEE0DDBA11C0DE5EED5A1D0B0C0FFEE0DDBA11C0DE5EED5A1DB0C0",
  webhook_secret: Buffer.from("plural-sandbox-webhook-secret").toString("base64"),
}

export const DEFAULT_CONFIG: RuntimeConfig = {
  webhookSecretEncoding: "base64",
  duplicateMode: "return_existing",
  callbackMode: "form_post",
  callbackStatusKey: "payment_status",
  tokenTtlSeconds: 3600,
  tokenExpiryField: "expires_in",
  paymentRetries: 3,
  processingDelayMs: 0,
  webhookRetryDelaysMs: [1000, 2000, 4000],
  webhookTimeoutMs: 5000,
}

/** A runtime patch as `configure` and `POST /_sandbox/config` accept it; an unknown key is a typo, so an error. */
export const RuntimeConfigPatch = z
  .object({
    webhookUrl: z.url().optional(),
    webhookSecretEncoding: z.enum(["base64", "raw"]),
    duplicateMode: z.enum(["return_existing", "reject"]),
    callbackMode: z.enum(["form_post", "query"]),
    callbackStatusKey: z.enum(["payment_status", "status"]),
    tokenTtlSeconds: z.number().positive(),
    tokenExpiryField: z.enum(["expires_in", "expires_at"]),
    paymentRetries: z.int().min(1),
    processingDelayMs: z.int().nonnegative(),
    collectAutoApproveMs: z.int().nonnegative().optional(),
    webhookRetryDelaysMs: z.array(z.int().nonnegative()),
    webhookTimeoutMs: z.int().positive(),
  })
  .partial()
  .strict()
