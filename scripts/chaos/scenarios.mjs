// @ts-check
// The chaos run's scenarios: each drives its share of paid checkouts, several at once, under one kind of fault —
// Plural's (through the sandbox's fault injection), the webhooks', the deployment's (instances, worker, Redis,
// PostgreSQL killed or restarted) or the shopper's (another tab, stock sold out) — and then clears that fault.
// Every checkout is recorded (`ctx.checkouts`); what happens to the deployment is logged with its time.
import { setTimeout as sleep } from "node:timers/promises"
import { concurrently } from "../lib/concurrently.mjs"
import { newCheckout } from "./shopper.mjs"
import { redisCommand } from "./redis.mjs"

/** @typedef {import("./shopper.mjs").Checkout} Checkout */
/** @typedef {import("./shopper.mjs").Callback} Callback */
/** @typedef {import("./shopper.mjs").Flow} Flow */
/** @typedef {import("../../src/sandbox/index.js").FaultSpec} FaultSpec */
/** @typedef {import("../../src/sandbox/index.js").WebhookFaultSpec} WebhookFaultSpec */

/**
 * What the scenarios work with: the deployment, the shopper, the run's log and concurrency, every checkout so far,
 * two products' variants (one always in stock, one to sell out), where events and skipped parts are told, and the
 * admin's stock setting.
 * @typedef {{
 *   topo: import("./topology.mjs").Topology,
 *   shopper: import("./shopper.mjs").Shopper,
 *   log: (message: string) => void,
 *   concurrency: number,
 *   publishableKey: string,
 *   checkouts: Checkout[],
 *   variants: { main: string, soldOut: string },
 *   event: (what: string) => void,
 *   skip: (why: string) => void,
 *   setStock: (variantId: string, quantity: number) => Promise<void>,
 * }} ChaosContext
 */

/**
 * A scenario: its name (the report's row) and what drives its `count` checkouts.
 * @typedef {{ name: string, run: (ctx: ChaosContext, count: number) => Promise<void> }} Scenario
 */

/** @type {Flow[]} */
const FLOWS = ["hosted", "upi_collect", "upi_qr"]
const RECONCILE_LOCK_KEY = "medusa_lock:plural-reconcile"
const WORKER_KILLED = "worker SIGKILLed during a reconciliation run"

/**
 * `fn(item, index)` over `items`, at most `concurrency` at a time.
 * @template T
 * @param {readonly T[]} items
 * @param {number} concurrency
 * @param {(item: T, index: number) => Promise<unknown>} fn
 */
export function inParallel(items, concurrency, fn) {
  return concurrently(items.length, concurrency, (i) => fn(items[i], i))
}

/**
 * A checkout of `flow` recorded under `scenario`.
 * @param {ChaosContext} ctx
 * @param {string} scenario
 * @param {Flow} flow
 */
function track(ctx, scenario, flow) {
  const checkout = newCheckout(scenario, flow)
  ctx.checkouts.push(checkout)
  return checkout
}

