/** The order/payment/refund state machine, each documented error, duplicate modes and token expiry. */
import { harness, type Harness, send, uniqueReference } from "./helpers"

describe("sandbox state machine", () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness({ paymentRetries: 2 })
  })
  afterAll(() => h.sandbox.stop())
  afterEach(() => h.sandbox.configure({ duplicateMode: "return_existing", processingDelayMs: 0 }))

  const get = async (orderId: string) => (await h.api("GET", `/api/pay/v1/orders/${orderId}`)).body.data

  it("pre-auth: CREATED → PENDING → AUTHORIZED → PROCESSED by partial capture, repeat capture is the same capture", async () => {
    const orderId = await h.createOrder({ pre_auth: true })
    expect((await get(orderId)).status).toBe("CREATED")
    const intent = { payments: [{ payment_method: "UPI", payment_amount: { value: 1100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "INTENT" } } }] }
    const pending = await h.api("POST", `/api/pay/v1/orders/${orderId}/payments`, intent)
    expect(pending.body.data.status).toBe("PENDING")
    expect(pending.body.data.challenge_url).toContain("/web/auth/landing/?token=")

    const completed = await h.control("POST", `/orders/${orderId}/complete`, { outcome: "success" })
    expect(completed.body.order.status).toBe("AUTHORIZED")
    expect(completed.body.order.payments[0]).toMatchObject({ status: "AUTHORIZED", payment_method: "UPI" })

    const capture = { merchant_capture_reference: "cap-1", capture_amount: { value: 600, currency: "INR" } }
    const captured = await h.api("PUT", `/api/pay/v1/orders/${orderId}/capture`, capture)
    expect(captured.body.data.status).toBe("PROCESSED")
    expect(captured.body.data.payments[0].capture_data).toEqual([expect.objectContaining({ merchant_capture_reference: "cap-1", capture_amount: { value: 600, currency: "INR" } })])
    const again = await h.api("PUT", `/api/pay/v1/orders/${orderId}/capture`, capture)
    expect(again.status).toBe(200)
    expect(again.body.data.payments[0].capture_data).toHaveLength(1)
    const second = await h.api("PUT", `/api/pay/v1/orders/${orderId}/capture`, { merchant_capture_reference: "cap-2" })
    expect(second.status).toBe(422)
    expect(second.body.code).toBe("OPERATION_NOT_ALLOWED")
    const cancelAfterCapture = await h.api("PUT", `/api/pay/v1/orders/${orderId}/cancel`)
    expect(cancelAfterCapture.status).toBe(422)
    expect(cancelAfterCapture.body.code).toBe("OPERATION_NOT_ALLOWED")
  })

  it("refunds: partials up to the captured amount, the rest without an amount, refund_amount alias, same reference = same refund", async () => {
    const orderId = await h.paidOrder()
    const first = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: "rf-1", refund_amount: { value: 300, currency: "INR" } })
    expect(first.status).toBe(200)
    expect(first.body.data).toMatchObject({ type: "REFUND", parent_order_id: orderId, status: "PROCESSED", order_amount: { value: 300, currency: "INR" } })
    expect((await get(orderId)).status).toBe("PARTIALLY_REFUNDED")

    const repeat = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: "rf-1", refund_amount: { value: 300, currency: "INR" } })
    expect(repeat.body.data.order_id).toBe(first.body.data.order_id)

    const over = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: "rf-2", order_amount: { value: 900, currency: "INR" } })
    expect(over.status).toBe(422)
    expect(over.body.code).toBe("OPERATION_NOT_ALLOWED")

    const rest = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: "rf-3" })
    expect(rest.body.data.order_amount.value).toBe(800)
    expect((await get(orderId)).status).toBe("FULLY_REFUNDED")
    const byReference = await h.api("GET", "/api/pay/v1/orders/reference/rf-3")
    expect(byReference.body.data).toMatchObject({ type: "REFUND", order_id: rest.body.data.order_id })
    const more = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: "rf-4" })
    expect(more.status).toBe(422)
  })

  it("refunds only what was captured of a pre-auth", async () => {
    const orderId = await h.paidOrder({ pre_auth: true })
    const early = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: uniqueReference() })
    expect(early.status).toBe(422)
    expect(early.body.code).toBe("OPERATION_NOT_ALLOWED")
    await h.api("PUT", `/api/pay/v1/orders/${orderId}/capture`, { merchant_capture_reference: uniqueReference(), capture_amount: { value: 500, currency: "INR" } })
    const refund = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: uniqueReference() })
    expect(refund.body.data.order_amount.value).toBe(500)
  })

  it("capture and cancel need an AUTHORIZED pre-auth order", async () => {
    const plain = await h.paidOrder()
    const capture = await h.api("PUT", `/api/pay/v1/orders/${plain}/capture`, { merchant_capture_reference: uniqueReference() })
    expect([capture.status, capture.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])
    const cancel = await h.api("PUT", `/api/pay/v1/orders/${plain}/cancel`)
    expect([cancel.status, cancel.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])

    const unpaid = await h.createOrder({ pre_auth: true })
    expect((await h.api("PUT", `/api/pay/v1/orders/${unpaid}/capture`, { merchant_capture_reference: uniqueReference() })).status).toBe(422)

    const authorized = await h.paidOrder({ pre_auth: true })
    const cancelled = await h.api("PUT", `/api/pay/v1/orders/${authorized}/cancel`)
    expect(cancelled.body.data.status).toBe("CANCELLED")
    expect(cancelled.body.data.payments[0].status).toBe("CANCELLED")
  })

  it("failed attempts: ATTEMPTED while retries remain, then FAILED; a success after a failure still counts", async () => {
    const orderId = await h.createOrder()
    const first = await h.control("POST", `/orders/${orderId}/complete`, { outcome: "failure", error_code: "INSUFFICIENT_FUNDS" })
    expect(first.body.order).toMatchObject({ status: "ATTEMPTED", payment_retries_remaining: 1 })
    expect(first.body.order.payments[0]).toMatchObject({ status: "FAILED", error_detail: { code: "INSUFFICIENT_FUNDS" } })
    const second = await h.control("POST", `/orders/${orderId}/complete`, { outcome: "failure" })
    expect(second.body.order).toMatchObject({ status: "FAILED", payment_retries_remaining: 0 })
    expect(second.body.order.payments).toHaveLength(2)
    const late = await h.control("POST", `/orders/${orderId}/complete`, { outcome: "success" })
    expect([late.status, late.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])

    const retried = await h.createOrder()
    await h.control("POST", `/orders/${retried}/complete`, { outcome: "failure" })
    const ok = await h.control("POST", `/orders/${retried}/complete`, { outcome: "success", payment_method: "NETBANKING" })
    expect(ok.body.order.status).toBe("PROCESSED")
    expect(ok.body.order.payments[1]).toMatchObject({ status: "PROCESSED", payment_method: "NETBANKING" })
  })

  it("a shopper's cancel ends the order as CANCELLED; expire fails a pending payment with PAYMENT_EXPIRED", async () => {
    const cancelled = await h.control("POST", `/orders/${await h.createOrder()}/complete`, { outcome: "cancel" })
    expect(cancelled.body.order.status).toBe("CANCELLED")
    expect(cancelled.body.callback.fields).toMatchObject({ payment_status: "CANCELLED", error_code: "PAYMENT_CANCELLED" })

    const orderId = await h.createOrder()
    const collect = { payments: [{ payment_method: "UPI", payment_amount: { value: 1100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "COLLECT", payer: { vpa: "kevin@okbank" } } } }] }
    await h.api("POST", `/api/pay/v1/orders/${orderId}/payments`, collect)
    const expired = await h.control("POST", `/orders/${orderId}/expire`)
    expect(expired.body.order.status).toBe("FAILED")
    expect(expired.body.order.payments[0]).toMatchObject({ status: "FAILED", error_detail: { code: "PAYMENT_EXPIRED" } })
  })

  it("a UPI collect approves itself after collectAutoApproveMs", async () => {
    h.sandbox.configure({ collectAutoApproveMs: 5 })
    try {
      const orderId = await h.createOrder()
      const collect = { payments: [{ payment_method: "UPI", payment_amount: { value: 1100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "COLLECT", payer: { vpa: "kevin@okbank" } } } }] }
      await h.api("POST", `/api/pay/v1/orders/${orderId}/payments`, collect)
      for (let i = 0; i < 200 && (await get(orderId)).status === "PENDING"; i++) await new Promise((r) => setTimeout(r, 5))
      expect((await get(orderId)).status).toBe("PROCESSED")
    } finally {
      h.sandbox.configure({ collectAutoApproveMs: undefined })
    }
  })

  it("processingDelayMs: a success reads PENDING until the delay has passed", async () => {
    let now = Date.now()
    const delayed = await harness({ now: () => now, processingDelayMs: 10_000 })
    try {
      const orderId = await delayed.paidOrder()
      const read = async () => (await delayed.api("GET", `/api/pay/v1/orders/${orderId}`)).body.data
      expect((await read()).status).toBe("PENDING")
      now += 10_000
      expect((await read()).status).toBe("PROCESSED")
    } finally {
      await delayed.sandbox.stop()
    }
  })

  it("400 INVALID_REQUEST names the field; 404 ORDER_NOT_FOUND; payment amount must match", async () => {
    const bad = await h.api("POST", "/api/pay/v1/orders", { merchant_order_reference: "bad ref!", order_amount: { value: 1100, currency: "INR" } })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe("INVALID_REQUEST")
    expect(bad.body.message).toContain("merchant_order_reference")
    const small = await h.api("POST", "/api/pay/v1/orders", { merchant_order_reference: uniqueReference(), order_amount: { value: 99, currency: "INR" } })
    expect(small.body.message).toContain("order_amount.value")
    const json = await h.api("POST", "/api/pay/v1/orders", "{not json")
    expect([json.status, json.body.code]).toEqual([400, "INVALID_REQUEST"])
    const missing = await h.api("GET", "/api/pay/v1/orders/v1-0000000000-aa-nothing")
    expect([missing.status, missing.body.code]).toEqual([404, "ORDER_NOT_FOUND"])
    const orderId = await h.createOrder()
    const mismatch = await h.api("POST", `/api/pay/v1/orders/${orderId}/payments`, { payments: [{ payment_method: "UPI", payment_amount: { value: 100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "INTENT" } } }] })
    expect([mismatch.status, mismatch.body.message]).toEqual([400, expect.stringContaining("payments.0.payment_amount")])
  })

  it("duplicate references: return_existing answers the first order, reject answers 422 DUPLICATE_REQUEST", async () => {
    const reference = uniqueReference()
    const body = { merchant_order_reference: reference, order_amount: { value: 1100, currency: "INR" } }
    const first = await h.api("POST", "/api/pay/v1/orders", body)
    const again = await h.api("POST", "/api/pay/v1/orders", body)
    expect(again.body.data.order_id).toBe(first.body.data.order_id)
    h.sandbox.configure({ duplicateMode: "reject" })
    const rejected = await h.api("POST", "/api/pay/v1/orders", body)
    expect([rejected.status, rejected.body.code]).toEqual([422, "DUPLICATE_REQUEST"])
    const hosted = await h.api("POST", "/api/checkout/v1/orders", body)
    expect(hosted.body.code).toBe("DUPLICATE_REQUEST")
  })

  it("tokens: wrong credentials, missing, unknown and expired tokens are 401 UNAUTHORIZED", async () => {
    const wrong = await h.api("POST", "/api/auth/v1/token", { client_id: "x", client_secret: "y", grant_type: "client_credentials" })
    expect([wrong.status, wrong.body.code]).toEqual([401, "UNAUTHORIZED"])
    const orderId = await h.createOrder()
    const missing = await send(`${h.sandbox.url}/api/pay/v1/orders/${orderId}`, "GET")
    expect([missing.status, missing.body.code]).toEqual([401, "UNAUTHORIZED"])
    const unknown = await h.api("GET", `/api/pay/v1/orders/${orderId}`, undefined, "nope")
    expect([unknown.status, unknown.body.code]).toEqual([401, "UNAUTHORIZED"])
    const token = await h.token()
    expect((await h.api("GET", `/api/pay/v1/orders/${orderId}`, undefined, token)).status).toBe(200)
    await h.control("POST", "/tokens/expire")
    expect((await h.api("GET", `/api/pay/v1/orders/${orderId}`, undefined, token)).status).toBe(401)
    expect((await h.api("GET", `/api/pay/v1/orders/${orderId}`, undefined, await h.token())).status).toBe(200)
  })

  it("a token lives tokenTtlSeconds by the sandbox clock, reported as expires_at when asked", async () => {
    let now = Date.parse("2025-01-01T00:00:00Z")
    const timed = await harness({ now: () => now, tokenTtlSeconds: 60, tokenExpiryField: "expires_at" })
    try {
      const answer = await timed.api("POST", "/api/auth/v1/token", { client_id: timed.sandbox.merchant.client_id, client_secret: timed.sandbox.merchant.client_secret, grant_type: "client_credentials" })
      expect(answer.body).toEqual({ access_token: expect.any(String), expires_at: "2025-01-01T00:01:00.000Z" })
      const token = answer.body.access_token
      expect((await timed.api("GET", "/api/pay/v1/orders/none", undefined, token)).status).toBe(404)
      now += 60_000
      expect((await timed.api("GET", "/api/pay/v1/orders/none", undefined, token)).status).toBe(401)
    } finally {
      await timed.sandbox.stop()
    }
  })

  it("another merchant's orders are not found; reset forgets everything", async () => {
    const other = { merchant_id: "999", client_id: "other", client_secret: "other-secret", secret_key: "AB".repeat(32), webhook_secret: "c2VjcmV0" }
    const two = await harness({ merchants: [{ ...h.sandbox.merchant }, other] })
    try {
      const orderId = await two.createOrder()
      const token = await send(`${two.sandbox.url}/api/auth/v1/token`, "POST", { client_id: "other", client_secret: "other-secret", grant_type: "client_credentials" })
      expect((await two.api("GET", `/api/pay/v1/orders/${orderId}`, undefined, token.body.access_token)).status).toBe(404)
      expect((await two.control("GET", "/orders")).body).toHaveLength(1)
      await two.control("POST", "/reset")
      expect((await two.control("GET", "/orders")).body).toEqual([])
      expect((await two.control("GET", "/health")).body).toEqual({ ok: true })
    } finally {
      await two.sandbox.stop()
    }
  })
})
