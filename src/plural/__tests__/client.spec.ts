import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { errors as undiciErrors } from "undici"
import { type Recorded, FakePlural as SharedFakePlural } from "../../../test/fake-plural"
import cancelResponse from "../../../test/fixtures/plural/seed000.cancel.response.json"
import captureRequest from "../../../test/fixtures/plural/seed000.capture.request.json"
import captureResponse from "../../../test/fixtures/plural/seed000.capture.response.json"
import hostedRequest from "../../../test/fixtures/plural/seed000.hosted-checkout.request.json"
import hostedResponse from "../../../test/fixtures/plural/seed000.hosted-checkout.response.json"
import pointsRequest from "../../../test/fixtures/plural/seed000.payment-option.request.json"
import pointsResponse from "../../../test/fixtures/plural/seed000.payment-option.response.json"
import tokenRequest from "../../../test/fixtures/plural/seed000.token.request.json"
import tokenResponse from "../../../test/fixtures/plural/seed000.token.response.json"
import createOrderRequest from "../../../test/fixtures/plural/seed001.create-order.request.json"
import createOrderResponse from "../../../test/fixtures/plural/seed001.create-order.response.json"
import collectRequest from "../../../test/fixtures/plural/seed001.create-payment-collect.request.json"
import collectResponse from "../../../test/fixtures/plural/seed001.create-payment-collect.response.json"
import intentRequest from "../../../test/fixtures/plural/seed001.create-payment-intent.request.json"
import intentResponse from "../../../test/fixtures/plural/seed001.create-payment-intent.response.json"
import qrRequest from "../../../test/fixtures/plural/seed001.create-payment-qr.request.json"
import qrResponse from "../../../test/fixtures/plural/seed001.create-payment-qr.response.json"
import { PLURAL_BASE_URLS, PluralClient, type PluralClientOptions } from "../client"
import {
  PluralApiError,
  PluralAuthenticationError,
  PluralError,
  PluralNetworkError,
  PluralRequestError,
  PluralResponseError,
} from "../errors"
import { Order, RefundOrder, wrapped } from "../schemas"
import { thrown } from "./thrown"

// ---- A fake Plural on undici's MockAgent ----------------------------------------------------------------------

const ORIGIN = "https://plural.test"
const CLIENT_ID = tokenRequest.client_id
const CLIENT_SECRET = tokenRequest.client_secret
const ACCESS_TOKEN = tokenResponse.access_token
const OPAQUE_TOKEN = "opaqueTok3nValue9f8e7d6c5b4a"
const CARD_NUMBER = pointsRequest.payment_option.points_card_details.card_number
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

class FakePlural extends SharedFakePlural {
  constructor(origin = ORIGIN) {
    super(origin)
  }

  token(body: unknown = { access_token: ACCESS_TOKEN, expires_in: 3600 }, times = 1) {
    return super.token(body, times)
  }
}

function makeClient(fake: FakePlural, extra: Partial<PluralClientOptions> = {}) {
  const sleep = jest.fn(async (_ms: number) => {})
  const onRetry = jest.fn()
  const client = new PluralClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: fake.origin,
    dispatcher: fake.agent,
    sleep,
    onRetry,
    ...extra,
  })
  return { client, sleep, onRetry }
}

function expectNoSecrets(error: unknown, ...extra: string[]) {
  const texts = [(error as Error).message, JSON.stringify(error), String(error)]
  for (const text of texts) {
    for (const secret of [CLIENT_SECRET, ACCESS_TOKEN, OPAQUE_TOKEN, CARD_NUMBER, ...extra]) {
      expect(text).not.toContain(secret)
    }
  }
}

const order = (overrides: Record<string, unknown> = {}) => ({
  data: { ...captureResponse.data, ...overrides },
})

const refundOrder = (reference: string, overrides: Record<string, unknown> = {}) => ({
  data: {
    order_id: "v1-refund-0001",
    parent_order_id: captureResponse.data.order_id,
    merchant_order_reference: reference,
    type: "REFUND",
    status: "PROCESSED",
    order_amount: { value: 500, currency: "INR" },
    payments: [],
    ...overrides,
  },
})

const ORDER_ID = captureResponse.data.order_id
const VALID_ORDER = {
  merchant_order_reference: "payses_01HZX",
  order_amount: { value: 49950, currency: "INR" },
}

// ---- Every call -----------------------------------------------------------------------------------------------

