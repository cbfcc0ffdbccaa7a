#!/usr/bin/env node
// @ts-check
/**
 * `npm run chaos`: the plugin on Medusa's production topology, under the faults a real gateway and a real deployment
 * produce, then audited against Plural. Starts (loopback only) PostgreSQL and Redis, two Medusa server instances
 * and a worker sharing them through Medusa's Redis event bus, workflow engine, locking and caching, a round-robin
 * balancer in front of the servers, and the Plural sandbox; drives paid checkouts through every scenario
 * (scenarios.mjs), lets the reconciliation run until quiet, audits every Plural order against Medusa and the
 * ledger (audit.mjs), runs the fuzz pass (fuzz.mjs), and prints the tables. Exits non-zero unless nothing was
 * duplicated, nothing paid is without an owner, no order is free and no refund was paid twice; the fuzz pass's
 * figures (5xx, state changed, secrets in logs) are printed against their goal of 0.
 *
 *   npm run chaos [-- --checkouts 300 --concurrency 6 --fuzz 2000]
 *
 * PostgreSQL: DATABASE_URL / DB_HOST… when set (a database plural_chaos_… is created and dropped), else an embedded
 * one under .chaos/ (restarted mid-run). Redis: REDIS_URL when set, else a redis-server of its own (restarted
 * mid-run), else 127.0.0.1:6379. Everything it starts is stopped at the end, on failure and on Ctrl-C.
 */
import fs from "node:fs"
import path from "node:path"
import os from "node:os"
import { createRequire } from "node:module"
import { setTimeout as sleep } from "node:timers/promises"
import { parseArgs } from "node:util"
import { audit } from "./audit.mjs"
import { fuzz } from "./fuzz.mjs"
import { auditFailed, auditTable, fuzzLines } from "./report.mjs"
import { AUTO_CAPTURE_SCENARIOS, PRE_AUTH_SCENARIOS, RESTART_SCENARIOS, SCENARIO_NAMES, workerKilledDuringReconciliation } from "./scenarios.mjs"
import { makeShopper } from "./shopper.mjs"
import { startTopology } from "./topology.mjs"

const ROOT = path.resolve(import.meta.dirname, "..", "..")
const STATE_DIR = path.join(ROOT, ".chaos")

/** @typedef {import("./scenarios.mjs").ChaosContext} ChaosContext */
/** @typedef {import("../../src/shared/answers.js").ReconcileSummary} ReconcileSummary */

const { values: args } = parseArgs({
  options: {
    checkouts: { type: "string", default: "300" },
    concurrency: { type: "string", default: "6" },
    fuzz: { type: "string", default: "2000" },
    "quiet-minutes": { type: "string", default: "8" },
    help: { type: "boolean", short: "h" },
  },
})
if (args.help) {
  console.log(`Usage: npm run chaos -- [--checkouts 300] [--concurrency 6] [--fuzz 2000] [--quiet-minutes 8]

Starts PostgreSQL, Redis, two Medusa servers and a worker behind a balancer, and the Plural sandbox; drives paid
checkouts under faults, reconciles until quiet, audits every Plural order, runs the fuzz pass. See README "The chaos run".`)
  process.exit(0)
}
const CHECKOUTS = Number(args.checkouts)
const CONCURRENCY = Number(args.concurrency)
const FUZZ = Number(args.fuzz)

const started = Date.now()
/** @type {fs.WriteStream | undefined} */
let logFile
/** @param {string} message */
const log = (message) => {
  const line = `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`
  process.stdout.write(`${line}\n`)
  logFile?.write(`${line}\n`)
}

/**
 * How many checkouts each part of the run gets.
 * @param {number} total
 */
function shares(total) {
  const worker = Math.max(4, Math.round(total * 0.04))
  const preAuth = Math.max(6, Math.round(total * 0.1))
  const each = Math.max(2, Math.ceil((total - worker - preAuth) / (AUTO_CAPTURE_SCENARIOS.length + RESTART_SCENARIOS.length)))
  return { worker, preAuth, each }
}

/**
 * Per admin action: how many, how many were answered, how many needed more than one attempt.
 * @param {import("./shopper.mjs").Checkout[]} checkouts
 */
function adminSummary(checkouts) {
  const actions = checkouts.flatMap((c) => c.admin ?? [])
  const kinds = [...new Set(actions.map((a) => a.what))]
  if (!kinds.length) return "none"
  return kinds
    .map((kind) => {
      const mine = actions.filter((a) => a.what === kind)
      const retried = mine.filter((a) => a.attempts > 1)
      return `${kind} ${mine.filter((a) => a.ok).length}/${mine.length} done (${retried.length} retried, ${retried.filter((a) => a.afterFaults).length} of them only after Plural recovered)`
    })
    .join(" · ")
}

/**
 * The summary of a reconcile answer's body, when it has one.
 * @param {unknown} body
 * @returns {ReconcileSummary | undefined}
 */
function reconcileSummaryOf(body) {
  if (!body || typeof body !== "object" || !("summary" in body)) return undefined
  return body.summary && typeof body.summary === "object" ? /** @type {ReconcileSummary} */ (body.summary) : undefined
}

