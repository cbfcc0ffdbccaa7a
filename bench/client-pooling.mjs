#!/usr/bin/env node
// @ts-check
/**
 * Why the provider keeps one PluralClient (a keep-alive pool per origin and a cached access token): measured side
 * by side against a client made per call (new connections and a new token every time), on loopback against the
 * sandbox, in one run. Prints calls per second and the ratio.
 *
 *   npm run build && node bench/client-pooling.mjs [--calls 2000] [--concurrency 16]
 */
import { createRequire } from "node:module"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { concurrently } from "../scripts/lib/concurrently.mjs"

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..")
const require = createRequire(join(root, "package.json"))
/** @type {typeof import("../src/plural/index.js")} */
const { PluralClient } = require(join(root, ".medusa/server/src/plural"))
/** @type {typeof import("../src/sandbox/index.js")} */
const { startSandbox } = require(join(root, ".medusa/server/src/sandbox"))

const { values } = parseArgs({ options: { calls: { type: "string", default: "2000" }, concurrency: { type: "string", default: "16" } } })
const calls = Number(values.calls)
const concurrency = Number(values.concurrency)

const sandbox = await startSandbox({ seed: "bench" })
const credentials = { clientId: sandbox.merchant.client_id, clientSecret: sandbox.merchant.client_secret, baseUrl: sandbox.url }
const setup = new PluralClient(credentials)
const order = await setup.createOrder({ merchant_order_reference: "bench-order", order_amount: { value: 49950, currency: "INR" } })
await setup.close()

/**
 * `calls` calls of `getOrder`, `concurrency` at a time: calls per second, and how long they took.
 * @param {string} label
 * @param {() => Promise<unknown>} getOrder
 */
async function measure(label, getOrder) {
  const started = process.hrtime.bigint()
  await concurrently(calls, concurrency, getOrder)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { label, perSecond: calls / seconds, seconds }
}

const shared = new PluralClient(credentials)
const pooled = await measure("one shared client (pool + cached token)", () => shared.getOrder(order.order_id))
await shared.close()

const perCall = await measure("a new client per call", async () => {
  const client = new PluralClient(credentials)
  try {
    await client.getOrder(order.order_id)
  } finally {
    await client.close()
  }
})
await sandbox.stop()

for (const r of [pooled, perCall]) console.log(`${r.label.padEnd(42)} ${r.perSecond.toFixed(0).padStart(6)} calls/s  (${calls} calls in ${r.seconds.toFixed(2)} s)`)
console.log(`ratio: the shared client is ${(pooled.perSecond / perCall.perSecond).toFixed(2)}x the per-call client`)