describe("PluralClient calls", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural()
  })

  const expectAuthorised = (call: Recorded) => {
    expect(call.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`)
    expect(call.headers["request-id"]).toMatch(UUID)
    expect(call.headers["content-type"]).toBe("application/json")
    expect(Number.isNaN(Date.parse(call.headers["request-timestamp"]))).toBe(false)
  }

  /**
   * One authorised call that Plural answers with `body`: `run` makes it on a fresh client. Checks the request's
   * method, path and headers; answers what `run` returned and the request Plural got.
   */
  async function exchange<T>(
    method: string,
    path: string,
    body: unknown,
    run: (client: PluralClient) => Promise<T>,
    on: { plural?: FakePlural; options?: Partial<PluralClientOptions> } = {}
  ): Promise<{ result: T; call: Recorded }> {
    const plural = on.plural ?? fake
    plural.token().on(method, path, { status: 200, body })
    const { client } = makeClient(plural, on.options)
    const result = await run(client)
    const [call] = plural.apiCalls
    expect(call.method).toBe(method)
    expect(call.path).toBe(path)
    expectAuthorised(call)
    return { result, call }
  }

  it("generates a token with the documented body, and no bearer on the token call", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client } = makeClient(fake)
    await client.getOrder(ORDER_ID)
    const [tokenCall] = fake.to("/api/auth/v1/token")
    expect(tokenCall.method).toBe("POST")
    expect(tokenCall.body).toEqual({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: "client_credentials" })
    expect(tokenCall.body).toEqual(tokenRequest)
    expect(tokenCall.headers.authorization).toBeUndefined()
    expect(tokenCall.headers["request-id"]).toMatch(UUID)
  })

  it("accepts a token response with expires_at instead of expires_in", async () => {
    fake
      .token({ access_token: OPAQUE_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 2)
    const { client } = makeClient(fake)
    await client.getOrder(ORDER_ID)
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(1)
    expect(fake.apiCalls.map((c) => c.headers.authorization)).toEqual([`Bearer ${OPAQUE_TOKEN}`, `Bearer ${OPAQUE_TOKEN}`])
  })

  it("rejects a token response with neither expires_in nor expires_at", async () => {
    fake.token({ access_token: OPAQUE_TOKEN })
    const { client } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralResponseError)
    expect(fake.apiCalls).toHaveLength(0)
    expectNoSecrets(error)
  })

  it("createOrder: seed 001 request and response", async () => {
    const { result: created, call } = await exchange("POST", "/api/pay/v1/orders", createOrderResponse, (client) =>
      client.createOrder(createOrderRequest as any)
    )
    // Seed 001 sends the reference as a number; the client sends the string.
    expect(call.body).toEqual({ ...createOrderRequest, merchant_order_reference: "112345" })
    expect(created.order_id).toBe("v1-4405071524-aa-qlAtAf")
    expect(created.status).toBe("CREATED")
    expect(created.type).toBe("CHARGE")
    expect(created.merchant_order_reference).toBe("112345")
    expect(created.order_amount).toEqual({ value: 1100, currency: "INR" })
    expect(created.payments).toEqual([])
    expect(created.purchase_details?.customer?.email_id).toBe("kevin.bob@example.com")
  })

  it("createPayment (UPI intent): seed 001 request and wrapped response", async () => {
    const { result, call } = await exchange("POST", "/api/pay/v1/orders/v1-4405071524-aa-qlAtAf/payments", intentResponse, (client) =>
      client.createPayment("v1-4405071524-aa-qlAtAf", intentRequest as any)
    )
    expect(call.body).toEqual(intentRequest)
    expect(result.order_id).toBe("v1-4405071524-aa-qlAtAf")
    expect(result.order?.status).toBe("PENDING")
    expect(result.challenge_url).toBe(intentResponse.data.challenge_url)
    expect(result.order?.payments[0].id).toBe("v1-5307071124-aa-dmkVNf-cc-c")
  })

  it("createPayment (UPI collect): seed 001 request and response", async () => {
    fake.token().on("POST", "/api/pay/v1/orders/v1-240821055834-aa-ksDPRb/payments", { status: 200, body: collectResponse })
    const { client } = makeClient(fake)
    const result = await client.createPayment("v1-240821055834-aa-ksDPRb", collectRequest as any)
    expect(fake.apiCalls[0].body).toEqual(collectRequest)
    expect(fake.apiCalls[0].body.payments[0].payment_option.upi_details.payer.vpa).toBe("kevin.bob@examplebank.com")
    expect(result.order?.status).toBe("PENDING")
    expect(result.order?.payments[0].payment_method).toBe("UPI")
    expect(result.challenge_url).toBeUndefined()
  })

  it("createPayment (UPI QR): seed 001's unwrapped QR response", async () => {
    fake.token().on("POST", "/api/pay/v1/orders/v1-qr-1/payments", { status: 200, body: qrResponse })
    const { client } = makeClient(fake)
    const result = await client.createPayment("v1-qr-1", qrRequest as any)
    expect(fake.apiCalls[0].body).toEqual(qrRequest)
    expect(fake.apiCalls[0].body.payments[0].payment_option.upi_details).toEqual({ txn_mode: "INTENT", upi_qr: true })
    expect(result).toEqual({
      order_id: "v1-qr-1",
      challenge_url: "https://acs.domain/authenticate",
      image_url: "Presigned Url to qr image in s3 bucket",
    })
  })

  it("createPayment refuses a UPI collect without a VPA, before any HTTP call", async () => {
    const { client } = makeClient(fake)
    const body = { payments: [{ payment_method: "UPI", payment_amount: { value: 100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "COLLECT" } } }] }
    const error = await thrown(() => client.createPayment("v1-x", body as any))
    expect(error).toBeInstanceOf(PluralRequestError)
    expect(error.message).toContain("vpa")
    expect(fake.calls).toHaveLength(0)
  })

  it("createHostedCheckout: seed 000 request (nested reference moved up) and response", async () => {
    const { result, call } = await exchange("POST", "/api/checkout/v1/orders", hostedResponse, (client) =>
      client.createHostedCheckout(hostedRequest as any)
    )
    expect(call.body.merchant_order_reference).toBe("819e2785-155d-4cbf-ab20-a8ed5111c0f12")
    expect(call.body.order_amount).toEqual({ value: 1100, currency: "INR" })
    expect(call.body.purchase_details).toEqual(hostedRequest.purchase_details)
    expect(result).toEqual(hostedResponse)
    expect(result.redirect_url).toContain("token=")
  })

  it("createHostedCheckout refuses a request with no merchant reference at all", async () => {
    const { client } = makeClient(fake)
    const error = await thrown(() => client.createHostedCheckout({ order_amount: { value: 1100, currency: "INR" } } as any))
    expect(error).toBeInstanceOf(PluralRequestError)
    expect(error.message).toContain("merchant_order_reference")
    expect(fake.calls).toHaveLength(0)
  })

  it("getOrder and getOrderByReference: GET with the id / reference in the path", async () => {
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: cancelResponse })
      .on("GET", "/api/pay/v1/orders/reference/f4548bbf-a029-43d3-9209-e3385c80b1e9", { status: 200, body: captureResponse })
    const { client } = makeClient(fake)
    const byId = await client.getOrder(ORDER_ID)
    const byRef = await client.getOrderByReference("f4548bbf-a029-43d3-9209-e3385c80b1e9")
    expect(fake.apiCalls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["GET", `/api/pay/v1/orders/${ORDER_ID}`, undefined],
      ["GET", "/api/pay/v1/orders/reference/f4548bbf-a029-43d3-9209-e3385c80b1e9", undefined],
    ])
    fake.apiCalls.forEach(expectAuthorised)
    expect(byId.status).toBe("CANCELLED")
    expect(byRef.status).toBe("PROCESSED")
    expect(byRef.payments[0].capture_data?.[0].capture_amount.value).toBe(1100)
    expect(byRef.payments[0].acquirer_data?.rrn).toBe("420145000226")
  })

  it("encodes an order id into the path", async () => {
    fake.token().on("GET", "/api/pay/v1/orders/a%2Fb%3Fc", { status: 200, body: order() })
    const { client } = makeClient(fake)
    await client.getOrder("a/b?c")
    expect(fake.apiCalls[0].path).toBe("/api/pay/v1/orders/a%2Fb%3Fc")
  })

  it("captureOrder: PUT with seed 000's body, parses the processed order", async () => {
    const { result: captured, call } = await exchange("PUT", `/api/pay/v1/orders/${ORDER_ID}/capture`, captureResponse, (client) =>
      client.captureOrder(ORDER_ID, captureRequest)
    )
    expect(call.body).toEqual({ merchant_capture_reference: "merchant-capture-ref-r4y" })
    expect(captured.status).toBe("PROCESSED")
    expect(captured.pre_auth).toBe(true)
  })

  it("captureOrder sends a partial capture amount", async () => {
    fake.token().on("PUT", `/api/pay/v1/orders/${ORDER_ID}/capture`, { status: 200, body: captureResponse })
    const { client } = makeClient(fake)
    await client.captureOrder(ORDER_ID, { merchant_capture_reference: "capt_1", capture_amount: { value: 600, currency: "INR" } })
    expect(fake.apiCalls[0].body).toEqual({ merchant_capture_reference: "capt_1", capture_amount: { value: 600, currency: "INR" } })
  })

  it("cancelOrder: PUT with no body, parses the cancelled order", async () => {
    const { result: cancelled, call } = await exchange("PUT", `/api/pay/v1/orders/${ORDER_ID}/cancel`, cancelResponse, (client) =>
      client.cancelOrder(ORDER_ID)
    )
    expect(call.body).toBeUndefined()
    expect(cancelled.status).toBe("CANCELLED")
    expect(cancelled.payments[0].status).toBe("CANCELLED")
  })

  it("refundOrder: POST with order_amount (the docs' field), parses the refund order", async () => {
    const { result: refund, call } = await exchange("POST", `/api/pay/v1/refunds/${ORDER_ID}`, refundOrder("refund_01"), (client) =>
      client.refundOrder(ORDER_ID, { merchant_order_reference: "refund_01", order_amount: { value: 500, currency: "INR" } })
    )
    expect(call.body).toEqual({ merchant_order_reference: "refund_01", order_amount: { value: 500, currency: "INR" } })
    expect(call.body).not.toHaveProperty("refund_amount")
    expect(refund).toMatchObject({ type: "REFUND", status: "PROCESSED", parent_order_id: ORDER_ID, order_id: "v1-refund-0001" })
  })

  it("refundOrder maps the plugins' refund_amount alias onto order_amount", async () => {
    fake.token().on("POST", `/api/pay/v1/refunds/${ORDER_ID}`, { status: 200, body: refundOrder("refund_02") })
    const { client } = makeClient(fake)
    await client.refundOrder(ORDER_ID, { merchant_order_reference: "refund_02", refund_amount: { value: 700, currency: "INR" } })
    expect(fake.apiCalls[0].body.order_amount).toEqual({ value: 700, currency: "INR" })
    expect(fake.apiCalls[0].body.refund_amount).toBeUndefined()
  })

  it("checkPointsBalance: POST /payment-option at the host root, seed 000 request and response", async () => {
    const { result, call } = await exchange("POST", "/payment-option", pointsResponse, (client) => client.checkPointsBalance(pointsRequest), {
      plural: new FakePlural("https://proxy.test"),
      options: { baseUrl: "https://proxy.test/" },
    })
    expect(call.body).toEqual(pointsRequest)
    expect(result).toEqual(pointsResponse)
  })

  it.each([
    ["uat", PLURAL_BASE_URLS.uat],
    ["prod", PLURAL_BASE_URLS.prod],
  ] as const)("uses the %s host", async (environment, origin) => {
    expect(origin).toBe(environment === "uat" ? "https://pluraluat.v2.pinepg.in" : "https://api.pluralpay.in")
    const envFake = new FakePlural(origin)
    envFake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client } = makeClient(envFake, { baseUrl: undefined, environment })
    expect(client.baseUrl).toBe(origin)
    await client.getOrder(ORDER_ID)
    expect(envFake.calls.map((c) => c.path)).toEqual(["/api/auth/v1/token", `/api/pay/v1/orders/${ORDER_ID}`])
  })

  it("builds the {data: …} answer schemas once, not per call", () => {
    expect(wrapped(Order)).toBe(wrapped(Order))
    expect(wrapped(RefundOrder)).not.toBe(wrapped(Order))
    expect(wrapped(Order).shape.data).toBe(Order)
  })

  it("keeps the path of a baseUrl (a proxy under a prefix) in front of every request path", async () => {
    fake
      .on("POST", "/plural/api/auth/v1/token", { status: 200, body: { access_token: ACCESS_TOKEN, expires_in: 3600 } })
      .on("GET", `/plural/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client } = makeClient(fake, { baseUrl: `${ORIGIN}/plural/` })
    await expect(client.getOrder(ORDER_ID)).resolves.toMatchObject({ order_id: ORDER_ID })
    expect(fake.calls.map((c) => c.path)).toEqual(["/plural/api/auth/v1/token", `/plural/api/pay/v1/orders/${ORDER_ID}`])
  })

  it("defaults to UAT, and an explicit baseUrl wins over the environment", () => {
    expect(new PluralClient({ clientId: "a", clientSecret: "b", dispatcher: fake.agent }).baseUrl).toBe(PLURAL_BASE_URLS.uat)
    expect(new PluralClient({ clientId: "a", clientSecret: "b", environment: "prod", baseUrl: "http://127.0.0.1:9999/", dispatcher: fake.agent }).baseUrl).toBe(
      "http://127.0.0.1:9999"
    )
  })
})