/**
 * POST /admin/plural/reconcile until it has nothing left to do and no paid order waits for an owner (bounded).
 * @param {ChaosContext} ctx
 * @param {number} budgetMs
 */
async function reconcileUntilQuiet(ctx, budgetMs) {
  const deadline = Date.now() + budgetMs
  let runs = 0
  /** @type {{ status: number, summary?: ReconcileSummary, unsettled: number, inbox: number } | undefined} */
  let last
  while (Date.now() < deadline) {
    const answer = await ctx.shopper.adminCall(ctx.topo.balancer.url, "POST", "/admin/plural/reconcile")
    runs++
    const summary = reconcileSummaryOf(answer.body)
    // Webhook events still to process, failed ones included while their retry falls within the bound.
    /** @type {{ unsettled: number, inbox: number }[]} */
    const [{ unsettled, inbox }] = await ctx.topo.sql(
      `select
        (select count(*)::int from plural_order where state in ('creating', 'paid', 'returning')) as unsettled,
        (select count(*)::int from plural_webhook_event
          where status in ('received', 'processing') or (status = 'failed' and next_attempt_at < $1)) as inbox`,
      [new Date(deadline)]
    )
    last = { status: answer.status, summary, unsettled, inbox }
    const idle = summary && !summary.skipped && !summary.checked && !summary.webhooks_retried && !summary.refunds_recorded && !summary.errors
    if (answer.status === 200 && idle && unsettled === 0 && inbox === 0) return { runs, quiet: true, last }
    await sleep(5000)
  }
  return { runs, quiet: false, last }
}

async function main() {
  fs.mkdirSync(STATE_DIR, { recursive: true })
  log(`chaos run: ${CHECKOUTS} checkouts, ${CONCURRENCY} at once, ${FUZZ} hostile requests (${os.cpus().length} cores, Node ${process.versions.node})`)
  const topo = await startTopology({ stateDir: STATE_DIR, log })
  logFile = fs.createWriteStream(path.join(topo.logDir, "chaos.log"))
  const stopAll = async () => {
    log("stopping everything it started")
    await topo.stop()
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => stopAll().finally(() => process.exit(130)))
  }
  try {
    return await drive(topo)
  } finally {
    await stopAll()
  }
}

/**
 * Drives the run on the started topology; resolves the exit code.
 * @param {import("./topology.mjs").Topology} topo
 */