/**
 * Runs a shopper's step; a failure is noted on the checkout (and ends it) instead of ending the run.
 * @template T
 * @param {Checkout} checkout
 * @param {string} what
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function step(checkout, what, fn) {
  try {
    return await fn()
  } catch (error) {
    checkout.notes.push(`${what}: ${String(/** @type {Error} */ (error).message).slice(0, 160)}`)
    checkout.outcome ??= `${what} failed`
    throw error
  }
}

/**
 * The usual checkout: open, pay on Plural's page, the browser returns (to the balancer; UPI has no return) and the
 * storefront polls until it knows. `tabClosed`: the shopper leaves after paying — no return, no polling; only a
 * webhook or the job can settle it. `afterPay` replaces the browser return.
 * @param {ChaosContext} ctx
 * @param {string} scenario
 * @param {Flow} flow
 * @param {{ tabClosed?: boolean, afterPay?: (record: Checkout, callback: Callback | undefined) => Promise<unknown> }} [options]
 */
async function checkout(ctx, scenario, flow, { tabClosed = false, afterPay } = {}) {
  const record = track(ctx, scenario, flow)
  const { shopper } = ctx
  try {
    await step(record, "open", () => shopper.open(record))
    const callback = await step(record, "pay", () => shopper.pay(record))
    if (tabClosed) return record
    if (afterPay) await afterPay(record, callback)
    else if (callback && flow !== "upi_collect" && flow !== "upi_qr") await shopper.returnTo(record, ctx.topo.balancer.url, callback)
    await shopper.awaitOutcome(record)
  } catch {}
  return record
}

/**
 * The flow of the `i`-th checkout: `flows` in turn.
 * @param {number} i
 * @param {Flow[]} [flows]
 */
const flowOf = (i, flows = FLOWS) => flows[i % flows.length]
/**
 * `count` checkouts' worth of `fn(i)`, at the run's concurrency.
 * @param {ChaosContext} ctx
 * @param {number} count
 * @param {(i: number) => Promise<unknown>} fn
 */
const many = (ctx, count, fn) => concurrently(count, ctx.concurrency, fn)

/**
 * A scenario under sandbox faults (API `faults`, webhook `webhookFaults`), cleared afterwards; every
 * `tabClosedEvery`-th shopper leaves after paying.
 * @param {string} name
 * @param {{ faults?: FaultSpec[], webhookFaults?: WebhookFaultSpec[], tabClosedEvery?: number }} spec
 * @returns {Scenario}
 */
function underFaults(name, { faults = [], webhookFaults = [], tabClosedEvery = 0 }) {
  return {
    name,
    async run(ctx, count) {
      for (const spec of faults) await ctx.shopper.control("POST", "/faults", spec)
      for (const spec of webhookFaults) await ctx.shopper.control("POST", "/webhook-faults", spec)
      try {
        await many(ctx, count, (i) => checkout(ctx, name, flowOf(i), { tabClosed: tabClosedEvery > 0 && i % tabClosedEvery === 0 }))
      } finally {
        await ctx.shopper.control("DELETE", "/faults")
        await ctx.shopper.control("DELETE", "/webhook-faults")
      }
    },
  }
}

/**
 * The deployment is disturbed by `disturb(ctx)` once a third of the scenario's checkouts have started.
 * @param {string} name
 * @param {(ctx: ChaosContext) => Promise<void>} disturb
 * @returns {Scenario}
 */
function underDisturbance(name, disturb) {
  return {
    name,
    async run(ctx, count) {
      /** @type {Promise<void> | undefined} */
      let disturbing
      await many(ctx, count, async (i) => {
        if (i === Math.floor(count / 3)) disturbing = disturb(ctx).catch((error) => ctx.log(`  ${name}: ${error.message}`))
        await checkout(ctx, name, flowOf(i))
      })
      await disturbing
    },
  }
}

/**
 * Plural does what `route` asks, then its answer is lost (a `status` error instead), at `rate`.
 * @param {FaultSpec["route"]} route
 * @returns {FaultSpec}
 */
const LOST = (route, status = 504, rate = 0.35) => ({ route, kind: "status", status, rate, after_commit: true })

/**
 * `fault` on each of `routes`.
 * @param {FaultSpec["route"][]} routes
 * @param {Omit<FaultSpec, "route">} fault
 * @returns {FaultSpec[]}
 */
const onRoutes = (routes, fault) => routes.map((route) => ({ route, ...fault }))

/**
 * The calls that create something at Plural as a checkout starts.
 * @type {FaultSpec["route"][]}
 */
const CREATE_ROUTES = ["create_order", "hosted_checkout", "create_payment"]

/**
 * Stage 1: Plural captures at once (hosted, UPI collect, UPI QR).
 * @type {Scenario[]}
 */
export const AUTO_CAPTURE_SCENARIOS = [
  underFaults("no faults", {}),
  underFaults("webhooks duplicated", { webhookFaults: [{ mode: "duplicate" }] }),
  underFaults("webhooks reordered", { webhookFaults: [{ mode: "reorder" }] }),
  underFaults("webhooks delayed past the return", { webhookFaults: [{ mode: "delay", delay_ms: 6000 }] }),
  underFaults("webhooks dropped (every other shopper leaves)", { webhookFaults: [{ mode: "drop" }], tabClosedEvery: 2 }),
  underFaults("Plural 5xx and 429 on create and read", {
    faults: [
      ...onRoutes(CREATE_ROUTES, { kind: "status", status: 503, rate: 0.3 }),
      ...onRoutes(["get_order", "get_order_by_reference"], { kind: "status", status: 429, rate: 0.3 }),
      { route: "token", kind: "status", status: 500, rate: 0.1 },
    ],
  }),
  underFaults("Plural timeouts and connection resets", {
    faults: [
      ...onRoutes(["get_order", "hosted_checkout", "create_payment"], { kind: "latency", latency_ms: 4000, rate: 0.2 }),
      ...onRoutes(["create_order", "get_order", "hosted_checkout"], { kind: "reset", rate: 0.2 }),
    ],
  }),
  underFaults("lost answers on create (after commit)", {
    faults: [
      ...CREATE_ROUTES.map((route) => LOST(route)),
      { route: "hosted_checkout", kind: "reset", rate: 0.15, after_commit: true },
    ],
  }),
  {
    name: "return, webhook, complete and polling at once on both servers",
    async run(ctx, count) {
      const { a, b } = ctx.topo.instances
      await many(ctx, count, (i) =>
        checkout(ctx, this.name, flowOf(i), {
          // The sandbox sends its webhook (through the balancer) as the page is paid; the rest race it here.
          afterPay: (record, callback) =>
            Promise.all([
              callback && ctx.shopper.returnTo(record, a.url, callback),
              callback && ctx.shopper.returnTo(record, b.url, callback),
              ctx.shopper.complete(record, b.url),
              ctx.shopper.settle(record, a.url),
              ctx.shopper.settle(record, b.url),
            ]),
        })
      )
    },
  },
  {
    name: "server instance SIGKILLed mid-settlement, restarted",
    async run(ctx, count) {
      const { b } = ctx.topo.instances
      /** @type {Promise<void> | undefined} */
      let restarting
      await many(ctx, count, (i) =>
        checkout(ctx, this.name, flowOf(i, ["hosted"]), {
          afterPay: async (record, callback) => {
            // A hosted page always sends the shopper back.
            const returning = ctx.shopper.returnTo(record, b.url, /** @type {Callback} */ (callback))
            if (i === Math.floor(count / 3)) {
              // Instance B dies while it settles this return (and whatever else it is doing).
              await sleep(150)
              ctx.event("SIGKILL server instance B mid-settlement")
              await ctx.topo.kill("b")
              restarting = sleep(3000).then(async () => {
                await ctx.topo.start("b")
                ctx.event("server instance B started again")
              })
            }
            await returning
          },
        })
      )
      await restarting
    },
  },
  {
    name: "cart changed in another tab after its Plural order",
    async run(ctx, count) {
      await many(ctx, count, async (i) => {
        const flow = flowOf(i, ["hosted", "upi_collect"])
        const record = track(ctx, this.name, flow)
        const { shopper } = ctx
        try {
          await step(record, "open", () => shopper.open(record))
          // Another tab adds an item: the amount changes, the session the Plural order belongs to is replaced.
          await step(record, "add to cart in another tab", () =>
            shopper.store().post(`/store/carts/${record.cartId}/line-items`, { variant_id: ctx.variants.main, quantity: 1 })
          )
          // The first tab's page is paid anyway.
          const stale = await shopper.pay(record).catch((error) => void record.notes.push(`old page: ${error.message.slice(0, 120)}`))
          if (stale) await shopper.returnTo(record, ctx.topo.balancer.url, stale)
          record.paidAt = undefined
          // The shopper pays again for the cart as it now is.
          const session = await step(record, "new session", () => shopper.startPayment(record))
          const callback = await step(record, "pay", () => shopper.pay(record, session))
          if (callback && flow === "hosted") await shopper.returnTo(record, ctx.topo.balancer.url, callback)
          await shopper.awaitOutcome(record)
        } catch {}
      })
    },
  },
  {
    name: "stock sold out between payment and return",
    async run(ctx, count) {
      const records = Array.from({ length: count }, (_, i) => track(ctx, this.name, flowOf(i, ["hosted", "upi_qr"])))
      await inParallel(records, ctx.concurrency, (record) => step(record, "open", () => ctx.shopper.open(record, { variantId: ctx.variants.soldOut })).catch(() => {}))
      await ctx.setStock(ctx.variants.soldOut, 0)
      ctx.event("the sold-out product's stock set to 0")
      try {
        await inParallel(records, ctx.concurrency, async (record) => {
          if (!record.session) return
          try {
            const callback = await step(record, "pay", () => ctx.shopper.pay(record))
            if (callback && record.flow === "hosted") await ctx.shopper.returnTo(record, ctx.topo.balancer.url, callback)
            // Retried for complete_paid_within_minutes, then given back: the storefront keeps polling meanwhile.
            await ctx.shopper.awaitOutcome(record, { timeoutMs: 150_000 })
          } catch {}
        })
      } finally {
        await ctx.setStock(ctx.variants.soldOut, 1_000_000)
      }
    },
  },
]

/**
 * Redis and PostgreSQL restarted while checkouts run. After the worker's scheduled run (below): a Redis without
 * persistence forgets Medusa's job schedules, which the worker registers only when it starts.
 * @type {Scenario[]}
 */
export const RESTART_SCENARIOS = [
  underDisturbance("Redis restarted mid-run", async (ctx) => {
    if (!ctx.topo.redis.restart) return ctx.skip("Redis restart skipped: the Redis in use is not one this run started")
    const schedules = async () => (await redisCommand(ctx.topo.redis.url, ["KEYS", "bull:*:repeat"]))?.replace("*", "") ?? "?"
    ctx.event(`restarting Redis (everything it held is lost; Medusa's job schedules in it: ${await schedules()})`)
    await ctx.topo.redis.restart()
    await sleep(5000)
    ctx.event(`Redis answering again (job schedules in it 5 s later: ${await schedules()})`)
  }),
  underDisturbance("PostgreSQL restarted mid-run", async (ctx) => {
    if (!ctx.topo.db.restart) return ctx.skip("PostgreSQL restart skipped: the PostgreSQL in use is not the embedded one this run started")
    ctx.event("restarting PostgreSQL")
    await ctx.topo.db.restart()
    ctx.event("PostgreSQL accepting connections again")
  }),
]

