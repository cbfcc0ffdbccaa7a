/**
 * The plugin on Medusa's multi-instance topology, CI-sized: the demo store started twice on one database, sharing
 * Medusa's PostgreSQL locking provider, with the Plural sandbox's faults. Every path racing on both instances ends
 * with one owner for the money — checked on Plural's side too — and hostile input to the public routes answers 4xx,
 * changes nothing and leaks no secret into any log.
 *
 *   npx medusa plugin:build && npx jest --selectProjects topology --runInBand
 */
import fs from "node:fs"
import path from "node:path"
import { randomUUID } from "node:crypto"
import { signWebhook } from "../../src/plural"
import { freePort, ROOT } from "../browser/support"

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startDemo } = require("../../scripts/demo/start.cjs")
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storefront = require("../../scripts/lib/store-api.cjs")
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hostileRequests } = require("../../scripts/lib/hostile-requests.cjs")

jest.setTimeout(15 * 60_000)

const STATE_DIR = path.join(ROOT, ".cache", "topology-demo")

type Instance = { url: string; stop(): Promise<void> }
type Demo = {
  urls: { medusa: string; sandbox: string }
  publishableKey: string
  regionId: string
  admin: { email: string; password: string }
  sandboxControl: { merchant: { client_id: string; client_secret: string; secret_key: string; webhook_secret: string } }
  databaseUrl: string
  startInstance(port: number): Promise<Instance>
  stop(): Promise<void>
}

let demo: Demo
let b: Instance
let db: { host: string; port: number; user: string; password: string; database: string }

const control = (method: string, route: string, body?: unknown) => storefront.sandboxControl(demo.urls.sandbox, method, route, body)

async function sql<T = any>(text: string, values: unknown[] = []): Promise<T[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg")
  const client = new Client({ connectionString: demo.databaseUrl })
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

function signedWebhook(base: string, body: string, id = `msg_${randomUUID()}`) {
  const timestamp = Math.floor(Date.now() / 1000)
  const signature = signWebhook({ id, timestamp, body }, demo.sandboxControl.merchant.webhook_secret)
  return fetch(`${base}/hooks/plural/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature },
    body,
  })
}

const ordersOfCart = (cartId: string) => sql(`select order_id from order_cart where cart_id = $1 and deleted_at is null`, [cartId])

beforeAll(async () => {
  if (!process.env.DB_HOST) throw new Error("The topology tests need DB_HOST & co. (run them through npm test)")
  db = {
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USERNAME || "postgres",
    password: process.env.DB_PASSWORD || "",
    database: `plural_topology_${process.pid}_${Date.now().toString(36)}`,
  }
  fs.rmSync(STATE_DIR, { recursive: true, force: true })
  const ports = { medusa: await freePort(), storefront: await freePort(), sandbox: await freePort() }
  demo = await startDemo({
    stateDir: STATE_DIR,
    database: db,
    ports,
    buildPlugin: "never",
    env: { ...process.env, DEMO_LOCKING: "postgres" },
    log: (message: string) => process.stdout.write(`[topology] ${message}\n`),
  })
  b = await demo.startInstance(await freePort())
})

afterAll(async () => {
  await b?.stop()
  await demo?.stop()
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg")
  const client = new Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: "postgres" })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS "${db.database}" WITH (FORCE)`)
  await client.end()
})

it("the browser return, the webhook, the storefront's complete and the polling, at once on two instances: one order, one capture", async () => {
  const a = storefront.storeApi(demo.urls.medusa, demo.publishableKey)
  const onB = storefront.storeApi(b.url, demo.publishableKey)
  for (let round = 0; round < 3; round++) {
    const cartId = await storefront.readyCart(a, demo.regionId)
    const session = await storefront.startSession(a, cartId, "pp_plural_plural")
    const paid = await control("POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false })
    const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })
    const webhookId = `msg_race_${round}`
    const settled = (p: Promise<unknown>) => p.then(() => "ok", (error: Error) => error.message)
    await Promise.all([
      settled(storefront.browserReturn(demo.urls.medusa, paid.callback)),
      settled(storefront.browserReturn(b.url, paid.callback)),
      settled(signedWebhook(b.url, body, webhookId)),
      settled(signedWebhook(demo.urls.medusa, body, webhookId)),
      settled(a.post(`/store/carts/${cartId}/complete`)),
      settled(onB.post(`/store/plural/carts/${cartId}/settle`)),
      settled(a.post(`/store/plural/carts/${cartId}/settle`)),
    ])
    await eventually(async () => (await sql(`select status from plural_webhook_event where webhook_id = $1`, [webhookId]))[0]?.status === "processed", "the webhook's processing")
    expect(await ordersOfCart(cartId)).toHaveLength(1)
    const payments = await sql(
      `select p.id, p.captured_at, (select count(*)::int from capture c where c.payment_id = p.id and c.deleted_at is null) as captures
       from payment p where p.payment_session_id = $1 and p.deleted_at is null`,
      [session.id]
    )
    expect(payments).toEqual([expect.objectContaining({ captures: 1 })])
    expect((await control("GET", `/orders/${session.data.plural_order_id}`)).status).toBe("PROCESSED")
    expect((await sql(`select state from plural_order where plural_order_id = $1`, [session.data.plural_order_id]))[0].state).toBe("owned")
  }
})

