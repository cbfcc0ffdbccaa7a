/** Webhooks: signed as documented, retried with the same id, logged, redeliverable, and the webhook faults. */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { verifyWebhook } from "../../plural/signatures"
import { eventually, type Harness, type Receiver, webhookSandbox } from "./helpers"

describe("sandbox webhooks", () => {
  let h: Harness
  let hooks: Receiver
  webhookSandbox({ webhookRetryDelaysMs: [5, 5, 5] }, (started) => ({ h, hooks } = started))

  const deliveries = async () => (await h.control("GET", "/webhooks")).body

  it("signs each delivery so verifyWebhook accepts it, with the order in data", async () => {
    const orderId = await h.paidOrder({ pre_auth: true })
    const [hit] = await eventually(() => (hooks.received.length ? hooks.received : undefined))
    expect(verifyWebhook({ headers: hit.headers as Record<string, string>, rawBody: hit.body }, h.sandbox.merchant.webhook_secret)).toBe(true)
    expect(verifyWebhook({ headers: hit.headers as Record<string, string>, rawBody: hit.body + " " }, h.sandbox.merchant.webhook_secret)).toBe(false)
    const event = JSON.parse(hit.body)
    expect(event).toMatchObject({ event_type: "ORDER_AUTHORIZED", data: { order_id: orderId, status: "AUTHORIZED" } })
    const [delivery] = await eventually(async () => ((await deliveries())[0]?.state === "delivered" ? deliveries() : undefined))
    expect(delivery).toMatchObject({ webhook_id: hit.headers["webhook-id"], event_type: "ORDER_AUTHORIZED", order_id: orderId, url: hooks.url })
    expect(delivery.attempts).toEqual([{ at: expect.any(String), status: 204 }])
  })

  it("signs with the raw secret bytes when webhookSecretEncoding is raw", async () => {
    h.sandbox.configure({ webhookSecretEncoding: "raw" })
    try {
      await h.paidOrder()
      const [hit] = await eventually(() => (hooks.received.length ? hooks.received : undefined))
      const input = { headers: hit.headers as Record<string, string>, rawBody: hit.body }
      expect(verifyWebhook(input, h.sandbox.merchant.webhook_secret, { encoding: "raw" })).toBe(true)
      expect(verifyWebhook(input, h.sandbox.merchant.webhook_secret)).toBe(false)
    } finally {
      h.sandbox.configure({ webhookSecretEncoding: "base64" })
    }
  })

  it("retries a failing receiver with the same webhook-id, then reports delivered", async () => {
    hooks.failFirst = 2
    await h.paidOrder()
    const [delivery] = await eventually(async () => ((await deliveries())[0]?.state === "delivered" ? deliveries() : undefined))
    expect(delivery.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 204])
    expect(new Set(hooks.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([delivery.webhook_id]))
    for (const hit of hooks.received) {
      expect(verifyWebhook({ headers: hit.headers as Record<string, string>, rawBody: hit.body }, h.sandbox.merchant.webhook_secret)).toBe(true)
    }
  })

  it("gives up after three retries; redeliver sends the same event again", async () => {
    hooks.failFirst = 4
    await h.paidOrder()
    const [failed] = await eventually(async () => ((await deliveries())[0]?.state === "failed" ? deliveries() : undefined))
    expect(failed.attempts).toHaveLength(4)
    const redelivered = await h.control("POST", `/webhooks/${failed.webhook_id}/redeliver`)
    expect(redelivered.status).toBe(200)
    const [done] = await eventually(async () => ((await deliveries())[0]?.state === "delivered" ? deliveries() : undefined))
    expect(done.attempts).toHaveLength(5)
    expect(hooks.received[4].headers["webhook-id"]).toBe(failed.webhook_id)
    expect(hooks.received[4].body).toBe(hooks.received[0].body)
  })

  it("a receiver that never answers times out and is retried", async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    h.sandbox.configure({ webhookUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, webhookTimeoutMs: 20 })
    try {
      await h.paidOrder()
      const [failed] = await eventually(async () => ((await deliveries())[0]?.state === "failed" ? deliveries() : undefined))
      expect(failed.attempts).toHaveLength(4)
      expect(failed.attempts[0].error).toBeDefined()
    } finally {
      h.sandbox.configure({ webhookUrl: hooks.url, webhookTimeoutMs: 5000 })
      silent.closeAllConnections()
      silent.close()
    }
  })

  it("webhook faults: drop, duplicate, delay and reorder", async () => {
    await h.control("POST", "/webhook-faults", { mode: "drop", count: 1 })
    const dropped = await h.paidOrder()
    expect((await deliveries()).find((d: { order_id: string }) => d.order_id === dropped).state).toBe("dropped")

    await h.control("POST", "/webhook-faults", { mode: "duplicate", count: 1 })
    await h.paidOrder()
    await eventually(() => (hooks.received.length === 2 ? true : undefined))
    expect(hooks.received[0].headers["webhook-id"]).toBe(hooks.received[1].headers["webhook-id"])

    hooks.received.length = 0
    await h.control("POST", "/webhook-faults", { mode: "reorder", count: 1 })
    const first = await h.paidOrder()
    const second = await h.paidOrder()
    await eventually(() => (hooks.received.length === 2 ? true : undefined))
    expect(hooks.received.map((r) => JSON.parse(r.body).data.order_id)).toEqual([second, first])

    hooks.received.length = 0
    await h.control("POST", "/webhook-faults", { mode: "delay", delay_ms: 300, count: 1 })
    const late = await h.paidOrder()
    const prompt = await h.paidOrder()
    await eventually(() => (hooks.received.length === 2 ? true : undefined))
    expect(hooks.received.map((r) => JSON.parse(r.body).data.order_id)).toEqual([prompt, late])
    await h.control("DELETE", "/webhook-faults")
  })

  it("the events of each transition", async () => {
    const refunded = await h.paidOrder()
    await h.api("POST", `/api/pay/v1/refunds/${refunded}`, { merchant_order_reference: `rf-${refunded}` })
    const cancelled = await h.paidOrder({ pre_auth: true })
    await h.api("PUT", `/api/pay/v1/orders/${cancelled}/cancel`)
    const failing = await h.createOrder()
    await h.control("POST", `/orders/${failing}/complete`, { outcome: "failure" })
    await h.control("POST", `/orders/${failing}/expire`)
    const silent = await h.createOrder()
    await h.control("POST", `/orders/${silent}/complete`, { outcome: "success", send_webhook: false })
    const log = await eventually(async () => {
      const all = await deliveries()
      return all.length === 6 && all.every((d: { state: string }) => d.state === "delivered") ? all : undefined
    })
    expect(log.map((d: { event_type: string }) => d.event_type)).toEqual([
      "ORDER_PROCESSED",
      "REFUND_PROCESSED",
      "ORDER_AUTHORIZED",
      "ORDER_CANCELLED",
      "PAYMENT_FAILED",
      "ORDER_FAILED",
    ])
    expect(log.map((d: { order_id: string }) => d.order_id)).not.toContain(silent)
  })
})
