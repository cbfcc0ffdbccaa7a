#!/usr/bin/env node
/**
 * `plural-sandbox`: runs the offline Plural until interrupted.
 *
 *   plural-sandbox [--port 4010] [--host 127.0.0.1] [--webhook-url http://localhost:9000/hooks/plural] [--seed 1]
 */
import { parseArgs } from "node:util"
import { startSandbox } from "./index"

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "webhook-url": { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  })
  if (values.help) {
    console.log("Usage: plural-sandbox [--port N] [--host H] [--webhook-url URL] [--seed S]")
    return
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`)

  const sandbox = await startSandbox({
    port,
    host: values.host,
    webhookUrl: values["webhook-url"],
    seed: values.seed,
    logger: { info: (m) => console.log(m), warn: (m) => console.warn(m) },
  })
  const { merchant } = sandbox
  console.log(`Plural sandbox at ${sandbox.url}

Test merchant (use as the plugin's options):
  base_url        ${sandbox.url}
  merchant_id     ${merchant.merchant_id}
  client_id       ${merchant.client_id}
  client_secret   ${merchant.client_secret}
  secret_key      ${merchant.secret_key}
  webhook_secret  ${merchant.webhook_secret}
Webhooks to     ${values["webhook-url"] ?? "(none: set with --webhook-url or POST /_sandbox/config)"}
Control API     ${sandbox.url}/_sandbox/health`)

  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping the Plural sandbox`)
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once("SIGINT", () => shutdown("SIGINT"))
  process.once("SIGTERM", () => shutdown("SIGTERM"))
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
