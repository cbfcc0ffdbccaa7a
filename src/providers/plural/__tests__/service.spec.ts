/**
 * The provider against a fake Plural (undici MockAgent).
 *
 * The service builds its own PluralClient with its own undici Agent and offers no dispatcher seam, and the client
 * does not use undici's global dispatcher, so `setGlobalDispatcher` cannot reach it. The tests therefore rebuild the
 * service's client from the exact options the service gave it (credentials, base URL, retry policy, its onRetry
 * logger) and add only a `dispatcher` (the MockAgent) and a `sleep` that does not wait.
 */
import type { Logger } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { errors } from "undici"
import { FakePlural as SharedFakePlural } from "../../../../test/fake-plural"
import cancelResponse from "../../../../test/fixtures/plural/seed000.cancel.response.json"
import captureResponse from "../../../../test/fixtures/plural/seed000.capture.response.json"
import hostedResponse from "../../../../test/fixtures/plural/seed000.hosted-checkout.response.json"
import tokenResponse from "../../../../test/fixtures/plural/seed000.token.response.json"
import createOrderResponse from "../../../../test/fixtures/plural/seed001.create-order.response.json"
import collectResponse from "../../../../test/fixtures/plural/seed001.create-payment-collect.response.json"
import intentResponse from "../../../../test/fixtures/plural/seed001.create-payment-intent.response.json"
import qrResponse from "../../../../test/fixtures/plural/seed001.create-payment-qr.response.json"
import { PluralClient, type PluralClientOptions } from "../../../plural/client"
import type { PluralOptions } from "../options"
import { PluralProviderService } from "../service"
import { FakeLedger } from "../../../../test/fake-ledger"
import type { PluralSessionData } from "../../../shared/session-data"

const ORIGIN = "https://plural-sandbox.test"
const CLIENT_SECRET = "s3cr3t-client-secret-value-42"
const OPAQUE_TOKEN = "opaque-access-token-7f3e9a1b"
const SESSION = "payses_01JTESTSESSION0000000000"
const UPI_ORDER_ID = "v1-240821055834-aa-ksDPRb"


class FakePlural extends SharedFakePlural {
  constructor() {
    super(ORIGIN)
  }

  /** The service may ask for a token more than once; always the same opaque one. */
  token(body: unknown = { access_token: OPAQUE_TOKEN, expires_in: 3600 }, times = 20) {
    return super.token(body, times)
  }
}

function fakeLogger() {
  const lines: string[] = []
  const record = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a))).join(" "))
  }
  const logger = {
    info: jest.fn(record),
    warn: jest.fn(record),
    error: jest.fn(record),
    debug: jest.fn(record),
    log: jest.fn(record),
    http: jest.fn(record),
    verbose: jest.fn(record),
    silly: jest.fn(record),
    panic: jest.fn(record),
    activity: jest.fn(() => "activity"),
    progress: jest.fn(),
    success: jest.fn(),
    failure: jest.fn(),
    shouldLog: jest.fn(() => true),
    setLogLevel: jest.fn(),
    unsetLogLevel: jest.fn(),
  }
  return { logger: logger as unknown as Logger, lines, mock: logger }
}

const OPTIONS: PluralOptions = {
  client_id: "1234567890",
  client_secret: CLIENT_SECRET,
  secret_key: "9A7B3C5D1E2F4051",
  webhook_secret: "YWJjMTIzNA==",
  base_url: ORIGIN,
  backend_url: "https://api.shop.example.in/",
  storefront_success_url: "https://shop.example.in/order/confirmed",
  storefront_failure_url: "https://shop.example.in/checkout",
}

/** Every log line of every test, checked for secrets at the end. */
const allLogLines: string[] = []

function setup(options: Partial<PluralOptions> = {}) {
  const fake = new FakePlural()
  const { logger, lines, mock } = fakeLogger()
  const ledger = new FakeLedger()
  const service = new PluralProviderService({ logger, pluralLedger: ledger }, { ...OPTIONS, ...options })
  const original = service.gateway.client
  const given = (original as unknown as { options: PluralClientOptions }).options
  expect(given.baseUrl).toBe(ORIGIN)
  expect(original.baseUrl).toBe(ORIGIN)
  const sleep = jest.fn(async (_ms: number) => {})
  Object.assign(service.gateway, { client: new PluralClient({ ...given, dispatcher: fake.agent, sleep }) })
  void original.close()
  afterEachLines.push(lines)
  return { fake, service, lines, logger: mock, sleep, ledger }
}
const afterEachLines: string[][] = []
afterEach(() => {
  for (const lines of afterEachLines.splice(0)) allLogLines.push(...lines)
})

