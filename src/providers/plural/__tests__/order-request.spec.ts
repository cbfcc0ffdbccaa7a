import { CreateOrderRequest, CreatePaymentRequest, HostedCheckoutRequest } from "../../../plural/schemas"
import { CHECKOUT_FLOWS } from "../../../shared/checkout-flows"
import { PluralSessionData } from "../../../shared/session-data"
import { orderRequestPlan, type OrderRequestInput } from "../order-request"

const SESSION = "payses_01JORDERREQUEST"

const input = (overrides: Partial<OrderRequestInput> = {}): OrderRequestInput => ({
  session_id: SESSION,
  attempt: 1,
  amount: 49_950,
  currency_code: "INR",
  request: { flow: "hosted" },
  options: { pre_auth: true, backend_url: "https://api.shop.example.in/", allowed_payment_methods: undefined },
  ...overrides,
})

describe("orderRequestPlan: what Plural is asked to make for a session", () => {
  it.each(CHECKOUT_FLOWS)("%s: every request is one Plural's schema accepts, and the session data is valid", (flow) => {
    const plan = orderRequestPlan(input({ request: { flow, ...(flow === "upi_collect" ? { upi_vpa: "kevin.bob@examplebank" } : {}) } }))
    expect(PluralSessionData.safeParse({ ...plan.session, plural_order_id: "v1-1" }).success).toBe(true)
    if (plan.kind === "hosted") {
      expect(HostedCheckoutRequest.safeParse(plan.checkout).success).toBe(true)
    } else {
      expect(CreateOrderRequest.safeParse(plan.order).success).toBe(true)
      expect(CreatePaymentRequest.safeParse(plan.payment).success).toBe(true)
    }
    expect(plan.kind).toBe(flow === "hosted" ? "hosted" : "upi")
  })

  it("derives the reference from Medusa's session id (attempt 2 gets a suffix), amounts in paise, lower-case currency in the session", () => {
    const first = orderRequestPlan(input())
    const second = orderRequestPlan(input({ attempt: 2 }))
    expect(first.reference).toBe(SESSION)
    expect(second.reference).toBe(`${SESSION}-2`)
    expect(first.session).toMatchObject({ amount: 49_950, currency_code: "inr", attempt: 1, merchant_order_reference: SESSION })
    if (first.kind !== "hosted") throw new Error("expected a hosted plan")
    expect(first.checkout.order_amount).toEqual({ value: 49_950, currency: "INR" })
    expect(first.checkout.callback_url).toBe("https://api.shop.example.in/hooks/plural/callback")
    expect(first.checkout.purchase_details?.merchant_metadata).toEqual({ medusa_session_id: SESSION })
  })

  it("pre-auth applies to hosted checkout only: UPI has none on Plural", () => {
    expect(orderRequestPlan(input()).pre_auth).toBe(true)
    const upi = orderRequestPlan(input({ request: { flow: "upi_intent" } }))
    expect(upi.pre_auth).toBe(false)
    if (upi.kind !== "upi") throw new Error("expected a UPI plan")
    expect(upi.order.pre_auth).toBe(false)
    expect(upi.order.allowed_payment_methods).toEqual(["UPI"])
    expect(upi.payment.payments[0]).toMatchObject({ merchant_payment_reference: `${SESSION}-pay`, payment_option: { upi_details: { txn_mode: "INTENT" } } })
  })

  it("offers POINTS only with a stored consent, on top of the merchant's list, and records when the shopper agreed", () => {
    const without = orderRequestPlan(input({ options: { pre_auth: false, backend_url: "https://a.example", allowed_payment_methods: ["CARD", "UPI"] } }))
    const withConsent = orderRequestPlan(
      input({ points_consent: { consented_at: "2026-11-30T10:00:00.000Z" }, options: { pre_auth: false, backend_url: "https://a.example", allowed_payment_methods: ["CARD", "UPI"] } })
    )
    if (without.kind !== "hosted" || withConsent.kind !== "hosted") throw new Error("expected hosted plans")
    expect(without.checkout.allowed_payment_methods).toEqual(["CARD", "UPI"])
    expect(without.session.points_consent_at).toBeUndefined()
    expect(withConsent.checkout.allowed_payment_methods).toEqual(["CARD", "UPI", "POINTS"])
    expect(withConsent.session.points_consent_at).toBe("2026-11-30T10:00:00.000Z")
  })

  it("by default offers every method but POINTS", () => {
    const plan = orderRequestPlan(input())
    if (plan.kind !== "hosted") throw new Error("expected a hosted plan")
    expect(plan.checkout.allowed_payment_methods).not.toContain("POINTS")
    expect(plan.checkout.allowed_payment_methods).toEqual(expect.arrayContaining(["CARD", "UPI", "NETBANKING"]))
  })

  it("UPI collect and QR: the shopper's VPA, or Plural's QR", () => {
    const collect = orderRequestPlan(input({ request: { flow: "upi_collect", upi_vpa: "kevin.bob@examplebank" } }))
    const qr = orderRequestPlan(input({ request: { flow: "upi_qr" } }))
    if (collect.kind !== "upi" || qr.kind !== "upi") throw new Error("expected UPI plans")
    expect(collect.payment.payments[0].payment_option?.upi_details).toEqual({ txn_mode: "COLLECT", payer: { vpa: "kevin.bob@examplebank" } })
    expect(qr.payment.payments[0].payment_option?.upi_details).toEqual({ txn_mode: "INTENT", upi_qr: true })
  })
})
