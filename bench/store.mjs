#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench`: the plugin in a store as a merchant runs it, measured side by side in one run. It builds the plugin,
 * installs it into a Medusa 2.21.2 app the way `npm pack` ships it (the demo's store: `medusa start`, Medusa's system
 * provider enabled beside Plural on the same region, PostgreSQL locking so two instances share one lock), puts a
 * counting proxy between the store and the Plural sandbox, and prints one line per figure: N, medians, p90/p99 and
 * the ratio against its goal. Each comparison interleaves its two sides round by round. Loopback only, bounded.
 *
 *   npm run bench [-- --webhooks 2000 --checkouts 20 --memory-webhooks 4000]
 *
 * PostgreSQL: DATABASE_URL / DB_HOST… when set (a database `medusa_plural_bench` is created), else an embedded one
 * under .bench/. Never a timed assertion: it reports, it does not judge a test.
 */
import { createRequire } from "node:module"
import { randomUUID } from "node:crypto"
import fs from "node:fs"
import http from "node:http"
import os from "node:os"
import path from "node:path"
import { parseArgs } from "node:util"
import { concurrently } from "../scripts/lib/concurrently.mjs"
import { freePort } from "../scripts/lib/ports.cjs"
import { forwardTo, listenOnLoopback } from "../scripts/lib/proxy.mjs"

const ROOT = path.resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..")
const require = createRequire(import.meta.url)
const { startDemo } = require("../scripts/demo/start.cjs")
const { serverFromEnvironment } = require("../scripts/lib/database.cjs")
const { browserReturn, readyCart, sandboxControl, startSession, storeApi } = require("../scripts/lib/store-api.cjs")

const { values: args } = parseArgs({
  options: {
    webhooks: { type: "string", default: "2000" },
    checkouts: { type: "string", default: "20" },
    "memory-webhooks": { type: "string", default: "4000" },
    concurrency: { type: "string", default: "32" },
    help: { type: "boolean", short: "h" },
  },
})
if (args.help) {
  console.log(`Usage: npm run bench -- [--webhooks 2000] [--checkouts 20] [--memory-webhooks 4000] [--concurrency 32]

Builds the plugin, starts the demo store with a counting proxy in front of the Plural sandbox, and prints one line
per figure (N, medians, p90/p99, the ratio against its goal). See README "Benchmarks".`)
  process.exit(0)
}
const N_WEBHOOKS = Number(args.webhooks)
const N_CHECKOUTS = Number(args.checkouts)
const N_MEMORY = Number(args["memory-webhooks"])
const CONCURRENCY = Number(args.concurrency)

/** @type {string[]} */
const lines = []
/** @param {string} message */
const say = (message) => process.stdout.write(`${message}\n`)
/** @param {string} text */
const figure = (text) => {
  lines.push(text)
  say(`  » ${text}`)
}

// ---- statistics --------------------------------------------------------------------------------------------------

/**
 * @param {number[]} values
 * @param {number} q
 */