// ---- Requests refused locally ---------------------------------------------------------------------------------

describe("PluralClient refuses invalid requests without calling Plural", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural()
  })

  it.each([
    ["a reference with a space", { ...VALID_ORDER, merchant_order_reference: "has space" }, "merchant_order_reference"],
    ["a reference with a dot", { ...VALID_ORDER, merchant_order_reference: "a.b" }, "merchant_order_reference"],
    ["an empty reference", { ...VALID_ORDER, merchant_order_reference: "" }, "merchant_order_reference"],
    ["a 51-character reference", { ...VALID_ORDER, merchant_order_reference: "r".repeat(51) }, "merchant_order_reference"],
    ["99 paise", { ...VALID_ORDER, order_amount: { value: 99, currency: "INR" } }, "order_amount.value"],
    ["0 paise", { ...VALID_ORDER, order_amount: { value: 0, currency: "INR" } }, "order_amount.value"],
    ["a fractional amount", { ...VALID_ORDER, order_amount: { value: 100.5, currency: "INR" } }, "order_amount.value"],
    ["more than ₹10,00,000", { ...VALID_ORDER, order_amount: { value: 100_000_001, currency: "INR" } }, "order_amount.value"],
    ["a lower-case currency", { ...VALID_ORDER, order_amount: { value: 100, currency: "inr" } }, "order_amount.currency"],
  ])("createOrder with %s", async (_name, body, field) => {
    const { client } = makeClient(fake)
    const error = await thrown(() => client.createOrder(body as any))
    expect(error).toBeInstanceOf(PluralRequestError)
    expect(error.code).toBe("INVALID_REQUEST")
    expect(error.message).toContain(field)
    expect(fake.calls).toHaveLength(0)
  })

  it("accepts exactly 100 paise and a 50-character reference", async () => {
    fake.token().on("POST", "/api/pay/v1/orders", { status: 200, body: createOrderResponse })
    const { client } = makeClient(fake)
    await client.createOrder({ merchant_order_reference: "r".repeat(50), order_amount: { value: 100, currency: "INR" } })
    expect(fake.apiCalls).toHaveLength(1)
  })

  it("refundOrder with a bad reference or amount", async () => {
    const { client } = makeClient(fake)
    expect(await thrown(() => client.refundOrder(ORDER_ID, { merchant_order_reference: "ref#1" }))).toBeInstanceOf(PluralRequestError)
    expect(
      await thrown(() => client.refundOrder(ORDER_ID, { merchant_order_reference: "ref_1", order_amount: { value: 50, currency: "INR" } }))
    ).toBeInstanceOf(PluralRequestError)
    expect(fake.calls).toHaveLength(0)
  })

  it("captureOrder and createPayment with bad input", async () => {
    const { client } = makeClient(fake)
    expect(await thrown(() => client.captureOrder(ORDER_ID, { merchant_capture_reference: "" }))).toBeInstanceOf(PluralRequestError)
    const payment = { payments: [{ payment_method: "UPI", payment_amount: { value: 99, currency: "INR" }, payment_option: { upi_details: { txn_mode: "INTENT" } } }] }
    expect(await thrown(() => client.createPayment(ORDER_ID, payment as any))).toBeInstanceOf(PluralRequestError)
    expect(fake.calls).toHaveLength(0)
  })

  it("checkPointsBalance with a malformed card number never echoes the number", async () => {
    const { client } = makeClient(fake)
    const badCard = "4111 1111 1111 1112"
    const request = { ...pointsRequest, payment_option: { points_card_details: { ...pointsRequest.payment_option.points_card_details, card_number: badCard } } }
    const error = await thrown(() => client.checkPointsBalance(request))
    expect(error).toBeInstanceOf(PluralRequestError)
    expect(error.message).toContain("card_number")
    expectNoSecrets(error, badCard, "4111111111111112")
    expect(fake.calls).toHaveLength(0)
  })
})

