/**
 * An offline Plural: the documented API, a hosted checkout page, signed browser returns and webhooks, and fault
 * injection, on a plain `node:http` server. Independent of Medusa. The control API is in ./control.ts.
 *
 *   const sandbox = await startSandbox({ webhookUrl: "http://127.0.0.1:9000/hooks/plural" })
 *   new PluralClient({ baseUrl: sandbox.url, clientId: sandbox.merchant.client_id, ... })
 *   await sandbox.stop()
 */
import type { AddressInfo } from "node:net"
import { SandboxCore } from "./core"
import type { RuntimeConfig, SandboxMerchant, SandboxOptions } from "./options"
import { createSandboxServer } from "./server"

export type { Delivery, DeliveryAttempt, WebhookFaultSpec } from "./webhooks"
export type { FaultSpec } from "./faults"
export { DEFAULT_MERCHANT } from "./options"
export type { RuntimeConfig, SandboxLogger, SandboxMerchant, SandboxOptions } from "./options"
export { POINTS_CARD_MOBILE, POINTS_CARDS } from "./points"
export { TEST_CARD } from "./orders"

export type Sandbox = {
  /** Where it listens, e.g. `http://127.0.0.1:53211`. */
  url: string
  /** The origin in redirect, challenge and image URLs (`publicUrl`, else `url`). */
  publicUrl: string
  /** The first configured merchant: the credentials a client and a webhook receiver need. */
  merchant: SandboxMerchant
  merchants: SandboxMerchant[]
  /** Patches runtime options, as `POST /_sandbox/config` does. */
  configure(patch: Partial<RuntimeConfig>): RuntimeConfig
  /** Direct access to the state and control operations, for tests. */
  core: SandboxCore
  /** Cancels pending deliveries and timers, closes every connection. */
  stop(): Promise<void>
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const core = new SandboxCore(options)
  // A state file that cannot be written fails the start, not a later checkout.
  await core.stateFile?.save()
  const server = createSandboxServer(core)
  const host = options.host ?? "127.0.0.1"
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`
  core.publicUrl = (options.publicUrl ?? url).replace(/\/+$/, "")
  options.logger?.info(`Plural sandbox listening on ${url}`)

  let stopping: Promise<void> | undefined
  return {
    url,
    publicUrl: core.publicUrl,
    merchant: core.merchants[0],
    merchants: core.merchants,
    configure: (patch) => core.configure(patch),
    core,
    stop: () =>
      (stopping ??= (async () => {
        await core.stop()
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      })()),
  }
}