const customer = {
  id: "cus_01JTEST",
  email: "kevin.bob@example.com",
  first_name: "Kevin",
  last_name: "Bob",
  phone: "+91 98765 43210",
}

const sessionData = (overrides: Partial<PluralSessionData> = {}): PluralSessionData => ({
  flow: "hosted",
  session_id: SESSION,
  plural_order_id: captureResponse.data.order_id,
  merchant_order_reference: SESSION,
  attempt: 1,
  amount: 49950,
  currency_code: "inr",
  pre_auth: true,
  ...overrides,
})

const pluralOrder = (status: string, overrides: Record<string, unknown> = {}) => ({
  data: {
    ...captureResponse.data,
    merchant_order_reference: SESSION,
    status,
    order_amount: { value: 49950, currency: "INR" },
    ...overrides,
  },
})

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

// ---- initiatePayment ------------------------------------------------------------------------------------------

describe("initiatePayment", () => {
  it("hosted checkout: reference = session id, paise, callback from backend_url, session id in metadata, no POINTS", async () => {
    const { fake, service } = setup()
    fake.token().on("POST", "/api/checkout/v1/orders", { status: 200, body: hostedResponse })
    const result = await service.initiatePayment({
      amount: 499.5,
      currency_code: "inr",
      data: {},
      context: { idempotency_key: SESSION, customer },
    } as any)

    expect(fake.requests).toEqual(["POST /api/checkout/v1/orders"])
    const body = fake.apiCalls[0].body
    expect(body.merchant_order_reference).toBe(SESSION)
    expect(body.order_amount).toEqual({ value: 49950, currency: "INR" })
    expect(body.callback_url).toBe("https://api.shop.example.in/hooks/plural/callback")
    expect(body.failure_callback_url).toBe("https://api.shop.example.in/hooks/plural/callback")
    expect(body.purchase_details.merchant_metadata).toEqual({ medusa_session_id: SESSION })
    expect(body.purchase_details.customer).toMatchObject({ email_id: "kevin.bob@example.com", mobile_number: "9876543210", country_code: "91" })
    expect(body.pre_auth).toBe(false)
    expect(body.allowed_payment_methods).not.toContain("POINTS")
    expect(body.allowed_payment_methods).toEqual(expect.arrayContaining(["CARD", "UPI", "NETBANKING"]))
    expect(fake.apiCalls[0].headers.authorization).toBe(`Bearer ${OPAQUE_TOKEN}`)

    expect(result.id).toBe(hostedResponse.order_id)
    expect(result.status).toBe("pending")
    expect(result.data).toMatchObject({
      flow: "hosted",
      session_id: SESSION,
      plural_order_id: hostedResponse.order_id,
      merchant_order_reference: SESSION,
      attempt: 1,
      amount: 49950,
      currency_code: "inr",
      redirect_url: hostedResponse.redirect_url,
    })
    expect(JSON.stringify(result.data)).not.toContain(OPAQUE_TOKEN)
  })

  it("hosted checkout: POINTS only when the merchant offers it AND the shopper's consent is stored for this cart", async () => {
    const initiate = (service: PluralProviderService, data: Record<string, unknown>, session = SESSION) =>
      service.initiatePayment({ amount: 1100, currency_code: "inr", data, context: { idempotency_key: session } } as any)

    const offered = setup({ pay_by_points: true })
    offered.fake.token().on("POST", "/api/checkout/v1/orders", { status: 200, body: hostedResponse }, 2)
    const second = `${SESSION}2`
    offered.ledger.sessionCarts.set(SESSION, "cart_1").set(second, "cart_1")
    const consent = offered.ledger.addConsent("cart_1", "cus_1")
    await initiate(offered.service, {})
    expect(offered.fake.apiCalls[0].body.allowed_payment_methods).not.toContain("POINTS")
    expect(offered.ledger.orders[0].points_consent_id).toBeNull()

    const consented = await initiate(offered.service, { points_consent_id: consent.id }, second)
    expect(offered.fake.apiCalls[1].body.allowed_payment_methods).toContain("POINTS")
    expect((consented.data as PluralSessionData).points_consent_at).toBe(consent.consented_at.toISOString())
    // The evidence: the consent names the Plural order, and the ledger row names the consent.
    expect(consent).toMatchObject({ session_id: second, merchant_order_reference: second, plural_order_id: hostedResponse.order_id })
    expect(offered.ledger.orders[1]).toMatchObject({ merchant_order_reference: second, points_consent_id: consent.id })

    const notOffered = setup({ pay_by_points: false })
    notOffered.fake.token().on("POST", "/api/checkout/v1/orders", { status: 200, body: hostedResponse })
    notOffered.ledger.sessionCarts.set(SESSION, "cart_1")
    const ignored = notOffered.ledger.addConsent("cart_1")
    await initiate(notOffered.service, { points_consent_id: ignored.id })
    expect(notOffered.fake.apiCalls[0].body.allowed_payment_methods).not.toContain("POINTS")
    expect(ignored.plural_order_id).toBeNull()
  })

  it.each([
    ["a consent that was never stored", (_ledger: FakeLedger) => "plcon_unknown"],
    ["another cart's consent", (ledger: FakeLedger) => ledger.addConsent("cart_other").id],
  ])("hosted checkout with %s is refused before anything reaches Plural or the ledger", async (_name, consentOf) => {
    const { fake, service, ledger } = setup({ pay_by_points: true })
    ledger.sessionCarts.set(SESSION, "cart_1")
    const error = await rejection(
      service.initiatePayment({ amount: 1100, currency_code: "inr", data: { points_consent_id: consentOf(ledger) }, context: { idempotency_key: SESSION } } as any)
    )
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("points_consent_id")
    expect(fake.apiCalls).toHaveLength(0)
    expect(ledger.orders).toHaveLength(0)
  })

  it("the old session boolean alone offers no POINTS", async () => {
    const { fake, service } = setup({ pay_by_points: true })
    fake.token().on("POST", "/api/checkout/v1/orders", { status: 200, body: hostedResponse })
    await service.initiatePayment({ amount: 1100, currency_code: "inr", data: { pay_by_points_consent: true }, context: { idempotency_key: SESSION } } as any)
    expect(fake.apiCalls[0].body.allowed_payment_methods).not.toContain("POINTS")
  })

  it("hosted checkout with pre_auth and a merchant's own method list", async () => {
    const { fake, service } = setup({ pre_auth: true, allowed_payment_methods: ["CARD"] })
    fake.token().on("POST", "/api/checkout/v1/orders", { status: 200, body: hostedResponse })
    const result = await service.initiatePayment({ amount: 1100, currency_code: "INR", data: {}, context: { idempotency_key: SESSION } } as any)
    expect(fake.apiCalls[0].body.pre_auth).toBe(true)
    expect(fake.apiCalls[0].body.allowed_payment_methods).toEqual(["CARD"])
    expect((result.data as PluralSessionData).pre_auth).toBe(true)
  })

  it("UPI collect: an order, then a COLLECT payment to the shopper's VPA under a derived reference", async () => {
    const { fake, service } = setup({ pre_auth: true })
    fake
      .token()
      .on("POST", "/api/pay/v1/orders", { status: 200, body: { data: { ...createOrderResponse.data, order_id: UPI_ORDER_ID, merchant_order_reference: SESSION } } })
      .on("POST", `/api/pay/v1/orders/${UPI_ORDER_ID}/payments`, { status: 200, body: collectResponse })
    const result = await service.initiatePayment({
      amount: 1,
      currency_code: "inr",
      data: { flow: "upi_collect", upi_vpa: "kevin.bob@examplebank" },
      context: { idempotency_key: SESSION, customer },
    } as any)

    expect(fake.requests).toEqual(["POST /api/pay/v1/orders", `POST /api/pay/v1/orders/${UPI_ORDER_ID}/payments`])
    const [orderCall, paymentCall] = fake.apiCalls
    expect(orderCall.body).toMatchObject({
      merchant_order_reference: SESSION,
      order_amount: { value: 100, currency: "INR" },
      pre_auth: false, // UPI has no pre-authorisation on Plural
      allowed_payment_methods: ["UPI"],
      callback_url: "https://api.shop.example.in/hooks/plural/callback",
      purchase_details: { merchant_metadata: { medusa_session_id: SESSION } },
    })
    expect(paymentCall.body).toEqual({
      payments: [
        {
          merchant_payment_reference: `${SESSION}-pay`,
          payment_method: "UPI",
          payment_amount: { value: 100, currency: "INR" },
          payment_option: { upi_details: { txn_mode: "COLLECT", payer: { vpa: "kevin.bob@examplebank" } } },
        },
      ],
    })
    expect(result).toMatchObject({ id: UPI_ORDER_ID, status: "pending" })
    expect(result.data).toMatchObject({ flow: "upi_collect", plural_order_id: UPI_ORDER_ID, plural_status: "PENDING", pre_auth: false, amount: 100 })
  })

  it("UPI intent and QR: the challenge URL and (QR) the image, from either response shape", async () => {
    const intent = setup()
    intent.fake
      .token()
      .on("POST", "/api/pay/v1/orders", { status: 200, body: { data: { ...createOrderResponse.data, order_id: UPI_ORDER_ID } } })
      .on("POST", `/api/pay/v1/orders/${UPI_ORDER_ID}/payments`, { status: 200, body: intentResponse })
    const a = await intent.service.initiatePayment({ amount: 11, currency_code: "inr", data: { flow: "upi_intent" }, context: { idempotency_key: SESSION } } as any)
    expect(intent.fake.apiCalls[1].body.payments[0].payment_option.upi_details).toEqual({ txn_mode: "INTENT" })
    expect((a.data as PluralSessionData).challenge_url).toBe(intentResponse.data.challenge_url)

    const qr = setup()
    qr.fake
      .token()
      .on("POST", "/api/pay/v1/orders", { status: 200, body: { data: { ...createOrderResponse.data, order_id: UPI_ORDER_ID } } })
      .on("POST", `/api/pay/v1/orders/${UPI_ORDER_ID}/payments`, { status: 200, body: qrResponse })
    const b = await qr.service.initiatePayment({ amount: 11, currency_code: "inr", data: { flow: "upi_qr" }, context: { idempotency_key: SESSION } } as any)
    expect(qr.fake.apiCalls[1].body.payments[0].payment_option.upi_details).toEqual({ txn_mode: "INTENT", upi_qr: true })
    expect(b.data).toMatchObject({ image_url: qrResponse.image_url, challenge_url: qrResponse.challenge_url, plural_status: "PENDING" })
  })

  it("UPI collect without a VPA is an error naming upi_vpa, before any call", async () => {
    const { fake, service } = setup()
    const error = await rejection(
      service.initiatePayment({ amount: 11, currency_code: "inr", data: { flow: "upi_collect" }, context: { idempotency_key: SESSION } } as any)
    )
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.message).toContain("upi_vpa")
    expect(fake.calls).toHaveLength(0)
  })

  it("an invalid VPA is rejected before any call", async () => {
    const { fake, service } = setup()
    const error = await rejection(
      service.initiatePayment({
        amount: 11,
        currency_code: "inr",
        data: { flow: "upi_collect", upi_vpa: "not a vpa" },
        context: { idempotency_key: SESSION },
      } as any)
    )
    expect(error.message).toContain("upi_vpa")
    expect(fake.calls).toHaveLength(0)
  })

  it("a non-INR currency is a clear error, before any call", async () => {
    const { fake, service } = setup()
    const error = await rejection(service.initiatePayment({ amount: 10, currency_code: "usd", data: {}, context: { idempotency_key: SESSION } } as any))
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("USD")
    expect(error.message).toContain("INR")
    expect(fake.calls).toHaveLength(0)
  })

  it("no session id (idempotency key) is a clear error", async () => {
    const { fake, service } = setup()
    const error = await rejection(service.initiatePayment({ amount: 10, currency_code: "inr", data: {}, context: {} } as any))
    expect(error.message).toContain("idempotency_key")
    expect(fake.calls).toHaveLength(0)
  })

  it("an amount under ₹1 is refused without calling Plural", async () => {
    const { fake, service } = setup()
    const error = await rejection(service.initiatePayment({ amount: 0.99, currency_code: "inr", data: {}, context: { idempotency_key: SESSION } } as any))
    expect(error).toBeInstanceOf(MedusaError)
    expect(fake.apiCalls).toHaveLength(0)
  })
})