// ---- Errors ---------------------------------------------------------------------------------------------------

describe("PluralClient errors", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural()
  })

  it.each([
    [400, "INVALID_REQUEST", "order_amount is invalid"],
    [404, "ORDER_NOT_FOUND", "Order not found"],
    [422, "OPERATION_NOT_ALLOWED", "Order is not in AUTHORIZED state"],
    [500, "INTERNAL_ERROR", "Something went wrong"],
  ])("a %s %s body becomes a PluralApiError with code, message, status and Request-ID", async (status, code, message) => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status, body: { code, message, additional_error_details: { field: "x" } } })
    const { client, sleep } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralApiError)
    expect(error).toBeInstanceOf(PluralError)
    expect(error.code).toBe(code)
    expect(error.status).toBe(status)
    expect(error.message).toContain(message)
    expect(error.requestId).toBe(fake.apiCalls[0].headers["request-id"])
    expect(error.operation).toBe("get order")
    expect(error.additionalDetails).toEqual({ field: "x" })
    expect(error.isOperationNotAllowed).toBe(code === "OPERATION_NOT_ALLOWED")
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code, status, requestId: error.requestId })
    expect(fake.apiCalls).toHaveLength(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it("reads the camelCase additionalErrorPayload too", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 422, body: { code: "PAYMENT_DECLINED", message: "Declined", additionalErrorPayload: { reason: "r" } } })
    const { client } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error.additionalDetails).toEqual({ reason: "r" })
  })

  it("an error without a JSON body still gets a code from the status", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 500, body: "<html>oops</html>", headers: { "content-type": "text/html" } })
    const { client } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralApiError)
    expect(error.code).toBe("HTTP_500")
    expect(error.status).toBe(500)
  })

  it.each([
    ["a wrong type", { data: { ...captureResponse.data, order_id: 12 } }],
    ["an unknown status", { data: { ...captureResponse.data, status: "DONE" } }],
    ["no data wrapper", captureResponse.data],
    ["a non-JSON body", "<html>ok</html>"],
    ["an empty body", ""],
  ])("a 2xx with %s becomes a PluralResponseError", async (_name, body) => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body })
    const { client, sleep } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralResponseError)
    expect(error.code).toBe("MALFORMED_RESPONSE")
    expect(error.status).toBe(200)
    expect(error.requestId).toMatch(UUID)
    expect(sleep).not.toHaveBeenCalled()
  })

  it("a malformed hosted-checkout answer is a PluralResponseError", async () => {
    fake.token().on("POST", "/api/checkout/v1/orders", { status: 200, body: { order_id: "x" } })
    const { client } = makeClient(fake)
    expect(await thrown(() => client.createHostedCheckout(hostedRequest as any))).toBeInstanceOf(PluralResponseError)
  })

  it.each([
    ["a socket error", () => new undiciErrors.SocketError("other side closed"), "UND_ERR_SOCKET"],
    ["a headers timeout", () => new undiciErrors.HeadersTimeoutError(), "UND_ERR_HEADERS_TIMEOUT"],
    ["a connect timeout", () => new undiciErrors.ConnectTimeoutError(), "UND_ERR_CONNECT_TIMEOUT"],
    ["a plain error", () => new Error("ECONNRESET"), "NETWORK_ERROR"],
  ])("%s becomes a PluralNetworkError (after the retries)", async (_name, make, code) => {
    fake.token().fail("GET", `/api/pay/v1/orders/${ORDER_ID}`, make(), 3)
    const { client, sleep } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralNetworkError)
    expect(error.code).toBe(code)
    expect(error.requestId).toMatch(UUID)
    expect(error.operation).toBe("get order")
    expect(sleep).toHaveBeenCalledTimes(2)
    expect(fake.pending()).toHaveLength(0)
  })

  describe("a real headers timeout on a silent server", () => {
    let server: Server
    let origin: string
    beforeAll(async () => {
      // Answers the token; never answers anything else.
      server = createServer((req, res) => {
        if (req.url === "/api/auth/v1/token") {
          res.setHeader("content-type", "application/json")
          res.end(JSON.stringify({ access_token: OPAQUE_TOKEN, expires_in: 3600 }))
        }
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })

    it("is a PluralNetworkError with the timeout's code", async () => {
      const client = new PluralClient({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        baseUrl: origin,
        timeouts: { headersMs: 100 },
        retry: { maxRetries: 0 },
      })
      try {
        const error = await thrown(() => client.getOrder(ORDER_ID))
        expect(error).toBeInstanceOf(PluralNetworkError)
        expect(error.code).toBe("UND_ERR_HEADERS_TIMEOUT")
        expectNoSecrets(error)
      } finally {
        await client.close()
      }
    })
  })

  describe("never leaks the client secret, the access token or a card number", () => {
    it("bad credentials: a 401 on the token call echoing the secret", async () => {
      fake.on("POST", "/api/auth/v1/token", { status: 401, body: { code: "UNAUTHORIZED", message: `invalid client_secret ${CLIENT_SECRET}` } })
      const { client } = makeClient(fake)
      const error = await thrown(() => client.getOrder(ORDER_ID))
      expect(error).toBeInstanceOf(PluralAuthenticationError)
      expect(error.status).toBe(401)
      expect(error.code).toBe("UNAUTHORIZED")
      expectNoSecrets(error)
    })

    it("a 500 on the token call echoing the secret", async () => {
      fake.on("POST", "/api/auth/v1/token", { status: 500, body: { code: "INTERNAL_ERROR", message: `could not verify ${CLIENT_SECRET} for ${CLIENT_ID}` } })
      const { client } = makeClient(fake)
      const error = await thrown(() => client.getOrder(ORDER_ID))
      expect(error).toBeInstanceOf(PluralApiError)
      expectNoSecrets(error)
    })

    it("an API error echoing an opaque access token and the Authorization header", async () => {
      fake
        .token({ access_token: OPAQUE_TOKEN, expires_in: 3600 })
        .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 400, body: { code: "INVALID_REQUEST", message: `token ${OPAQUE_TOKEN} has no access` } })
        .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 400, body: { code: "INVALID_REQUEST", message: `header was Bearer ${OPAQUE_TOKEN}` } })
      const { client } = makeClient(fake)
      expectNoSecrets(await thrown(() => client.getOrder(ORDER_ID)))
      expectNoSecrets(await thrown(() => client.getOrder(ORDER_ID)))
    })

    it("an API error echoing the JWT access token", async () => {
      fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 422, body: { code: "INVALID_REQUEST", message: `token ${ACCESS_TOKEN} expired` } })
      const { client } = makeClient(fake)
      expectNoSecrets(await thrown(() => client.getOrder(ORDER_ID)))
    })

    it("a points error echoing the card number", async () => {
      fake.token().on("POST", "/payment-option", { status: 400, body: { code: "INVALID_REQUEST", message: `card ${CARD_NUMBER} is not eligible (4111-1111-1111-1112)` } })
      const { client } = makeClient(fake)
      const error = await thrown(() => client.checkPointsBalance(pointsRequest))
      expect(error).toBeInstanceOf(PluralApiError)
      expectNoSecrets(error, "4111-1111-1111-1112")
    })

    it("a 2xx non-JSON body echoing a card number", async () => {
      fake.token().on("POST", "/payment-option", { status: 200, body: `<html>card ${CARD_NUMBER}</html>` })
      const { client } = makeClient(fake)
      const error = await thrown(() => client.checkPointsBalance(pointsRequest))
      expect(error).toBeInstanceOf(PluralResponseError)
      expectNoSecrets(error)
    })

    it("a second 401", async () => {
      fake
        .token({ access_token: OPAQUE_TOKEN, expires_in: 3600 }, 2)
        .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 401, body: { code: "UNAUTHORIZED", message: `Bearer ${OPAQUE_TOKEN} rejected` } }, 2)
      const { client } = makeClient(fake)
      const error = await thrown(() => client.getOrder(ORDER_ID))
      expect(error).toBeInstanceOf(PluralAuthenticationError)
      expectNoSecrets(error)
    })
  })
})

