#!/usr/bin/env node
// @ts-check
/**
 * What PluralClient costs on top of the HTTP call it makes: `client.getOrder(id)` against a bare undici `request()`
 * for the same order (GET /api/pay/v1/orders/:id with the bearer token, body read and JSON.parse-d), both over the
 * same undici Agent (the Transport's own keep-alive settings; the client gets it as its `dispatcher`), on loopback
 * against the sandbox, in one run. The two sides alternate in rounds (which one goes first alternates too), at
 * concurrency 1 and 16. Prints one line per figure: calls, median and p90 of the per-round throughput, CPU of this
 * process per call (process.cpuUsage over the side's rounds / its calls), and the ratio client/bare (median of
 * rounds) against the goal of 0.80.
 *
 * The sandbox runs in a child process (`--in-process` runs it in this one), so the CPU figures are the client
 * process's own: HTTP, the client's work, nothing of the server. On two cores the two processes do not compete
 * for one core, which is also how the plugin meets the real Plural.
 *
 *   npm run build && node bench/client-overhead.mjs [--rounds 10] [--calls 2000] [--concurrency 1,16] [--in-process]
 *
 * `--warmup N` calls per side first (default 2000); `--build-dir` loads another compiled copy of the plugin (default
 * .medusa/server), e.g. one of an earlier commit, for a before/after comparison. About 30–50 s with the defaults.
 */
import { fork } from "node:child_process"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { concurrently } from "../scripts/lib/concurrently.mjs"

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..")
const require = createRequire(join(root, "package.json"))
const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    calls: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "1,16" },
    warmup: { type: "string", default: "2000" },
    "in-process": { type: "boolean", default: false },
    "build-dir": { type: "string", default: ".medusa/server" },
    "sandbox-child": { type: "boolean", default: false },
  },
})
const built = resolve(root, values["build-dir"])
/** @returns {typeof import("../src/sandbox/index.js")} */
const sandboxModule = () => require(join(built, "src/sandbox"))

/** @typedef {{ url: string, merchant: import("../src/sandbox/index.js").SandboxMerchant }} SandboxAddress */
/** @typedef {"bare" | "client"} Side */
/** @typedef {{ perSecond: number, cpuMicros: number }} Round */

// ---- The sandbox, in a child process unless --in-process ----------------------------------------------------------

if (values["sandbox-child"]) {
  const sandbox = await sandboxModule().startSandbox({ seed: "bench" })
  // Only fork() (below) gives this process the channel to its parent.
  if (!process.send) throw new Error("--sandbox-child is for the process the bench forks")
  /** @type {SandboxAddress} */
  const address = { url: sandbox.url, merchant: sandbox.merchant }
  process.send(address)
  process.on("message", async () => {
    await sandbox.stop()
    process.exit(0)
  })
  process.on("disconnect", () => process.exit(0)) // the bench died: do not outlive it
} else {
  await main()
}

/**
 * The sandbox, in this process or a child one.
 * @returns {Promise<SandboxAddress & { stop: () => Promise<unknown> }>}
 */
async function startSandbox() {
  if (values["in-process"]) {
    const sandbox = await sandboxModule().startSandbox({ seed: "bench" })
    return { url: sandbox.url, merchant: sandbox.merchant, stop: () => sandbox.stop() }
  }
  const child = fork(new URL(import.meta.url).pathname, ["--sandbox-child", "--build-dir", values["build-dir"]], { execArgv: [] })
  /** @type {SandboxAddress} */
  const started = await new Promise((resolve, reject) => {
    child.once("message", resolve)
    child.once("exit", (code) => reject(new Error(`the sandbox exited (${code})`)))
  })
  return {
    ...started,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve)
        child.send("stop")
      }),
  }
}

