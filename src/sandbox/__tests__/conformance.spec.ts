/**
 * Every sample request in test/fixtures/plural is accepted, and each answer carries every key (recursively; the
 * first element of arrays) of the matching sample response. Answers must also parse with the shared schemas.
 */
import { HostedCheckoutResponse, Order, PaymentOptionResponse, QrPaymentResponse, TokenResponse, wrapped } from "../../plural/schemas"
import { fixture, harness, type Harness } from "./helpers"

/** Keys of `sample` missing from `actual`, as dotted paths. */
function missingKeys(sample: unknown, actual: unknown, path = ""): string[] {
  if (Array.isArray(sample)) {
    if (sample.length === 0) return Array.isArray(actual) ? [] : [path || "(root)"]
    return Array.isArray(actual) && actual.length > 0 ? missingKeys(sample[0], actual[0], `${path}[0]`) : [`${path}[0]`]
  }
  if (sample === null || typeof sample !== "object") return []
  if (actual === null || typeof actual !== "object") return [path || "(root)"]
  return Object.entries(sample).flatMap(([key, value]) => {
    const here = path ? `${path}.${key}` : key
    return key in (actual as object) ? missingKeys(value, (actual as Record<string, unknown>)[key], here) : [here]
  })
}

/**
 * The one deliberate difference: seed 001's intent sample shows a CARD payment (`payment_option.card_data`) in
 * answer to a UPI request — a documentation slip. A UPI payment carries `upi_details` there instead.
 */
const UPI_INTENT_SLIP = "data.payments[0].payment_option.card_data"

describe("sandbox conformance with the seed samples", () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(() => h.sandbox.stop())

  const seedOrder = (overrides: Record<string, unknown> = {}) => ({
    ...fixture("seed001.create-order.request"),
    merchant_order_reference: `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    ...overrides,
  })

  it("token", async () => {
    const answer = await h.api("POST", "/api/auth/v1/token", fixture("seed000.token.request"))
    // The sample's credentials are not a sandbox merchant's; the shape is checked with the sandbox's own.
    expect(answer.status).toBe(401)
    expect(answer.body.code).toBe("UNAUTHORIZED")
    const ok = await h.api("POST", "/api/auth/v1/token", {
      ...fixture("seed000.token.request"),
      client_id: h.sandbox.merchant.client_id,
      client_secret: h.sandbox.merchant.client_secret,
    })
    expect(ok.status).toBe(200)
    expect(missingKeys(fixture("seed000.token.response"), ok.body)).toEqual([])
    expect(TokenResponse.safeParse(ok.body).success).toBe(true)
  })

  it("create order", async () => {
    const answer = await h.api("POST", "/api/pay/v1/orders", { ...fixture("seed001.create-order.request") })
    expect(answer.status).toBe(200)
    expect(missingKeys(fixture("seed001.create-order.response"), answer.body)).toEqual([])
    expect(answer.body.data.merchant_order_reference).toBe("112345")
    expect(wrapped(Order).parse(answer.body).data.status).toBe("CREATED")
  })

  it("create payment: UPI intent", async () => {
    const created = await h.api("POST", "/api/pay/v1/orders", seedOrder())
    const answer = await h.api("POST", `/api/pay/v1/orders/${created.body.data.order_id}/payments`, fixture("seed001.create-payment-intent.request"))
    expect(answer.status).toBe(200)
    expect(missingKeys(fixture("seed001.create-payment-intent.response"), answer.body)).toEqual([UPI_INTENT_SLIP])
    expect(answer.body.data.payments[0].payment_option.upi_details.txn_mode).toBe("INTENT")
    expect(wrapped(Order).parse(answer.body).data.status).toBe("PENDING")
  })

  it("create payment: UPI collect", async () => {
    const created = await h.api("POST", "/api/pay/v1/orders", seedOrder({ order_amount: { value: 100, currency: "INR" } }))
    const answer = await h.api("POST", `/api/pay/v1/orders/${created.body.data.order_id}/payments`, fixture("seed001.create-payment-collect.request"))
    expect(answer.status).toBe(200)
    expect(missingKeys(fixture("seed001.create-payment-collect.response"), answer.body)).toEqual([])
    expect(wrapped(Order).parse(answer.body).data.status).toBe("PENDING")
  })

  it("create payment: UPI QR answers seed 001's unwrapped shape", async () => {
    const created = await h.api("POST", "/api/pay/v1/orders", seedOrder({ order_amount: { value: 100, currency: "INR" } }))
    const answer = await h.api("POST", `/api/pay/v1/orders/${created.body.data.order_id}/payments`, fixture("seed001.create-payment-qr.request"))
    expect(answer.status).toBe(200)
    const sample = fixture("seed001.create-payment-qr.response")
    expect(missingKeys(sample, answer.body)).toEqual([])
    expect(Object.keys(answer.body).sort()).toEqual(Object.keys(sample).sort())
    expect(QrPaymentResponse.parse(answer.body).status).toBe("INITIATED")
  })

  it("hosted checkout", async () => {
    const request = fixture("seed000.hosted-checkout.request")
    const answer = await h.api("POST", "/api/checkout/v1/orders", request)
    expect(answer.status).toBe(200)
    const sample = fixture("seed000.hosted-checkout.response")
    expect(Object.keys(answer.body).sort()).toEqual(Object.keys(sample).sort())
    const parsed = HostedCheckoutResponse.parse(answer.body)
    expect(parsed.redirect_url).toBe(`${h.sandbox.publicUrl}/api/v3/checkout-bff/redirect/checkout?token=${parsed.token}`)
    const order = await h.api("GET", `/api/pay/v1/orders/reference/${request.order_amount.merchant_order_reference}`)
    expect(order.body.data.order_id).toBe(parsed.order_id)
  })

  it("capture and cancel", async () => {
    const capturable = await h.paidOrder(seedOrder({ pre_auth: true }))
    const captured = await h.api("PUT", `/api/pay/v1/orders/${capturable}/capture`, fixture("seed000.capture.request"))
    expect(captured.status).toBe(200)
    expect(missingKeys(fixture("seed000.capture.response"), captured.body)).toEqual([])

    const cancellable = await h.paidOrder(seedOrder({ pre_auth: true }))
    const cancelled = await h.api("PUT", `/api/pay/v1/orders/${cancellable}/cancel`)
    expect(cancelled.status).toBe(200)
    expect(missingKeys(fixture("seed000.cancel.response"), cancelled.body)).toEqual([])
    expect(wrapped(Order).parse(cancelled.body).data.status).toBe("CANCELLED")
  })

  it("payment option (points) reproduces the seed's numbers", async () => {
    const answer = await h.api("POST", "/payment-option", fixture("seed000.payment-option.request"))
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual(fixture("seed000.payment-option.response"))
    expect(PaymentOptionResponse.safeParse(answer.body).success).toBe(true)
  })

  it("browser return fields", async () => {
    const success = await h.control("POST", `/orders/${await h.createOrder({ pre_auth: true })}/complete`, { outcome: "success" })
    expect(Object.keys(success.body.callback.fields).sort()).toEqual(Object.keys(fixture("seed000.callback.success")).sort())
    expect(success.body.callback.fields.payment_status).toBe("AUTHORIZED")
    const failure = await h.control("POST", `/orders/${await h.createOrder()}/complete`, { outcome: "failure", error_code: "USER_AUTHENTICATION_REQUIRED" })
    expect(Object.keys(failure.body.callback.fields).sort()).toEqual(Object.keys(fixture("seed000.callback.failure")).sort())
  })
})