// ---- Retries --------------------------------------------------------------------------------------------------

describe("PluralClient retries", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural()
  })
  afterEach(() => {
    jest.restoreAllMocks()
  })

  it.each([429, 502, 503, 504])("retries a GET answered %s, then succeeds, with the same Request-ID", async (status) => {
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status, body: { code: status === 429 ? "API_RATE_LIMIT" : "UNAVAILABLE", message: "busy" } }, 2)
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client, sleep, onRetry } = makeClient(fake)
    const result = await client.getOrder(ORDER_ID)
    expect(result.order_id).toBe(ORDER_ID)
    expect(fake.apiCalls).toHaveLength(3)
    const ids = new Set(fake.apiCalls.map((c) => c.headers["request-id"]))
    expect(ids.size).toBe(1)
    expect(sleep).toHaveBeenCalledTimes(2)
    expect(onRetry).toHaveBeenCalledTimes(2)
    expect(onRetry.mock.calls.map(([e]) => e.attempt)).toEqual([1, 2])
    expect(onRetry.mock.calls[0][0].requestId).toBe([...ids][0])
    expect(onRetry.mock.calls[0][0].delayMs).toBe(sleep.mock.calls[0][0])
  })

  it("gives up after maxRetries with the last error", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 503, body: { code: "UNAVAILABLE", message: "down" } }, 4)
    const { client, sleep } = makeClient(fake, { retry: { maxRetries: 3 } })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralApiError)
    expect(error.status).toBe(503)
    expect(fake.apiCalls).toHaveLength(4)
    expect(sleep).toHaveBeenCalledTimes(3)
  })

  it("backs off exponentially with jitter, within the ceiling", async () => {
    jest.spyOn(Math, "random").mockReturnValue(0.999)
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 502, body: {} }, 5)
    const { client, sleep } = makeClient(fake, { retry: { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 500 } })
    await thrown(() => client.getOrder(ORDER_ID))
    const delays = sleep.mock.calls.map(([ms]) => ms)
    expect(delays).toHaveLength(4)
    expect(delays[0]).toBeGreaterThanOrEqual(50)
    expect(delays[0]).toBeLessThanOrEqual(100)
    expect(delays[1]).toBeGreaterThan(delays[0])
    expect(delays[2]).toBeGreaterThan(delays[1])
    for (const d of delays) expect(d).toBeLessThanOrEqual(500)
  })

  it("jitters: two different random draws give two different delays", async () => {
    const random = jest.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(1)
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 503, body: {} }, 3)
    const { client, sleep } = makeClient(fake, { retry: { maxRetries: 2, baseDelayMs: 400, maxDelayMs: 400 } })
    await thrown(() => client.getOrder(ORDER_ID))
    expect(random).toHaveBeenCalled()
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([200, 400])
  })

  it("retries network errors on a safe request", async () => {
    fake
      .token()
      .fail("GET", `/api/pay/v1/orders/${ORDER_ID}`, new undiciErrors.SocketError("reset"), 2)
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client, sleep } = makeClient(fake)
    await expect(client.getOrder(ORDER_ID)).resolves.toMatchObject({ order_id: ORDER_ID })
    expect(sleep).toHaveBeenCalledTimes(2)
  })

  it.each([
    ["createOrder", (c: PluralClient) => c.createOrder(VALID_ORDER), "POST", "/api/pay/v1/orders", createOrderResponse],
    ["refundOrder", (c: PluralClient) => c.refundOrder(ORDER_ID, { merchant_order_reference: "refund_01" }), "POST", `/api/pay/v1/refunds/${ORDER_ID}`, refundOrder("refund_01")],
    ["captureOrder", (c: PluralClient) => c.captureOrder(ORDER_ID, captureRequest), "PUT", `/api/pay/v1/orders/${ORDER_ID}/capture`, captureResponse],
    ["createHostedCheckout", (c: PluralClient) => c.createHostedCheckout(hostedRequest as any), "POST", "/api/checkout/v1/orders", hostedResponse],
    [
      "createPayment with a payment reference",
      (c: PluralClient) => c.createPayment(ORDER_ID, { payments: [{ ...intentRequest.payments[0], merchant_payment_reference: "payses_1-pay" }] } as any),
      "POST",
      `/api/pay/v1/orders/${ORDER_ID}/payments`,
      intentResponse,
    ],
  ] as const)("retries %s (a write carrying its merchant reference) with the same body", async (_name, call, method, path, response) => {
    fake
      .token()
      .on(method, path, { status: 503, body: { code: "UNAVAILABLE" } })
      .fail(method, path, new undiciErrors.SocketError("reset"))
      .on(method, path, { status: 200, body: response })
    const { client, sleep } = makeClient(fake)
    await call(client)
    const calls = fake.to(path)
    expect(calls).toHaveLength(2) // the failed socket attempt never reached the recorder
    expect(calls[1].body).toEqual(calls[0].body)
    expect(calls[1].headers["request-id"]).toBe(calls[0].headers["request-id"])
    expect(sleep).toHaveBeenCalledTimes(2)
    expect(fake.pending()).toHaveLength(0)
  })

  it("does not retry cancel (no reference) on 503 or on a network error", async () => {
    fake
      .token()
      .on("PUT", `/api/pay/v1/orders/${ORDER_ID}/cancel`, { status: 503, body: { code: "UNAVAILABLE" } })
      .fail("PUT", `/api/pay/v1/orders/${ORDER_ID}/cancel`, new undiciErrors.SocketError("reset"))
    const { client, sleep } = makeClient(fake)
    const first = await thrown(() => client.cancelOrder(ORDER_ID))
    expect(first).toBeInstanceOf(PluralApiError)
    expect(first.status).toBe(503)
    const second = await thrown(() => client.cancelOrder(ORDER_ID))
    expect(second).toBeInstanceOf(PluralNetworkError)
    expect(sleep).not.toHaveBeenCalled()
    expect(fake.to(`/api/pay/v1/orders/${ORDER_ID}/cancel`)).toHaveLength(1)
  })

  it("does not retry a payment without its own reference (seed 001's samples)", async () => {
    fake.token().on("POST", `/api/pay/v1/orders/${ORDER_ID}/payments`, { status: 502, body: {} })
    const { client, sleep } = makeClient(fake)
    expect(await thrown(() => client.createPayment(ORDER_ID, intentRequest as any))).toBeInstanceOf(PluralApiError)
    expect(sleep).not.toHaveBeenCalled()
    expect(fake.apiCalls).toHaveLength(1)
  })

  it.each([400, 422, 500])("does not retry %s", async (status) => {
    fake.token().on("POST", "/api/pay/v1/orders", { status, body: { code: "X", message: "no" } })
    const { client, sleep } = makeClient(fake)
    const error = await thrown(() => client.createOrder(VALID_ORDER))
    expect(error.status).toBe(status)
    expect(fake.apiCalls).toHaveLength(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it("waits what Retry-After (seconds) asks", async () => {
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 429, body: { code: "API_RATE_LIMIT" }, headers: { "retry-after": "1" } })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client, sleep } = makeClient(fake)
    await client.getOrder(ORDER_ID)
    expect(sleep).toHaveBeenCalledTimes(1)
    expect(sleep.mock.calls[0][0]).toBeGreaterThanOrEqual(1000)
    expect(sleep.mock.calls[0][0]).toBeLessThanOrEqual(2000)
  })

  it("waits what Retry-After (an HTTP date) asks", async () => {
    const at = new Date(Math.ceil((Date.now() + 1_500) / 1000) * 1000)
    fake
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 503, body: {}, headers: { "retry-after": at.toUTCString() } })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client, sleep } = makeClient(fake, { retry: { maxDelayMs: 10_000 } })
    const before = Date.now()
    await client.getOrder(ORDER_ID)
    expect(sleep.mock.calls[0][0]).toBeGreaterThan(0)
    expect(sleep.mock.calls[0][0]).toBeLessThanOrEqual(at.getTime() - before)
    expect(sleep.mock.calls[0][0]).toBeGreaterThanOrEqual(at.getTime() - Date.now() - 1000)
  })

  it("never retries sooner than Retry-After: a wait beyond the delay ceiling gives up instead", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 429, body: { code: "API_RATE_LIMIT" }, headers: { "retry-after": "30" } })
    const { client, sleep } = makeClient(fake, { retry: { maxDelayMs: 2_000 } })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralApiError)
    expect(error.status).toBe(429)
    for (const [ms] of sleep.mock.calls) expect(ms).toBeGreaterThanOrEqual(30_000)
    expect(fake.apiCalls).toHaveLength(1)
  })

  it("retries the token call itself on 503", async () => {
    fake
      .on("POST", "/api/auth/v1/token", { status: 503, body: {} })
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client, sleep } = makeClient(fake)
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
    expect(sleep).toHaveBeenCalledTimes(1)
  })

  it("gives a new Request-ID to each separate call", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 2)
    const { client } = makeClient(fake)
    await client.getOrder(ORDER_ID)
    await client.getOrder(ORDER_ID)
    const [a, b] = fake.apiCalls.map((c) => c.headers["request-id"])
    expect(a).not.toBe(b)
  })
})