// ---- authorizePayment -----------------------------------------------------------------------------------------

describe("authorizePayment", () => {
  it.each([
    ["AUTHORIZED", "authorized"],
    ["PROCESSED", "captured"],
    ["PENDING", "pending"],
    ["CREATED", "pending"],
  ])("Plural %s → %s", async (plural, medusa) => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${captureResponse.data.order_id}`, { status: 200, body: pluralOrder(plural, { payments: [] }) })
    const result = await service.authorizePayment({ data: sessionData() } as any)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${captureResponse.data.order_id}`])
    expect(result.status).toBe(medusa)
    expect(result.data).toMatchObject({ plural_status: plural })
    expect(result.data).not.toHaveProperty("failure")
  })

  it("FAILED → error, with Plural's failure for the storefront", async () => {
    const { fake, service } = setup()
    const failed = pluralOrder("FAILED", {
      payments: [{ ...captureResponse.data.payments[0], status: "FAILED", error_detail: { code: "PAYMENT_DECLINED", message: "Declined by the bank" } }],
    })
    fake.token().on("GET", `/api/pay/v1/orders/${captureResponse.data.order_id}`, { status: 200, body: failed })
    const result = await service.authorizePayment({ data: sessionData() } as any)
    expect(result.status).toBe("error")
    expect(result.data).toMatchObject({ plural_status: "FAILED", failure: { code: "PAYMENT_DECLINED", message: "Declined by the bank" } })
  })

  it("FAILED without detail still carries a failure", async () => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${captureResponse.data.order_id}`, { status: 200, body: pluralOrder("FAILED", { payments: [] }) })
    const result = await service.authorizePayment({ data: sessionData() } as any)
    expect(result.status).toBe("error")
    expect((result.data as PluralSessionData).failure?.code).toBe("FAILED")
  })

  it.each([
    ["a different amount", { value: 100, currency: "INR" }, "PROCESSED"],
    ["a different amount (authorized)", { value: 49951, currency: "INR" }, "AUTHORIZED"],
    ["a different currency", { value: 49950, currency: "USD" }, "PROCESSED"],
  ])("%s is an error, never authorized", async (_name, amount, status) => {
    const { fake, service, logger } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${captureResponse.data.order_id}`, { status: 200, body: pluralOrder(status, { order_amount: amount }) })
    const result = await service.authorizePayment({ data: sessionData() } as any)
    expect(result.status).toBe("error")
    expect((result.data as PluralSessionData).failure?.code).toBe("AMOUNT_MISMATCH")
    expect(logger.error).toHaveBeenCalled()
  })

  it("a session the provider did not create is a clear error", async () => {
    const { fake, service } = setup()
    const error = await rejection(service.authorizePayment({ data: {} } as any))
    expect(error).toBeInstanceOf(MedusaError)
    expect(fake.calls).toHaveLength(0)
  })

  it("Plural being down is an UNEXPECTED_STATE error with the Request-ID, after retries", async () => {
    const { fake, service, sleep, lines } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${captureResponse.data.order_id}`, { status: 503, body: { code: "UNAVAILABLE", message: "down" } }, 3)
    const error = await rejection(service.authorizePayment({ data: sessionData() } as any))
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    const requestId = fake.apiCalls[0].headers["request-id"]
    expect(error.message).toContain(requestId)
    expect(sleep).toHaveBeenCalledTimes(2)
    expect(lines.filter((l) => l.includes("retry"))).toHaveLength(2)
  })
})

// ---- capture / cancel / refund --------------------------------------------------------------------------------

describe("capturePayment", () => {
  const ORDER = captureResponse.data.order_id

  it("an order Plural already shows PROCESSED is captured without a capture call", async () => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("PROCESSED") })
    const result = await service.capturePayment({ data: sessionData(), context: { idempotency_key: "capt_01" } } as any)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`])
    expect(result.data).toMatchObject({ plural_status: "PROCESSED" })
  })

  it("an AUTHORIZED order is captured under Medusa's capture id", async () => {
    const { fake, service } = setup()
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("AUTHORIZED") })
      .on("PUT", `/api/pay/v1/orders/${ORDER}/capture`, { status: 200, body: captureResponse })
    const result = await service.capturePayment({ data: sessionData(), context: { idempotency_key: "capt_01" } } as any)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`, `PUT /api/pay/v1/orders/${ORDER}/capture`])
    expect(fake.apiCalls[1].body).toEqual({ merchant_capture_reference: "capt_01" })
    expect(result.data).toMatchObject({ plural_status: "PROCESSED", capture_reference: "capt_01" })
  })

  it("a PENDING order cannot be captured", async () => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("PENDING") })
    const error = await rejection(service.capturePayment({ data: sessionData(), context: { idempotency_key: "capt_01" } } as any))
    expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(fake.apiCalls).toHaveLength(1)
  })
})

describe("updatePayment", () => {
  const ORDER = captureResponse.data.order_id

  it("the same amount changes nothing and calls nobody", async () => {
    const { fake, service } = setup()
    const result = await service.updatePayment({ amount: 499.5, currency_code: "inr", data: sessionData() } as any)
    expect(fake.requests).toEqual([])
    expect(result.data).toMatchObject({ plural_order_id: ORDER, attempt: 1 })
  })

  it("a new amount on an unpaid order makes a new order under the next attempt's reference", async () => {
    const { fake, service } = setup()
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("CREATED") })
      .on("POST", "/api/checkout/v1/orders", { status: 200, body: { token: "t", order_id: "v1-second", redirect_url: `${ORIGIN}/pay` } })
    const result = await service.updatePayment({ amount: 600, currency_code: "inr", data: sessionData() } as any)
    expect(fake.apiCalls[1].body).toMatchObject({ merchant_order_reference: `${SESSION}-2`, order_amount: { value: 60000 } })
    expect(result.data).toMatchObject({ plural_order_id: "v1-second", attempt: 2, amount: 60000 })
  })

  it("a new amount on a paid order is refused: the shopper paid the old one", async () => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("PROCESSED") })
    const error = await rejection(service.updatePayment({ amount: 600, currency_code: "inr", data: sessionData() } as any))
    expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`])
  })
})

