#!/usr/bin/env node
/**
 * `plural-sandbox`: runs the offline Plural until interrupted.
 *
 *   plural-sandbox [--port 4010] [--host 127.0.0.1] [--webhook-url http://localhost:9000/hooks/plural/webhook] [--seed 1]
 */
import { parseArgs } from "node:util"
import { type SandboxMerchant, startSandbox } from "./index"

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
  // startSandbox has said where it listens; what follows is ready to paste into the store's .env.
  const { merchant } = sandbox
  console.log(`
# Plural sandbox test merchant: paste into your Medusa store's .env
${envLines(sandbox.url, merchant).join("\n")}

Webhooks to  ${values["webhook-url"] ?? "(none: set with --webhook-url or POST /_sandbox/config)"}
Control API  ${sandbox.url}/_sandbox/health
`)

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

/** The variables the README's medusa-config.ts reads, with this sandbox's merchant. */
function envLines(url: string, merchant: SandboxMerchant): string[] {
  return [
    `PLURAL_BASE_URL=${url}`,
    `PLURAL_CLIENT_ID=${merchant.client_id}`,
    `PLURAL_CLIENT_SECRET=${merchant.client_secret}`,
    `PLURAL_SECRET_KEY=${merchant.secret_key}`,
    `PLURAL_WEBHOOK_SECRET=${merchant.webhook_secret}`,
  ]
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