// ---- Token ----------------------------------------------------------------------------------------------------

describe("PluralClient access token", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural()
  })

  it("is cached across calls", async () => {
    fake.token().on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 3)
    const { client } = makeClient(fake)
    await client.getOrder(ORDER_ID)
    await client.getOrder(ORDER_ID)
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(1)
    expect(fake.apiCalls).toHaveLength(3)
  })

  it("is requested once for ten concurrent callers on a cold cache", async () => {
    fake.token(undefined, 10).on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 10)
    const { client } = makeClient(fake)
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getOrder(ORDER_ID)))
    expect(results).toHaveLength(10)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(1)
    expect(fake.apiCalls).toHaveLength(10)
    expect(new Set(fake.apiCalls.map((c) => c.headers.authorization))).toEqual(new Set([`Bearer ${ACCESS_TOKEN}`]))
  })

  it("a failed token request is not cached: the next call asks again", async () => {
    fake
      .on("POST", "/api/auth/v1/token", { status: 500, body: { code: "INTERNAL_ERROR" } })
      .token()
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() })
    const { client } = makeClient(fake)
    expect(await thrown(() => client.getOrder(ORDER_ID))).toBeInstanceOf(PluralApiError)
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
  })

  it.each([
    ["expires_in", (t0: number) => ({ access_token: "tok-1", expires_in: 3600 })],
    ["expires_at", (t0: number) => ({ access_token: "tok-1", expires_at: new Date(t0 + 3_600_000).toISOString() })],
  ])("is refreshed shortly before expiry (%s)", async (_name, first) => {
    const t0 = Date.parse("2025-03-01T10:00:00Z")
    let now = t0
    fake
      .token(first(t0))
      .token({ access_token: "tok-2", expires_in: 3600 })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 4)
    const { client } = makeClient(fake, { now: () => now })
    await client.getOrder(ORDER_ID)
    now = t0 + 30 * 60_000
    await client.getOrder(ORDER_ID)
    now = t0 + 58 * 60_000
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(1)
    now = t0 + 59 * 60_000 + 30_000 // 30 s before expiry: inside the refresh margin
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
    expect(fake.apiCalls.map((c) => c.headers.authorization)).toEqual(["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"])
  })

  it("a 401 gets one fresh token and one retry", async () => {
    fake
      .token({ access_token: "tok-old", expires_in: 3600 })
      .token({ access_token: "tok-new", expires_in: 3600 })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 401, body: { code: "UNAUTHORIZED", message: "token expired" } })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 2)
    const { client, sleep } = makeClient(fake)
    await expect(client.getOrder(ORDER_ID)).resolves.toMatchObject({ order_id: ORDER_ID })
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
    expect(fake.apiCalls.map((c) => c.headers.authorization)).toEqual(["Bearer tok-old", "Bearer tok-new"])
    expect(sleep).not.toHaveBeenCalled()
    // The fresh token is now the cached one.
    await client.getOrder(ORDER_ID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
    expect(fake.apiCalls.at(-1)?.headers.authorization).toBe("Bearer tok-new")
  })

  it("ten concurrent callers hit by one 401 share one refresh", async () => {
    fake
      .token({ access_token: "tok-old", expires_in: 3600 })
      .token({ access_token: "tok-new", expires_in: 3600 }, 10)
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 401, body: { code: "UNAUTHORIZED" } }, 10)
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: order() }, 10)
    const { client } = makeClient(fake)
    await Promise.all(Array.from({ length: 10 }, () => client.getOrder(ORDER_ID)))
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
    expect(fake.apiCalls.filter((c) => c.headers.authorization === "Bearer tok-new")).toHaveLength(10)
  })

  it("a second 401 is a PluralAuthenticationError, after exactly one refresh", async () => {
    fake
      .token({ access_token: "tok-1", expires_in: 3600 })
      .token({ access_token: "tok-2", expires_in: 3600 })
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 401, body: { code: "UNAUTHORIZED" } }, 2)
    const { client } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralAuthenticationError)
    expect(error.status).toBe(401)
    expect(error.requestId).toMatch(UUID)
    expect(fake.to("/api/auth/v1/token")).toHaveLength(2)
    expect(fake.apiCalls).toHaveLength(2)
  })

  it("a 401 on cancel is retried once with a fresh token too (Plural did nothing)", async () => {
    fake
      .token({ access_token: "tok-1", expires_in: 3600 })
      .token({ access_token: "tok-2", expires_in: 3600 })
      .on("PUT", `/api/pay/v1/orders/${ORDER_ID}/cancel`, { status: 401, body: { code: "UNAUTHORIZED" } })
      .on("PUT", `/api/pay/v1/orders/${ORDER_ID}/cancel`, { status: 200, body: cancelResponse })
    const { client } = makeClient(fake)
    await expect(client.cancelOrder(ORDER_ID)).resolves.toMatchObject({ status: "CANCELLED" })
  })

  it.each([
    [401, "UNAUTHORIZED"],
    [400, "INVALID_REQUEST"],
  ])("bad credentials (%s on the token call) are a PluralAuthenticationError", async (status, code) => {
    fake.on("POST", "/api/auth/v1/token", { status, body: { code, message: "invalid client" } })
    const { client, sleep } = makeClient(fake)
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralAuthenticationError)
    expect(error.code).toBe(code)
    expect(error.status).toBe(status)
    expect(error.operation).toBe("generate token")
    expect(fake.apiCalls).toHaveLength(0)
    expect(sleep).not.toHaveBeenCalled()
    expectNoSecrets(error)
  })
})

