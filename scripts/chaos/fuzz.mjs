// @ts-check
// The fuzz pass: thousands of hostile requests (scripts/lib/hostile-requests.cjs) to the browser return, webhook,
// settle and points-balance routes of both server instances. Three figures: answers ≥ 500, state changed (orders,
// payments, captures, refunds, the ledger's states, Plural's orders), and secrets, access tokens or card numbers
// found in any log of any process — the actual values used, grepped for.
import fs from "node:fs"
import path from "node:path"
import { createRequire } from "node:module"
import { setTimeout as sleep } from "node:timers/promises"
import { inParallel } from "./scenarios.mjs"
import { newCheckout } from "./shopper.mjs"

const require = createRequire(import.meta.url)
const { fuzzRequests, hostileRequests } = require("../lib/hostile-requests.cjs")

/** @typedef {import("./scenarios.mjs").ChaosContext} ChaosContext */

/**
 * The plugin as the store installed it: its library, and its sandbox (the test cards).
 * @typedef {typeof import("../../src/index.js") & { sandbox: typeof import("../../src/sandbox/index.js") }} Plugin
 */

/**
 * The pass's figures: requests sent, answers per route and status class, answers ≥ 500 (and a line on each),
 * requests that got no answer, state changes, and secrets found in logs (of `secretsChecked` values grepped for).
 * @typedef {{
 *   sent: number,
 *   byRoute: Record<string, Record<string, number>>,
 *   fiveHundreds: number,
 *   serverErrors: string[],
 *   noAnswer: number,
 *   changes: string[],
 *   leaks: { label: string, file: string }[],
 *   secretsChecked: number,
 * }} FuzzResult
 */

/**
 * What must not change: Medusa's money records, the ledger's states, and Plural's orders.
 * @param {ChaosContext} ctx
 */
async function snapshot(ctx) {
  /** @type {Record<string, unknown>[]} */
  const [counts] = await ctx.topo.sql(`select
      (select count(*)::int from "order") as orders,
      (select count(*)::int from payment) as payments,
      (select count(*)::int from capture) as captures,
      (select count(*)::int from refund) as refunds,
      (select count(*)::int from plural_refund) as plural_refunds,
      (select json_object_agg(state, n) from (select state, count(*)::int as n from plural_order group by state order by state) s) as ledger`)
  /** @type {import("./audit.mjs").SandboxOrder[]} */
  const orders = await ctx.shopper.control("GET", "/orders")
  const plural = orders.map((o) => `plural ${o.order_id} ${o.status} refunded ${o.refunded_amount ?? "-"}`)
  return [...Object.entries(counts).map(([key, value]) => `${key} ${JSON.stringify(value)}`), ...plural]
}

/**
 * What differs between two snapshots, one line per change.
 * @param {string[]} before
 * @param {string[]} after
 */
function changes(before, after) {
  const was = new Set(before)
  const is = new Set(after)
  return [...before.filter((line) => !is.has(line)).map((line) => `- ${line}`), ...after.filter((line) => !was.has(line)).map((line) => `+ ${line}`)]
}

/**
 * Waits (bounded) until the webhook inbox has processed what the fuzz pass got through verification.
 * @param {ChaosContext} ctx
 */
async function inboxSettled(ctx) {
  for (let i = 0; i < 120; i++) {
    /** @type {{ n: number }[]} */
    const [{ n }] = await ctx.topo.sql(`select count(*)::int as n from plural_webhook_event where status in ('received', 'processing')`)
    if (n === 0) return
    await sleep(500)
  }
}

/**
 * Every log file under `dirs`, searched for each of `values` (`[label, value]`); a hit per value found in a file.
 * @param {string[]} dirs
 * @param {[label: string, value: string][]} values
 * @returns {FuzzResult["leaks"]}
 */
function secretsInLogs(dirs, values) {
  /** @type {FuzzResult["leaks"]} */
  const hits = []
  const files = dirs.flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))) : []))
  for (const file of files.filter((f) => fs.statSync(f).isFile() && f.endsWith(".log"))) {
    const text = fs.readFileSync(file, "utf8")
    for (const [label, value] of values) if (value && text.includes(value)) hits.push({ label, file: path.basename(file) })
  }
  return hits
}

/**
 * Runs the pass: `count` hostile requests in all.
 * @param {ChaosContext} ctx
 * @param {{ count: number, plugin: Plugin }} options
 * @returns {Promise<FuzzResult>}
 */