const quantile = (values, q) => {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
/**
 * @template {string} K
 * @param {Record<K, number>[]} rows
 * @param {K} key
 */
const median = (rows, key) => quantile(rows.map((row) => row[key]), 0.5)
/** @param {number} value */
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`
/**
 * @param {number} ratio
 * @param {number} goal
 * @param {"higher" | "lower"} [better]
 */
const ratioLine = (ratio, goal, better = "higher") => {
  const met = better === "higher" ? ratio >= goal : ratio <= goal
  return `ratio ${ratio.toFixed(2)} (goal ${better === "higher" ? "≥" : "≤"} ${goal}: ${met ? "met" : "NOT met"})`
}

// ---- the counting proxy between the store and Plural ----------------------------------------------------------------

/**
 * Which Plural call a request is, by method and path.
 * @param {string} method
 * @param {string} url
 */
function routeOf(method, url) {
  const p = url.split("?")[0]
  if (p === "/api/auth/v1/token") return "token"
  if (p === "/api/checkout/v1/orders") return "hosted_checkout"
  if (method === "POST" && p === "/api/pay/v1/orders") return "create_order"
  if (/^\/api\/pay\/v1\/orders\/reference\//.test(p)) return "get_order_by_reference"
  if (/^\/api\/pay\/v1\/orders\/[^/]+\/payments$/.test(p)) return "create_payment"
  if (/^\/api\/pay\/v1\/orders\/[^/]+\/capture$/.test(p)) return "capture"
  if (/^\/api\/pay\/v1\/orders\/[^/]+\/cancel$/.test(p)) return "cancel"
  if (/^\/api\/pay\/v1\/refunds\//.test(p)) return "refund"
  if (method === "GET" && /^\/api\/pay\/v1\/orders\/[^/]+$/.test(p)) return "get_order"
  return "other"
}

/**
 * A proxy in front of Plural (`target`) that counts the calls per route and can add latency to each.
 * @param {string} target
 */
async function startCountingProxy(target) {
  /** @type {Map<string, number>} */
  const counts = new Map()
  const state = { latencyMs: 0 }
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const server = http.createServer((req, res) => {
    // A server's request always has a method and a URL.
    const route = routeOf(/** @type {string} */ (req.method), /** @type {string} */ (req.url))
    counts.set(route, (counts.get(route) ?? 0) + 1)
    const forward = () => {
      const out = forwardTo(req, res, upstream, { agent })
      out.on("error", () => res.destroy())
      req.pipe(out)
    }
    state.latencyMs ? setTimeout(forward, state.latencyMs) : forward()
  })
  server.keepAliveTimeout = 60_000
  return {
    url: await listenOnLoopback(server),
    counts,
    /** Plural calls other than the token since `reset()`. */
    calls: () => [...counts].filter(([route]) => route !== "token").reduce((sum, [, n]) => sum + n, 0),
    reset: () => counts.clear(),
    /** @param {number} value */
    setLatency: (value) => (state.latencyMs = value),
    /** @returns {Promise<void>} */
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

// ---- the store, through its API ---------------------------------------------------------------------------------------

/**
 * `total` requests by `concurrency` workers; resolves each request's latency in ms, and the seconds it all took.
 * @param {number} total
 * @param {number} concurrency
 * @param {(i: number) => Promise<unknown>} send
 */
async function load(total, concurrency, send) {
  /** @type {number[]} */
  const latencies = []
  const t0 = performance.now()
  await concurrently(total, concurrency, async (i) => {
    const sent = performance.now()
    await send(i)
    latencies.push(performance.now() - sent)
  })
  return { latencies, seconds: (performance.now() - t0) / 1000 }
}

/**
 * `check()`'s first truthy value, asked every 100 ms; fails naming `what` after `attempts` tries.
 * @template T
 * @param {() => Promise<T>} check
 * @param {string} what
 */
async function until(check, what, attempts = 1200) {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** The plugin's webhook route, and Medusa's built-in one for the same provider. */
const OURS = "/hooks/plural/webhook"
const BUILT_IN = "/hooks/payment/plural_plural"
/**
 * One side of the webhook comparison: every request's latency (ms), and the seconds its rounds took.
 * @typedef {{ latencies: number[], seconds: number }} Side
 */

/** Longer than Medusa's 5-second deferral of its built-in webhook processing, so a quiet spell is really the end. */
const QUIET_MS = 6000
const SAMPLE_MS = 250

/**
 * CPU time (ms) a process has used so far, from /proc.
 * @param {number} pid
 */
function cpuMsOf(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

/**
 * Waits until the process has been quiet (under a tenth of a core) for QUIET_MS, and resolves when it was last busy
 * (performance.now() time): the end of whatever it was processing. Bounded: 10 minutes.
 * @param {number} pid
 */
async function serverIdle(pid) {
  let lastBusy = performance.now()
  let previous = cpuMsOf(pid)
  for (let i = 0; i < (10 * 60_000) / SAMPLE_MS; i++) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
    const now = cpuMsOf(pid)
    if (now - previous > SAMPLE_MS * 0.1) lastBusy = performance.now()
    previous = now
    if (performance.now() - lastBusy >= QUIET_MS) return lastBusy
  }
  throw new Error("the server never went idle")
}

/**
 * The resident memory (bytes) of a process, from /proc.
 * @param {number} pid
 */
function rssOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kib = /VmRSS:\s+(\d+)/.exec(status)?.[1]
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(kib) * 1024
}

// ---- the run ------------------------------------------------------------------------------------------------------------

const ports = { medusa: await freePort(), storefront: await freePort(), sandbox: await freePort() }
/** @type {Awaited<ReturnType<typeof startCountingProxy>> | undefined} */
let proxy
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, DEMO_LOCKING: "postgres" }
if (env.DATABASE_URL) env.DATABASE_URL = env.DATABASE_URL.replace(/\/[^/?]*(\?|$)/, "/medusa_plural_bench$1")
say(`npm run bench — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}`)
const demo = await startDemo({
  stateDir: path.join(ROOT, ".bench"),
  ports,
  env,
  // DB_HOST & co. name a server, on which the bench uses a database of its own.
  database: env.DATABASE_URL ? undefined : withBenchDatabase(serverFromEnvironment(env)),
  buildPlugin: "always",
  // A new database every run, so that every figure counts only what this run did.
  reset: true,
  log: (m) => say(m),
  pluralBaseUrl: async (sandboxUrl) => (proxy = await startCountingProxy(sandboxUrl)).url,
})

/**
 * The bench's own database on `server`, when the environment names one.
 * @param {import("../scripts/lib/database.cjs").DatabaseServer | undefined} server
 */
function withBenchDatabase(server) {
  return server && { ...server, database: "medusa_plural_bench" }
}

/** @type {Awaited<ReturnType<typeof demo.startInstance>> | undefined} */
let second
try {
  // startDemo started it (pluralBaseUrl) before the store.
  if (!proxy) throw new Error("the counting proxy did not start")
  // A started server has a pid.
  const serverPid = /** @type {number} */ (demo.medusaPid)
  const api = storeApi(demo.urls.medusa, demo.publishableKey)
  const sandboxUrl = demo.urls.sandbox
  /** @type {typeof import("../src/plural/index.js")} */
  const { signWebhook } = require(path.join(ROOT, ".medusa/server/src/plural"))
  const webhookSecret = demo.sandboxControl.merchant.webhook_secret

  say("\nSecond server instance (same app, same database, PostgreSQL locking)…")
  second = await demo.startInstance(await freePort())

  // 1. A whole hosted checkout: Plural against Medusa's system provider, interleaved.
  say("\n1. Whole checkout, Plural vs Medusa's system provider")
  const plural = []
  const system = []
  for (let i = 0; i < N_CHECKOUTS; i++) {
    for (const side of i % 2 ? ["system", "plural"] : ["plural", "system"]) {
      const t0 = performance.now()
      const cartId = await readyCart(api, demo.regionId)
      if (side === "system") {
        await startSession(api, cartId, "pp_system_default")
        await api.post(`/store/carts/${cartId}/complete`)
        system.push(performance.now() - t0)
      } else {
        const session = await startSession(api, cartId, "pp_plural_plural")
        const paid = await sandboxControl(sandboxUrl, "POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false })
        const location = await browserReturn(demo.urls.medusa, paid.callback)
        if (!location?.includes("order_id=")) throw new Error(`checkout did not complete: ${location}`)
        plural.push(performance.now() - t0)
      }
    }
  }
  figure(
    `whole checkout: N=${N_CHECKOUTS} each; Plural median ${ms(quantile(plural, 0.5))} p90 ${ms(quantile(plural, 0.9))}; system median ${ms(quantile(system, 0.5))} p90 ${ms(quantile(system, 0.9))}; ${ratioLine(quantile(plural, 0.5) / quantile(system, 0.5), 1.25, "lower")}`
  )

  // 2. Plural calls per paid checkout, the browser return and the webhook racing on two instances, at added latency.
  for (const latency of [50, 500]) {
    proxy.setLatency(latency)
    await sandboxControl(sandboxUrl, "POST", "/config", { webhookUrl: `${second.url}${OURS}` })
    const perCheckout = []
    for (let i = 0; i < Math.max(4, Math.floor(N_CHECKOUTS / 2)); i++) {
      const cartId = await readyCart(api, demo.regionId)
      proxy.reset()
      const session = await startSession(api, cartId, "pp_plural_plural")
      const paid = await sandboxControl(sandboxUrl, "POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: true })
      await browserReturn(demo.urls.medusa, paid.callback)
      // The webhook's processing on the other instance finishes after the return: wait for the inbox to say so.
      const delivered = async () => {
        /** @type {import("../src/sandbox/index.js").Delivery[]} */
        const deliveries = await sandboxControl(sandboxUrl, "GET", "/webhooks")
        return deliveries.some((d) => d.order_id === session.data.plural_order_id && d.state === "delivered")
      }
      await until(delivered, "the webhook delivery")
      await new Promise((resolve) => setTimeout(resolve, latency * 4 + 500))
      perCheckout.push(proxy.calls())
    }
    figure(
      `Plural calls per paid checkout at +${latency} ms, return on instance A and webhook on instance B: N=${perCheckout.length}, median ${quantile(perCheckout, 0.5)}, max ${Math.max(...perCheckout)} (goal 2: create + one read)`
    )
  }
  proxy.setLatency(0)
  await sandboxControl(sandboxUrl, "POST", "/config", { webhookUrl: `${demo.urls.medusa}${OURS}` })

  // 3. Polling: 10 pollers of an unpaid UPI collect, across both instances.
  {
    const cartId = await readyCart(api, demo.regionId)
    await startSession(api, cartId, "pp_plural_plural", { flow: "upi_collect", upi_vpa: "bench@okbank" })
    const apiB = storeApi(second.url, demo.publishableKey)
    proxy.reset()
    const { seconds } = await load(200, 10, (i) => (i % 2 ? apiB : api).post(`/store/plural/carts/${cartId}/settle`))
    const reads = proxy.counts.get("get_order") ?? 0
    const allowed = Math.floor(seconds / 2) + 1
    figure(`polling: 200 polls by 10 pollers over two instances in ${seconds.toFixed(1)} s → ${reads} Plural reads (goal ≤ ${allowed}: one per 2 s; ${reads <= allowed ? "met" : "NOT met"})`)
  }

  // 4. Webhook acknowledgement: the plugin's route vs Medusa's built-in route, many events for one order, interleaved.
  {
    const cartId = await readyCart(api, demo.regionId)
    const session = await startSession(api, cartId, "pp_plural_plural")
    const paid = await sandboxControl(sandboxUrl, "POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false })
    await browserReturn(demo.urls.medusa, paid.callback)
    const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })
    /** @param {string} route */
    const post = (route) => async () => {
      const id = `msg_bench_${randomUUID()}`
      const timestamp = Math.floor(Date.now() / 1000)
      const signature = signWebhook({ id, timestamp, body }, webhookSecret)
      const response = await fetch(`${demo.urls.medusa}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature },
        body,
      })
      await response.arrayBuffer()
      if (response.status !== 200) throw new Error(`${route} answered ${response.status}`)
    }
    for (const concurrency of [4, CONCURRENCY]) {
      /** @type {Side} */
      const ours = { latencies: [], seconds: 0 }
      /** @type {Side} */
      const builtin = { latencies: [], seconds: 0 }
      const rounds = 10
      for (let round = 0; round < rounds; round++) {
        /** @type {[Side, string][]} */
        const sides = round % 2 ? [[builtin, BUILT_IN], [ours, OURS]] : [[ours, OURS], [builtin, BUILT_IN]]
        for (const [side, route] of sides) {
          // Each round starts on an idle server: the previous round's deferred processing does not weigh on it.
          await serverIdle(serverPid)
          const result = await load(N_WEBHOOKS / rounds, concurrency, post(route))
          side.latencies.push(...result.latencies)
          side.seconds += result.seconds
        }
      }
      /** @param {Side} side */
      const rate = (side) => side.latencies.length / side.seconds
      figure(
        `webhook acknowledgement: N=${N_WEBHOOKS} each in ${rounds} interleaved rounds, concurrency ${concurrency}, one order; plugin ${rate(ours).toFixed(0)}/s p50 ${ms(quantile(ours.latencies, 0.5))} p90 ${ms(quantile(ours.latencies, 0.9))} p99 ${ms(quantile(ours.latencies, 0.99))}; built-in ${rate(builtin).toFixed(0)}/s p50 ${ms(quantile(builtin.latencies, 0.5))} p90 ${ms(quantile(builtin.latencies, 0.9))} p99 ${ms(quantile(builtin.latencies, 0.99))}; ${ratioLine(rate(ours) / rate(builtin), 0.8)}; plugin p99 goal ≤ 50 ms: ${quantile(ours.latencies, 0.99) <= 50 ? "met" : "NOT met"}`
      )
    }

    // End to end: a burst, from its first request until the server is idle again (every event processed, the
    // built-in route's 5-second deferral included), interleaved.
    /** @type {Record<"ours" | "builtin", { seconds: number, cpu: number }[]>} */
    const drains = { ours: [], builtin: [] }
    for (let round = 0; round < 4; round++) {
      /** @type {["ours" | "builtin", string]} */
      const [name, route] = round % 2 ? ["builtin", BUILT_IN] : ["ours", OURS]
      await serverIdle(serverPid)
      const t0 = performance.now()
      const cpu0 = cpuMsOf(serverPid)
      await load(N_WEBHOOKS / 2, CONCURRENCY, post(route))
      const done = await serverIdle(serverPid)
      drains[name].push({ seconds: (done - t0) / 1000, cpu: (cpuMsOf(serverPid) - cpu0) / 1000 })
    }
    const pg = await pgClient(demo)
    const { rows: open } = await pg.query(`select count(*)::int as n from plural_webhook_event where status not in ('processed', 'ignored')`)
    figure(
      `webhook burst end to end (first request → server quiet again, the built-in route's 5 s deferral included): ${N_WEBHOOKS / 2} events per burst, 2 bursts each; plugin ${median(drains.ours, "seconds").toFixed(1)} s using ${median(drains.ours, "cpu").toFixed(1)} CPU-s, built-in ${median(drains.builtin, "seconds").toFixed(1)} s using ${median(drains.builtin, "cpu").toFixed(1)} CPU-s; ${ratioLine(median(drains.ours, "seconds") / median(drains.builtin, "seconds"), 1, "lower")}; plugin events left unprocessed: ${open[0].n}`
    )

    // 5. Memory: the server's RSS before and after many more webhooks (all acknowledged and processed).
    await serverIdle(serverPid)
    const before = rssOf(serverPid)
    await load(N_MEMORY, CONCURRENCY, post(OURS))
    await serverIdle(serverPid)
    const after = rssOf(serverPid)
    figure(`memory: server RSS ${(before / 2 ** 20).toFixed(0)} MiB before and ${(after / 2 ** 20).toFixed(0)} MiB after ${N_MEMORY} more webhooks (growth ${(((after - before) / before) * 100).toFixed(1)}%)`)
    await pg.end()
  }

  say(`\nSummary (${new Date().toISOString()}):`)
  for (const line of lines) say(`  ${line}`)
} finally {
  await second?.stop()
  await demo.stop()
  await proxy?.stop()
}

/**
 * A connected client of the demo's database.
 * @param {{ databaseUrl: string }} d
 */
async function pgClient(d) {
  const { Client } = require("pg")
  const client = new Client({ connectionString: d.databaseUrl })
  await client.connect()
  return client
}