// ---- Duplicate references -------------------------------------------------------------------------------------

describe("PluralClient duplicate merchant references", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural()
  })
  const duplicate = { status: 422, body: { code: "DUPLICATE_REQUEST", message: "merchant_order_reference already used" } }

  it("createOrder: 422 DUPLICATE_REQUEST reads the existing order back by reference", async () => {
    const existing = { data: { ...createOrderResponse.data, merchant_order_reference: "payses_01HZX", status: "PENDING" } }
    fake
      .token()
      .on("POST", "/api/pay/v1/orders", duplicate)
      .on("GET", "/api/pay/v1/orders/reference/payses_01HZX", { status: 200, body: existing })
    const { client } = makeClient(fake)
    const result = await client.createOrder(VALID_ORDER)
    expect(result.merchant_order_reference).toBe("payses_01HZX")
    expect(result.status).toBe("PENDING")
    expect(fake.apiCalls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /api/pay/v1/orders", "GET /api/pay/v1/orders/reference/payses_01HZX"])
  })

  it("createOrder: a 504 whose order was in fact created, then DUPLICATE_REQUEST on the retry, reads it back", async () => {
    fake
      .token()
      .on("POST", "/api/pay/v1/orders", { status: 504, body: {} })
      .on("POST", "/api/pay/v1/orders", duplicate)
      .on("GET", "/api/pay/v1/orders/reference/payses_01HZX", { status: 200, body: createOrderResponse })
    const { client, sleep } = makeClient(fake)
    await expect(client.createOrder(VALID_ORDER)).resolves.toMatchObject({ order_id: createOrderResponse.data.order_id })
    expect(sleep).toHaveBeenCalledTimes(1)
    expect(fake.apiCalls.map((c) => c.method)).toEqual(["POST", "POST", "GET"])
  })

  it("createOrder: a repeated reference answered with the existing order (current docs) is returned as is", async () => {
    fake.token().on("POST", "/api/pay/v1/orders", { status: 200, body: createOrderResponse })
    const { client } = makeClient(fake)
    await expect(client.createOrder(VALID_ORDER)).resolves.toMatchObject({ order_id: createOrderResponse.data.order_id })
    expect(fake.apiCalls).toHaveLength(1)
  })

  it("refundOrder: 422 DUPLICATE_REQUEST reads the existing refund back by its reference", async () => {
    fake
      .token()
      .on("POST", `/api/pay/v1/refunds/${ORDER_ID}`, duplicate)
      .on("GET", "/api/pay/v1/orders/reference/refund_01", { status: 200, body: refundOrder("refund_01", { status: "PENDING" }) })
    const { client } = makeClient(fake)
    const refund = await client.refundOrder(ORDER_ID, { merchant_order_reference: "refund_01", order_amount: { value: 500, currency: "INR" } })
    expect(refund).toMatchObject({ type: "REFUND", merchant_order_reference: "refund_01", status: "PENDING", parent_order_id: ORDER_ID })
    expect(fake.apiCalls.map((c) => `${c.method} ${c.path}`)).toEqual([`POST /api/pay/v1/refunds/${ORDER_ID}`, "GET /api/pay/v1/orders/reference/refund_01"])
  })

  it("captureOrder: 422 DUPLICATE_REQUEST reads the order back", async () => {
    fake
      .token()
      .on("PUT", `/api/pay/v1/orders/${ORDER_ID}/capture`, duplicate)
      .on("GET", `/api/pay/v1/orders/${ORDER_ID}`, { status: 200, body: captureResponse })
    const { client } = makeClient(fake)
    await expect(client.captureOrder(ORDER_ID, captureRequest)).resolves.toMatchObject({ status: "PROCESSED" })
  })

  it("other 422s are not mistaken for duplicates", async () => {
    fake.token().on("POST", "/api/pay/v1/orders", { status: 422, body: { code: "OPERATION_NOT_ALLOWED" } })
    const { client } = makeClient(fake)
    const error = await thrown(() => client.createOrder(VALID_ORDER))
    expect(error.code).toBe("OPERATION_NOT_ALLOWED")
    expect(fake.apiCalls).toHaveLength(1)
  })
})