describe("cancelPayment", () => {
  const ORDER = captureResponse.data.order_id

  it("a PROCESSED order is an error: no cancel, and no refund in disguise", async () => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("PROCESSED") })
    const error = await rejection(service.cancelPayment({ data: sessionData() } as any))
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(error.message).toMatch(/[Rr]efund/)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`])
  })

  it("an AUTHORIZED order is cancelled", async () => {
    const { fake, service } = setup()
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("AUTHORIZED") })
      .on("PUT", `/api/pay/v1/orders/${ORDER}/cancel`, { status: 200, body: cancelResponse })
    const result = await service.cancelPayment({ data: sessionData() } as any)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`, `PUT /api/pay/v1/orders/${ORDER}/cancel`])
    expect(fake.apiCalls[1].body).toBeUndefined()
    expect(result.data).toMatchObject({ plural_status: "CANCELLED" })
  })

  it("a lost cancel answer is settled by reading the order, not by cancelling twice", async () => {
    const { fake, service } = setup()
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("AUTHORIZED") })
      .fail("PUT", `/api/pay/v1/orders/${ORDER}/cancel`, new errors.SocketError("other side closed"))
      .on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("CANCELLED") })
    const result = await service.cancelPayment({ data: sessionData() } as any)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`, `GET /api/pay/v1/orders/${ORDER}`])
    expect(result.data).toMatchObject({ plural_status: "CANCELLED" })
  })

  it("a never-paid order needs no call", async () => {
    const { fake, service } = setup()
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 200, body: pluralOrder("CREATED") })
    const result = await service.cancelPayment({ data: sessionData() } as any)
    expect(fake.requests).toEqual([`GET /api/pay/v1/orders/${ORDER}`])
    expect(result.data).toMatchObject({ plural_status: "CREATED" })
  })
})

describe("refundPayment", () => {
  const ORDER = captureResponse.data.order_id
  const refundBody = (reference: string, value: number) => ({
    data: {
      order_id: "v1-refund-77",
      parent_order_id: ORDER,
      merchant_order_reference: reference,
      type: "REFUND",
      status: "PROCESSED",
      order_amount: { value, currency: "INR" },
      payments: [],
    },
  })

  it("refunds under Medusa's refund id, amount in paise in order_amount", async () => {
    const { fake, service } = setup()
    fake.token().on("POST", `/api/pay/v1/refunds/${ORDER}`, { status: 200, body: refundBody("ref_01JREFUND", 10025) })
    const result = await service.refundPayment({ amount: 100.25, data: sessionData(), context: { idempotency_key: "ref_01JREFUND" } } as any)
    expect(fake.requests).toEqual([`POST /api/pay/v1/refunds/${ORDER}`])
    expect(fake.apiCalls[0].body).toEqual({ merchant_order_reference: "ref_01JREFUND", order_amount: { value: 10025, currency: "INR" } })
    expect((result.data as PluralSessionData).refunds).toEqual([
      { reference: "ref_01JREFUND", plural_refund_id: "v1-refund-77", amount: 10025, status: "PROCESSED" },
    ])
  })

  it("a retried refund (same refund id) is answered from the ledger: one call, one record", async () => {
    const { fake, service } = setup()
    fake.token().on("POST", `/api/pay/v1/refunds/${ORDER}`, { status: 200, body: refundBody("ref_1", 500) }, 1)
    const first = await service.refundPayment({ amount: 5, data: sessionData(), context: { idempotency_key: "ref_1" } } as any)
    const second = await service.refundPayment({ amount: 5, data: first.data, context: { idempotency_key: "ref_1" } } as any)
    expect(fake.apiCalls.map((c) => c.body?.merchant_order_reference ?? c.path)).toEqual(["ref_1"])
    expect((second.data as PluralSessionData).refunds).toHaveLength(1)
  })

  it("a lost answer is read back by the refund's reference: success, and no second refund", async () => {
    const { fake, service, ledger } = setup({ retries: { max: 0 } })
    fake.token().on("POST", `/api/pay/v1/refunds/${ORDER}`, { status: 504, body: { code: "GATEWAY_TIMEOUT", message: "timeout" } })
    fake.on("GET", "/api/pay/v1/orders/reference/ref_lost", { status: 200, body: refundBody("ref_lost", 500) })
    const result = await service.refundPayment({ amount: 5, data: sessionData(), context: { idempotency_key: "ref_lost" } } as any)
    expect((result.data as PluralSessionData).refunds).toEqual([expect.objectContaining({ reference: "ref_lost", status: "PROCESSED" })])
    expect(ledger.refunds).toEqual([expect.objectContaining({ reference: "ref_lost", status: "processed", medusa_refund_id: "ref_lost" })])
  })

  it("an unknown outcome is reported truthfully; the admin's retry under a new id is matched, never paid twice", async () => {
    const { fake, service, ledger } = setup({ retries: { max: 0 } })
    fake.token().on("POST", `/api/pay/v1/refunds/${ORDER}`, { status: 504, body: { code: "GATEWAY_TIMEOUT", message: "timeout" } }, 1)
    fake.on("GET", "/api/pay/v1/orders/reference/ref_a", { status: 503, body: { code: "SERVICE_UNAVAILABLE", message: "down" } }, 1)
    const error = await rejection(service.refundPayment({ amount: 5, data: sessionData(), context: { idempotency_key: "ref_a" } } as any))
    expect(error.message).toMatch(/cannot tell yet whether the refund of INR 5.00 was made/)
    expect(ledger.refunds[0]).toMatchObject({ status: "unknown", reported_error: true, medusa_refund_id: null })

    // Plural answers again: the earlier refund exists, so the retry (a new Medusa refund id) records it instead.
    fake.on("GET", "/api/pay/v1/orders/reference/ref_a", { status: 200, body: refundBody("ref_a", 500) })
    const retried = await service.refundPayment({ amount: 5, data: sessionData(), context: { idempotency_key: "ref_b" } } as any)
    expect(fake.apiCalls.filter((c) => c.method === "POST").map((c) => c.body?.merchant_order_reference)).toEqual(["ref_a"])
    expect(ledger.refunds).toEqual([expect.objectContaining({ reference: "ref_a", status: "processed", medusa_refund_id: "ref_b" })])
    expect((retried.data as PluralSessionData).refunds).toEqual([expect.objectContaining({ reference: "ref_a", amount: 500 })])
  })

  it("while an earlier refund's outcome is still unknown, a new one is refused without calling Plural", async () => {
    const { fake, service, ledger } = setup({ retries: { max: 0 } })
    await ledger.recordRefundRequest({ plural_order_id: ORDER, reference: "ref_old", amount: 700, currency_code: "inr", source: "medusa", status: "unknown" })
    fake.token().on("GET", "/api/pay/v1/orders/reference/ref_old", { status: 503, body: { code: "SERVICE_UNAVAILABLE", message: "down" } })
    const error = await rejection(service.refundPayment({ amount: 5, data: sessionData(), context: { idempotency_key: "ref_new" } } as any))
    expect(error.message).toMatch(/earlier refund of INR 7.00 .* not confirmed by Plural yet.*Nothing was refunded now/)
    expect(fake.apiCalls.some((c) => c.method === "POST")).toBe(false)
  })

  it("while the plugin records a refund Plural already made, a refund of that amount is not paid out (its mark on the payment may be lost)", async () => {
    const { fake, service, ledger } = setup({ retries: { max: 0 } })
    const { refund } = await ledger.recordRefundRequest({ plural_order_id: ORDER, reference: "ref_webhook", amount: 500, currency_code: "inr", source: "medusa", status: "processed" })
    // Claimed by another instance's admin retry meanwhile; the recording call then arrives without its mark.
    refund.medusa_refund_id = "ref_admin_retry"
    refund.recording_until = new Date(Date.now() + 60_000)
    fake.token()
    const error = await rejection(service.refundPayment({ amount: 5, data: sessionData(), context: { idempotency_key: "ref_recording" } } as any))
    expect(error.message).toMatch(/refund of INR 5.00 that Plural already made \(reference ref_webhook\) is being recorded.*Nothing was refunded/)
    expect(fake.apiCalls.some((c) => c.method === "POST")).toBe(false)
    expect(ledger.refunds).toHaveLength(1)

    // Another amount, or once the recording is over, is a refund like any other.
    fake.on("POST", `/api/pay/v1/refunds/${ORDER}`, { status: 200, body: refundBody("ref_other", 700) }, 1)
    await service.refundPayment({ amount: 7, data: sessionData(), context: { idempotency_key: "ref_other" } } as any)
    expect(fake.apiCalls.filter((c) => c.method === "POST").map((c) => c.body?.merchant_order_reference)).toEqual(["ref_other"])
  })

  it("without a refund id there is no refund", async () => {
    const { fake, service } = setup()
    const error = await rejection(service.refundPayment({ amount: 5, data: sessionData(), context: {} } as any))
    expect(error).toBeInstanceOf(MedusaError)
    expect(fake.calls).toHaveLength(0)
  })
})

// ---- Logs -----------------------------------------------------------------------------------------------------

describe("logging", () => {
  it("errors Plural echoes with the secret or the token are logged without them", async () => {
    const { fake, service, lines } = setup()
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${captureResponse.data.order_id}`, {
        status: 400,
        body: { code: "INVALID_REQUEST", message: `token ${OPAQUE_TOKEN} / secret ${CLIENT_SECRET} not accepted` },
      })
    const error = await rejection(service.authorizePayment({ data: sessionData() } as any))
    expect(lines.length).toBeGreaterThan(0)
    for (const text of [...lines, error.message]) {
      expect(text).not.toContain(OPAQUE_TOKEN)
      expect(text).not.toContain(CLIENT_SECRET)
    }
  })

  it("bad credentials are logged without the secret", async () => {
    const { fake, service, lines } = setup()
    fake.on("POST", "/api/auth/v1/token", { status: 401, body: { code: "UNAUTHORIZED", message: `bad secret ${CLIENT_SECRET}` } })
    const error = await rejection(service.authorizePayment({ data: sessionData() } as any))
    expect(error).toBeInstanceOf(MedusaError)
    for (const text of [...lines, error.message]) expect(text).not.toContain(CLIENT_SECRET)
  })

  it("no log line of any test contains the client secret or an access token", () => {
    expect(allLogLines.length).toBeGreaterThan(3)
    for (const line of allLogLines) {
      expect(line).not.toContain(CLIENT_SECRET)
      expect(line).not.toContain(OPAQUE_TOKEN)
      expect(line).not.toContain(tokenResponse.access_token)
      expect(line).not.toMatch(/Bearer [A-Za-z0-9]/)
    }
  })
})