it("a refund whose answer is lost on instance A, retried by the admin on instance B: paid out once", async () => {
  const a = storefront.storeApi(demo.urls.medusa, demo.publishableKey)
  const cartId = await storefront.readyCart(a, demo.regionId)
  const session = await storefront.startSession(a, cartId, "pp_plural_plural")
  const paid = await control("POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false })
  await storefront.browserReturn(demo.urls.medusa, paid.callback)
  const [payment] = await sql(`select id from payment where payment_session_id = $1`, [session.id])
  const token = await storefront.adminToken(demo.urls.medusa, demo.admin)
  const refund = (base: string) =>
    fetch(`${base}/admin/payments/${payment.id}/refund`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ amount: 100 }),
    })

  await control("POST", "/faults", { route: "refund", kind: "status", status: 504, count: 10, after_commit: true })
  await control("POST", "/faults", { route: "get_order_by_reference", kind: "status", status: 503, count: 20 })
  const lost = await refund(demo.urls.medusa)
  expect(lost.status).toBeGreaterThanOrEqual(500)
  expect(((await lost.json()) as { message: string }).message).toMatch(/cannot tell yet/)
  await control("DELETE", "/faults")
  // The retry either claims the refund Plural made (200), or meets the plugin recording it from Plural's webhook at
  // that moment and is told it is already recorded, or being recorded (4xx). Either way nothing is paid out again.
  const retried = await refund(b.url)
  if (retried.status !== 200) expect(((await retried.json()) as { message: string }).message).toMatch(/already recorded|is being recorded/)
  await eventually(async () => (await sql(`select count(*)::int as n from refund where payment_id = $1 and deleted_at is null`, [payment.id]))[0].n === 1, "the refund recorded")

  const refunds = (await control("GET", "/orders")).filter((o: any) => o.type === "REFUND" && o.parent_order_id === session.data.plural_order_id)
  expect(refunds.map((r: any) => r.order_amount.value)).toEqual([10000])
  const medusaRefunds = await sql(`select amount from refund where payment_id = $1 and deleted_at is null`, [payment.id])
  expect(medusaRefunds.map((r: any) => Number(r.amount))).toEqual([100])
})

it("hostile input to the public routes on both instances: 4xx, never 5xx, nothing changed, no secret in any log", async () => {
  const a = storefront.storeApi(demo.urls.medusa, demo.publishableKey)
  const cartId = await storefront.readyCart(a, demo.regionId)
  const session = await storefront.startSession(a, cartId, "pp_plural_plural")
  const paid = await control("POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false })
  const ordersBefore = (await sql(`select count(*)::int as n from "order"`))[0].n
  const pluralBefore = (await control("GET", "/orders")).length
  const secret = demo.sandboxControl.merchant.webhook_secret
  const card = "4111111111111111"
  const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })

  type Attack = { path: string; method?: string; headers?: Record<string, string>; body?: string; publishable?: boolean }
  const attacks: Attack[] = hostileRequests({ orderId: paid.order.order_id, webhookBody: body, callbackFields: paid.callback.fields, cartId, card })
  const statuses: number[] = []
  for (let round = 0; round < 10; round++) {
    for (const base of [demo.urls.medusa, b.url]) {
      for (const attack of attacks) {
        const response = await fetch(`${base}${attack.path}`, {
          method: attack.method ?? "POST",
          headers: { ...attack.headers, ...(attack.publishable ? { "x-publishable-api-key": demo.publishableKey } : {}) },
          body: attack.method === "GET" ? undefined : attack.body,
          redirect: "manual",
        })
        await response.arrayBuffer()
        statuses.push(response.status)
      }
    }
  }
  expect(statuses).toHaveLength(attacks.length * 20)
  expect(statuses.filter((status) => status >= 500)).toEqual([])
  expect((await sql(`select count(*)::int as n from "order"`))[0].n).toBe(ordersBefore)
  expect((await control("GET", "/orders")).length).toBe(pluralBefore)
  expect(await ordersOfCart(cartId)).toHaveLength(0)

  const logs = fs
    .readdirSync(path.join(STATE_DIR, "logs"))
    .map((file) => fs.readFileSync(path.join(STATE_DIR, "logs", file), "utf8"))
    .join("\n")
  for (const value of [secret, demo.sandboxControl.merchant.client_secret, demo.sandboxControl.merchant.secret_key, card]) {
    expect(logs.includes(value)).toBe(false)
  }
})