async function main() {
  const { Agent, request } = require("undici")
  /** @type {typeof import("../src/plural/index.js")} */
  const { PluralClient, DEFAULT_TIMEOUTS, TokenResponse } = require(join(built, "src/plural"))

  const rounds = Number(values.rounds)
  const calls = Number(values.calls)
  const levels = values.concurrency.split(",").map(Number)

  const sandbox = await startSandbox()
  const credentials = { clientId: sandbox.merchant.client_id, clientSecret: sandbox.merchant.client_secret, baseUrl: sandbox.url }

  // An order as getOrder reads it in a store: a customer and a payment.
  const setup = new PluralClient(credentials)
  const created = await setup.createOrder({
    merchant_order_reference: "bench-overhead",
    order_amount: { value: 49950, currency: "INR" },
    pre_auth: false,
    purchase_details: {
      customer: {
        email_id: "shopper@example.com",
        first_name: "Asha",
        last_name: "Verma",
        mobile_number: "9876543210",
        country_code: "91",
        billing_address: { address1: "12 MG Road", city: "Bengaluru", state: "Karnataka", pincode: "560001", country: "India" },
      },
      merchant_metadata: { cart_id: "cart_01HBENCH", region: "in" },
    },
  })
  await setup.createPayment(created.order_id, {
    payments: [{ merchant_payment_reference: "bench-pay-1", payment_method: "UPI", payment_amount: { value: 49950, currency: "INR" }, payment_option: { upi_details: { txn_mode: "INTENT" } } }],
  })
  await setup.close()
  const orderId = created.order_id
  const path = `/api/pay/v1/orders/${encodeURIComponent(orderId)}`

  // The Transport's own pool settings.
  const agent = new Agent({
    connect: { timeout: DEFAULT_TIMEOUTS.connectMs },
    headersTimeout: DEFAULT_TIMEOUTS.headersMs,
    bodyTimeout: DEFAULT_TIMEOUTS.bodyMs,
    keepAliveTimeout: 30_000,
    connections: 16,
  })

  const tokenResponse = await request(`${sandbox.url}/api/auth/v1/token`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: credentials.clientId, client_secret: credentials.clientSecret, grant_type: "client_credentials" }),
  })
  const { access_token: token } = TokenResponse.parse(await tokenResponse.body.json())
  const bareHeaders = { accept: "application/json", authorization: `Bearer ${token}` }

  const client = new PluralClient({ ...credentials, dispatcher: agent })

  /** @type {Record<Side, () => Promise<void>>} */
  const sides = {
    bare: async () => {
      const response = await request(`${sandbox.url}${path}`, { method: "GET", dispatcher: agent, headers: bareHeaders })
      // Read as a bare caller would: parsed, not validated.
      /** @type {{ data: { order_id: string } }} */
      const order = JSON.parse(await response.body.text())
      if (response.statusCode !== 200 || order.data.order_id !== orderId) throw new Error(`bare: HTTP ${response.statusCode}`)
    },
    client: async () => {
      const order = await client.getOrder(orderId)
      if (order.order_id !== orderId) throw new Error("client: another order")
    },
  }

  /**
   * `n` calls, `concurrency` at a time: calls per second, and the CPU this process used (µs).
   * @param {() => Promise<void>} call
   * @param {number} n
   * @param {number} concurrency
   * @returns {Promise<Round>}
   */
  async function run(call, n, concurrency) {
    const cpu = process.cpuUsage()
    const started = process.hrtime.bigint()
    await concurrently(n, concurrency, call)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const used = process.cpuUsage(cpu)
    return { perSecond: n / seconds, cpuMicros: used.user + used.system }
  }

  const warmup = Number(values.warmup)
  for (const call of Object.values(sides)) await run(call, warmup, 16)

  /** @type {{ concurrency: number, perSide: Record<Side, Round[]> }[]} */
  const results = []
  for (const concurrency of levels) {
    /** @type {Record<Side, Round[]>} */
    const perSide = { bare: [], client: [] }
    for (let round = 0; round < rounds; round++) {
      /** @type {Side[]} */
      const order = round % 2 === 0 ? ["bare", "client"] : ["client", "bare"]
      for (const side of order) perSide[side].push(await run(sides[side], calls, concurrency))
    }
    results.push({ concurrency, perSide })
  }

  await client.close()
  await agent.close()
  await sandbox.stop()

  /**
   * Linear interpolation between closest ranks: the median of 10 rounds is the mean of the 5th and 6th.
   * @param {number[]} xs
   * @param {number} q
   */
  const quantile = (xs, q) => {
    const sorted = [...xs].sort((a, b) => a - b)
    const at = q * (sorted.length - 1)
    const below = Math.floor(at)
    return sorted[below] + (sorted[Math.min(below + 1, sorted.length - 1)] - sorted[below]) * (at - below)
  }
  /** @param {number} n */
  const fmt = (n) => Math.round(n).toLocaleString("en-US")
  console.log(`client overhead: getOrder vs bare undici, ${rounds} rounds x ${calls} calls per side, sandbox ${values["in-process"] ? "in this process" : "in a child process"}, Node ${process.version}`)
  for (const { concurrency, perSide } of results) {
    /** @type {Record<Side, number>} */
    const cpuPerCall = { bare: 0, client: 0 }
    for (const side of /** @type {Side[]} */ (["bare", "client"])) {
      const rs = perSide[side]
      const throughput = rs.map((r) => r.perSecond)
      const cpu = rs.reduce((sum, r) => sum + r.cpuMicros, 0) / (rs.length * calls)
      cpuPerCall[side] = cpu
      const label = `c=${String(concurrency).padEnd(2)} ${side.padEnd(6)}`
      console.log(`${label} calls                    ${fmt(rs.length * calls)}`)
      console.log(`${label} throughput median        ${fmt(quantile(throughput, 0.5))} calls/s`)
      console.log(`${label} throughput p90           ${fmt(quantile(throughput, 0.9))} calls/s`)
      console.log(`${label} CPU per call             ${cpu.toFixed(1)} µs`)
    }
    const ratios = perSide.client.map((r, i) => r.perSecond / perSide.bare[i].perSecond)
    const ratio = quantile(ratios, 0.5)
    console.log(`c=${String(concurrency).padEnd(2)} client/bare throughput   ${ratio.toFixed(2)} (median of rounds; goal >= 0.80: ${ratio >= 0.8 ? "met" : "NOT met"})`)
    console.log(`c=${String(concurrency).padEnd(2)} client extra CPU/call    ${(cpuPerCall.client - cpuPerCall.bare).toFixed(1)} µs`)
  }
}