/**
 * In the background during stage 1: shoppers who paid and left, whose webhooks Plural never sent — only the job
 * can settle them. At the worker's next scheduled run (every five minutes) the worker is SIGKILLed as soon as the
 * run holds its lock, then started again.
 * @param {ChaosContext} ctx
 * @param {number} count
 */
export async function workerKilledDuringReconciliation(ctx, count) {
  const name = WORKER_KILLED
  await many(ctx, count, async (i) => {
    const record = track(ctx, name, flowOf(i, ["hosted", "upi_collect"]))
    try {
      const { session } = await step(record, "open", () => ctx.shopper.open(record))
      // Paid at Plural, webhook never sent, and the shopper never comes back.
      await step(record, "pay", () => ctx.shopper.control("POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false }))
      record.paidAt = Date.now()
    } catch {}
  })
  const boundary = Math.ceil(Date.now() / 300_000) * 300_000
  ctx.log(`  ${name}: waiting for the worker's scheduled run at ${new Date(boundary).toISOString().slice(11, 19)}`)
  await sleep(boundary - Date.now())
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline && (await redisCommand(ctx.topo.redis.url, ["EXISTS", RECONCILE_LOCK_KEY])) !== ":1") await sleep(25)
  const during = Date.now() < deadline
  ctx.event(`SIGKILL the worker${during ? " while its reconciliation run holds the lock" : " (no reconciliation run seen within 90 s)"}`)
  await ctx.topo.kill("worker")
  await sleep(2000)
  await ctx.topo.start("worker")
  ctx.event("the worker started again")
}

/**
 * Stage 2, after every instance restarted with `pre_auth`: hosted payments are only authorised; the admin captures
 * most, releases some and partially refunds some of the captured ones, while Plural loses answers, resets
 * connections and answers 5xx/429 on capture, cancel and refund. Each admin action is retried (on the other
 * instance) until it is answered, as a merchant would.
 * @type {Scenario[]}
 */
export const PRE_AUTH_SCENARIOS = [
  {
    name: "pre-auth: admin capture, release, partial refunds retried after lost answers",
    async run(ctx, count) {
      const { a, b } = ctx.topo.instances
      /** @type {Checkout[]} */
      const records = []
      await many(ctx, count, async (i) => records.push(await checkout(ctx, this.name, flowOf(i, ["pre_auth", "pre_auth", "upi_qr"]))))
      // Faults that outlast the plugin's own retries (its client tries a safe call 3 times), so that the admin sees
      // failures and lost answers and has to try again.
      /** @type {FaultSpec[]} */
      const faults = [
        LOST("capture", 504, 0.5),
        { route: "capture", kind: "reset", rate: 0.3, after_commit: true },
        { route: "capture", kind: "status", status: 429, rate: 0.3 },
        { route: "cancel", kind: "reset", rate: 0.5, after_commit: true },
        { route: "cancel", kind: "status", status: 503, rate: 0.3 },
        LOST("refund", 500, 0.5),
        { route: "refund", kind: "reset", rate: 0.3 },
        ...onRoutes(["get_order", "get_order_by_reference"], { kind: "status", status: 503, rate: 0.4 }),
      ]
      for (const spec of faults) await ctx.shopper.control("POST", "/faults", spec)
      let healthy = false
      const deadline = Date.now() + 120_000
      /**
       * The admin's action, retried (alternating instances) until answered; after the faults end it must be.
       * @param {Checkout} record
       * @param {string} what
       * @param {string} route
       * @param {unknown} [body]
       */
      const retried = async (record, what, route, body) => {
        /** @type {import("./shopper.mjs").AdminAction} */
        const action = { what, attempts: 0, ok: false, afterFaults: false }
        ;(record.admin ??= []).push(action)
        while (!action.ok && Date.now() < deadline) {
          action.afterFaults = healthy
          const answer = await ctx.shopper.adminCall(action.attempts % 2 ? b.url : a.url, "POST", route, body)
          action.attempts++
          record.notes.push(`${what} attempt ${action.attempts}: ${answer.status}${answer.status >= 300 ? ` ${JSON.stringify(answer.body).slice(0, 140)}` : ""}`)
          // Done when it worked, or when the answer says it already happened.
          action.ok =
            (answer.status >= 200 && answer.status < 300) ||
            (answer.status >= 400 && answer.status < 500 && /already|captured|cancel|released|recorded/i.test(JSON.stringify(answer.body)))
          if (!action.ok) await sleep(1000)
        }
        return action.ok
      }
      const admin = inParallel(records, ctx.concurrency, async (record, i) => {
        if (!record.orderId) return
        /** @type {{ id: string }[]} */
        const [payment] = await ctx.topo.sql(`select id from payment where payment_session_id = any($1) and deleted_at is null`, [record.sessionIds])
        if (!payment) return
        const authorised = record.flow === "pre_auth"
        if (authorised && i % 4 === 0) return void (await retried(record, "release", `/admin/plural/payments/${payment.id}/cancel`))
        if (authorised && !(await retried(record, "capture", `/admin/payments/${payment.id}/capture`, {}))) return
        if (i % 2 === 1) {
          await retried(record, "partial refund", `/admin/payments/${payment.id}/refund`, { amount: 100 })
          await retried(record, "second partial refund", `/admin/payments/${payment.id}/refund`, { amount: 50 })
        }
      })
      // Plural recovers after half a minute (or once every action went through despite the faults).
      await Promise.race([admin, sleep(30_000)])
      await ctx.shopper.control("DELETE", "/faults")
      healthy = true
      await admin
    },
  },
]

/** Every scenario name in the order the report lists them. */
export const SCENARIO_NAMES = [
  ...AUTO_CAPTURE_SCENARIOS.map((s) => s.name),
  WORKER_KILLED,
  ...RESTART_SCENARIOS.map((s) => s.name),
  ...PRE_AUTH_SCENARIOS.map((s) => s.name),
]