async function drive(topo) {
  const { demo } = topo
  log(`servers ${topo.instances.a.url} and ${topo.instances.b.url} behind ${topo.balancer.url}; worker ${topo.instances.worker.url}; Redis ${topo.redis.own ? "(ours)" : "(not ours)"}; PostgreSQL ${topo.db.embedded ? "embedded" : `${topo.db.host}:${topo.db.port}`}`)
  const shopper = makeShopper({ storeUrl: topo.balancer.url, sandboxUrl: demo.urls.sandbox, publishableKey: demo.publishableKey, regionId: demo.regionId, admin: demo.admin })
  /** @type {{ products: { id: string, variants: { id: string }[] }[] }} */
  const { products } = await shopper.store().get(`/store/products?region_id=${demo.regionId}&fields=id,variants.id`)
  /** @type {string[]} */
  const events = []
  /** @type {string[]} */
  const skipped = []
  /** @type {ChaosContext} */
  const ctx = {
    topo,
    shopper,
    log,
    concurrency: CONCURRENCY,
    publishableKey: demo.publishableKey,
    checkouts: [],
    variants: { main: products[0].variants[0].id, soldOut: products[1].variants[0].id },
    event: (what) => {
      events.push(`${new Date().toISOString().slice(11, 19)} ${what}`)
      log(`  ⚡ ${what}`)
    },
    skip: (why) => {
      skipped.push(why)
      log(`  ${why}`)
    },
    /** The variant's stock at every location, through the admin API. */
    setStock: async (variantId, quantity) => {
      /** @type {{ inventory_item_id: string, location_id: string }[]} */
      const levels = await topo.sql(
        `select l.inventory_item_id, l.location_id from inventory_level l
           join product_variant_inventory_item v on v.inventory_item_id = l.inventory_item_id and v.deleted_at is null
          where v.variant_id = $1 and l.deleted_at is null`,
        [variantId]
      )
      for (const { inventory_item_id, location_id } of levels) {
        const answer = await shopper.adminCall(topo.balancer.url, "POST", `/admin/inventory-items/${inventory_item_id}/location-levels/${location_id}`, { stocked_quantity: quantity })
        if (answer.status !== 200) throw new Error(`setting stock failed: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`)
      }
    },
  }
  const { worker, preAuth, each } = shares(CHECKOUTS)

  log(`stage 1 — Plural captures at once: ${AUTO_CAPTURE_SCENARIOS.length + RESTART_SCENARIOS.length} scenarios × ${each} checkouts, and ${worker} paid-and-left in the background`)
  const workerKill = workerKilledDuringReconciliation(ctx, worker).catch((error) => log(`  worker scenario: ${error.stack}`))
  /**
   * @param {import("./scenarios.mjs").Scenario} scenario
   * @param {number} count
   */
  const runScenario = async (scenario, count) => {
    const t0 = Date.now()
    await scenario.run(ctx, count)
    const mine = ctx.checkouts.filter((c) => c.scenario === scenario.name)
    log(`  ✔ ${scenario.name}: ${mine.length} checkouts in ${((Date.now() - t0) / 1000).toFixed(0)} s (${mine.filter((c) => c.outcome === "completed").length} completed as the shopper waited)`)
  }
  for (const scenario of AUTO_CAPTURE_SCENARIOS) await runScenario(scenario, each)
  await workerKill
  for (const scenario of RESTART_SCENARIOS) await runScenario(scenario, each)

  log("stage 2 — pre-authorisation: every Medusa process restarted with pre_auth, one at a time")
  ctx.event("rolling restart of B, the worker and A with PLURAL_PRE_AUTH=true")
  await topo.restartAll({ PLURAL_PRE_AUTH: "true" })
  for (const scenario of PRE_AUTH_SCENARIOS) await runScenario(scenario, preAuth)

  log("reconciliation until quiet (POST /admin/plural/reconcile)")
  const quiet = await reconcileUntilQuiet(ctx, Number(args["quiet-minutes"]) * 60_000)
  log(`  ${quiet.quiet ? "quiet" : "NOT quiet within the bound"} after ${quiet.runs} runs (last: ${JSON.stringify(quiet.last)})`)

  log("audit: every Plural order against Medusa and the ledger")
  /** @type {import("./audit.mjs").SandboxOrder[]} */
  const pluralOrders = await shopper.control("GET", "/orders")
  const result = await audit({ pluralOrders, sql: topo.sql, checkouts: ctx.checkouts })

  // The plugin as the store installed it.
  const requireFromStore = createRequire(path.join(STATE_DIR, "store", "app", "package.json"))
  /** @type {import("./fuzz.mjs").Plugin} */
  const plugin = { ...requireFromStore("medusa-payment-plural"), sandbox: requireFromStore("medusa-payment-plural/sandbox") }
  log(`fuzz pass: ${FUZZ} hostile requests to both servers`)
  const fuzzed = await fuzz(ctx, { count: FUZZ, plugin })

  /** @type {import("../../src/sandbox/index.js").Delivery[]} */
  const deliveries = await shopper.control("GET", "/webhooks")
  const byState = deliveries.reduce((acc, d) => ({ ...acc, [d.state]: (acc[d.state] ?? 0) + 1 }), /** @type {Record<string, number>} */ ({}))
  const out = [
    "",
    `Chaos run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${((Date.now() - started) / 60_000).toFixed(1)} min, ${os.cpus().length} cores, Node ${process.versions.node}`,
    `what happened to the deployment:${events.length ? "" : " nothing"}`,
    ...events.map((e) => `  ${e}`),
    ...skipped.map((s) => `  skipped: ${s}`),
    `balancer: ${[...topo.balancer.served].map(([url, n]) => `${url} ${n}`).join(", ")} · Plural webhooks ${JSON.stringify(byState)}`,
    `reconciliation: ${quiet.quiet ? "quiet" : "not quiet"} after ${quiet.runs} runs`,
    `admin actions (each retried until done): ${adminSummary(ctx.checkouts)}`,
    "",
    ...auditTable(result.rows, SCENARIO_NAMES),
    "",
    ...fuzzLines(fuzzed),
  ]
  for (const line of out) log(line)
  if (result.findings.length) {
    log(`findings (${result.findings.length}):`)
    for (const finding of result.findings.slice(0, 60)) log(`  - ${finding}`)
  }
  if (fuzzed.serverErrors.length) log(`fuzz answers ≥ 500:\n${fuzzed.serverErrors.slice(0, 20).map((e) => `  ${e}`).join("\n")}`)
  if (fuzzed.changes.length) log(`fuzz pass changed state:\n${fuzzed.changes.slice(0, 20).join("\n")}`)
  for (const leak of fuzzed.leaks) log(`  LEAK: ${leak.label} in ${leak.file}`)
  const stuck = ctx.checkouts.filter((c) => c.outcome && c.outcome !== "completed").slice(0, 20)
  if (stuck.length) log(`checkouts that did not end in an order for their shopper (first ${stuck.length}):\n${stuck.map((c) => `  ${c.scenario} · ${c.flow} · ${c.cartId} · ${c.outcome} · ${c.notes.slice(-2).join(" | ")}`).join("\n")}`)
  fs.writeFileSync(path.join(STATE_DIR, "checkouts.json"), JSON.stringify(ctx.checkouts.map(({ session, ...c }) => c), null, 1))

  // The verdict is the audit's: duplicates, money without an owner, free orders, refunds paid twice. The fuzz
  // pass's figures are printed against their goals above.
  const failed = auditFailed(result.rows)
  log(failed ? "FAILED: see the columns that must be 0 and the findings above" : "passed: every paid Plural order has exactly one owner")
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`chaos run failed: ${error.stack ?? error}`)
    process.exit(1)
  }
)