export async function fuzz(ctx, { count, plugin }) {
  const { a, b } = ctx.topo.instances
  const merchant = ctx.topo.demo.sandboxControl.merchant
  const { TEST_CARD, POINTS_CARDS } = plugin.sandbox
  const cards = [TEST_CARD.number, ...Object.keys(POINTS_CARDS), "5105105105105100"]

  // The target: a real checkout whose Plural order is NOT paid, so that a validly re-signed "it was paid" is a lie.
  const target = newCheckout("fuzz", "hosted")
  const { cartId, session } = await ctx.shopper.open(target)
  const orderId = session.data.plural_order_id
  /** @type {import("./audit.mjs").SandboxCharge} */
  const unpaid = await ctx.shopper.control("GET", `/orders/${orderId}`)
  const webhookBody = JSON.stringify({ event_type: "ORDER_PROCESSED", data: { ...unpaid, status: "PROCESSED" } })
  let signed = 0
  /**
   * Headers that sign `body` as Plural would, at `timestamp`.
   * @param {string} body
   * @param {{ timestamp: number }} options
   */
  const signWebhook = (body, { timestamp }) => {
    const id = `msg_fuzz_${signed++}`
    return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": plugin.signWebhook({ id, timestamp, body }, merchant.webhook_secret) }
  }
  /** @param {Record<string, string>} fields */
  const signCallback = (fields) => plugin.signCallback(fields, merchant.secret_key)
  const fixed = hostileRequests({ orderId, webhookBody, callbackFields: { order_id: orderId, payment_status: "PROCESSED", signature: signCallback({ order_id: orderId, payment_status: "PROCESSED" }) }, cartId, card: cards[0] })
  const requests = [...fixed, ...fuzzRequests({ count: Math.max(0, count - fixed.length), seed: 9, orderId, webhookBody, cartId, cards, signWebhook, signCallback })]

  await inboxSettled(ctx)
  const before = await snapshot(ctx)
  const adminToken = await ctx.shopper.adminToken()
  /** @type {number[]} */
  const statuses = []
  /** @type {string[]} */
  const serverErrors = []
  /** @type {FuzzResult["byRoute"]} */
  const byRoute = {}
  let noAnswer = 0
  await inParallel(requests, 8, async (request, i) => {
    const base = i % 2 ? b.url : a.url
    const headers = { ...request.headers }
    if (request.publishable) headers["x-publishable-api-key"] = ctx.publishableKey
    if (request.admin) headers.authorization = `Bearer ${adminToken}`
    let status = 0
    try {
      const response = await fetch(`${base}${request.path}`, {
        method: request.method ?? "POST",
        headers,
        body: request.method === "GET" ? undefined : request.body,
        redirect: "manual",
        signal: AbortSignal.timeout(30_000),
      })
      await response.arrayBuffer()
      status = response.status
    } catch {
      noAnswer++
    }
    statuses.push(status)
    if (status >= 500) serverErrors.push(`${status} ${request.route}${request.signed ? " (validly signed)" : ""}: ${(request.body ?? request.path).length} bytes, ${(request.body ?? request.path).slice(0, 60)}`)
    const counts = (byRoute[request.route] ??= {})
    const key = status ? `${Math.floor(status / 100)}xx` : "no answer"
    counts[key] = (counts[key] ?? 0) + 1
  })
  await inboxSettled(ctx)
  const after = await snapshot(ctx)

  // The sandbox keeps the access tokens it issued to itself (a private field): read by name, to grep for each.
  const pluralTokens = [...ctx.topo.demo.sandboxControl.core.tokens["issued"].keys()]
  /** @type {[label: string, value: string][]} */
  const secrets = [
    ["client secret", merchant.client_secret],
    ["secret key", merchant.secret_key],
    ["webhook secret", merchant.webhook_secret],
    ["admin token", adminToken],
    ...pluralTokens.map((token) => /** @type {[string, string]} */ (["Plural access token", token])),
    ...cards.map((card) => /** @type {[string, string]} */ (["card number", card])),
  ]
  const leaks = secretsInLogs([ctx.topo.logDir, ctx.topo.storeLogDir], secrets)
  return {
    sent: requests.length,
    byRoute,
    fiveHundreds: statuses.filter((s) => s >= 500).length,
    serverErrors,
    noAnswer,
    changes: changes(before, after),
    leaks,
    secretsChecked: secrets.length,
  }
}
