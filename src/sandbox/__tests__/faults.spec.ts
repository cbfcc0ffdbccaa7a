/** API fault injection: each kind does what it says, before or after the state changes. */
import { request } from "undici"
import { harness, type Harness, uniqueReference } from "./helpers"

describe("sandbox API faults", () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness({ seed: "faults" })
  })
  afterAll(() => h.sandbox.stop())
  afterEach(() => h.control("DELETE", "/faults"))

  const orderBody = () => ({ merchant_order_reference: uniqueReference(), order_amount: { value: 1100, currency: "INR" } })
  const orders = async () => (await h.control("GET", "/orders")).body as { merchant_order_reference: string }[]

  it("status: answers the injected status with a Plural error body, before the write (count limits it)", async () => {
    await h.control("POST", "/faults", { route: "create_order", kind: "status", status: 503, count: 1 })
    const body = orderBody()
    const failed = await h.api("POST", "/api/pay/v1/orders", body)
    expect([failed.status, failed.body.code]).toEqual([503, "SERVICE_UNAVAILABLE"])
    expect((await orders()).some((o) => o.merchant_order_reference === body.merchant_order_reference)).toBe(false)
    expect((await h.api("POST", "/api/pay/v1/orders", body)).status).toBe(200)
  })

  it("status 429 carries Retry-After; `*` matches every API route", async () => {
    const token = await h.token()
    await h.control("POST", "/faults", { route: "*", kind: "status", status: 429, count: 1 })
    const limited = await h.api("GET", "/api/pay/v1/orders/whatever", undefined, token)
    expect([limited.status, limited.body.code, limited.headers["retry-after"]]).toEqual([429, "API_RATE_LIMIT", "1"])
  })

  it("after_commit: the write happens and then the answer fails", async () => {
    await h.control("POST", "/faults", { route: "create_order", kind: "status", status: 500, count: 1, after_commit: true })
    const body = orderBody()
    expect((await h.api("POST", "/api/pay/v1/orders", body)).status).toBe(500)
    expect((await orders()).some((o) => o.merchant_order_reference === body.merchant_order_reference)).toBe(true)
  })

  it("reset: the socket is destroyed without an answer", async () => {
    await h.control("POST", "/faults", { route: "get_order", kind: "reset", count: 1 })
    await expect(h.api("GET", "/api/pay/v1/orders/x")).rejects.toThrow()
    expect((await h.api("GET", "/api/pay/v1/orders/x")).status).toBe(404)
  })

  it("latency: the answer comes after latency_ms", async () => {
    await h.control("POST", "/faults", { route: "get_order", kind: "latency", latency_ms: 50, count: 1 })
    const started = Date.now()
    const answer = await h.api("GET", "/api/pay/v1/orders/x")
    expect(answer.status).toBe(404)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })

  it("slow_body: the headers arrive at once, the body only after latency_ms", async () => {
    const token = await h.token()
    await h.control("POST", "/faults", { route: "get_order", kind: "slow_body", latency_ms: 300, count: 1 })
    const response = await request(`${h.sandbox.url}/api/pay/v1/orders/x`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(404)
    const body = response.body.text()
    const stalled = await Promise.race([body.then(() => false), new Promise((resolve) => setTimeout(() => resolve(true), 20))])
    expect(stalled).toBe(true)
    expect(JSON.parse(await body).code).toBe("ORDER_NOT_FOUND")
  })

  it("rate: fires on a share of requests, the same share for the same seed", async () => {
    const pattern = async () => {
      const seeded = await harness({ seed: 7 })
      try {
        await seeded.control("POST", "/faults", { route: "get_order", kind: "status", status: 502, rate: 0.5 })
        const token = await seeded.token()
        const statuses: number[] = []
        for (let i = 0; i < 20; i++) statuses.push((await seeded.api("GET", "/api/pay/v1/orders/x", undefined, token)).status)
        return statuses
      } finally {
        await seeded.sandbox.stop()
      }
    }
    const first = await pattern()
    expect(first).toContain(502)
    expect(first).toContain(404)
    expect(await pattern()).toEqual(first)
  })

  it("rejects an unknown route or kind with 400 naming the field; DELETE clears", async () => {
    const bad = await h.control("POST", "/faults", { route: "nope", kind: "status", status: 500 })
    expect([bad.status, bad.body.message]).toEqual([400, expect.stringContaining("route")])
    await h.control("POST", "/faults", { route: "token", kind: "status", status: 500 })
    expect((await h.control("GET", "/faults")).body).toHaveLength(1)
    await h.control("DELETE", "/faults")
    expect((await h.control("GET", "/faults")).body).toEqual([])
  })
})
