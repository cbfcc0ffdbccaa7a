/**
 * What a shopper reads when Plural fails under a store-API call (starting a payment, completing the cart), and what
 * the merchant reads for the same failure: the admin's hooks and the log keep the advice, the shopper gets none of it.
 */
import type { Logger } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { FakeLedger } from "../../../../test/fake-ledger"
import processed from "../../../../test/fixtures/plural/seed000.capture.response.json"
import { FakePlural, TOKEN_PATH } from "../../../../test/fake-plural"
import { providerOptions } from "../../../../test/provider-options"
import { PluralClient } from "../../../plural/client"
import { clientOptionsOf } from "../options"
import { PluralProviderService } from "../service"
import { SHOPPER_ERRORS } from "../utils/shopper-errors"

const ORIGIN = "https://plural-shopper.test"
const SESSION = "payses_01JSHOPPERERRORS00000000"
const ORDER = "v1-5757575757-aa-shoppr"
const OPTIONS = providerOptions(ORIGIN, "shopper-errors-client-secret")

/** Words that are the merchant's business: configuration, credentials, Plural's internals, what to fix. */
const MERCHANT_ADVICE = /client_id|client_secret|credential|environment|dashboard|Medusa id|retry is keyed|Check /i

function provider() {
  const fake = new FakePlural(ORIGIN)
  const lines: string[] = []
  const record = (text: string) => void lines.push(text)
  const logger = { info: record, warn: record, error: record, debug: record } as unknown as Logger
  const service = new PluralProviderService({ logger, pluralLedger: new FakeLedger() }, OPTIONS)
  void service.gateway.client.close()
  // No retries here: a retried call changes nothing about who reads which words.
  Object.assign(service.gateway, { client: new PluralClient({ ...clientOptionsOf(service.gateway.options), retry: { maxRetries: 0 }, dispatcher: fake.agent }) })
  return { fake, service, lines }
}

const start = (service: PluralProviderService, data: Record<string, unknown> = {}) =>
  service.initiatePayment({ amount: 100, currency_code: "inr", data, context: { idempotency_key: SESSION } } as any)

const session = { session_id: SESSION, plural_order_id: ORDER, merchant_order_reference: SESSION, attempt: 1, amount: 10_000, currency_code: "inr", flow: "hosted", pre_auth: false }

async function rejection(promise: Promise<unknown>): Promise<MedusaError> {
  return promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (error) => error
  )
}

describe("a Plural failure under a store-API call", () => {
  it("wrong credentials: the shopper reads that Plural is unavailable; the log says which options to fix", async () => {
    const { fake, service, lines } = provider()
    fake.on("POST", TOKEN_PATH, { status: 401, body: { code: "UNAUTHORIZED", message: "invalid client" } })
    const error = await rejection(start(service))
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(error.message).toBe(`${SHOPPER_ERRORS.unavailable} (reference ${fake.to(TOKEN_PATH)[0].headers["request-id"]})`)
    expect(lines.join("\n")).toMatch(/refused the credentials.*Check client_id, client_secret/)
  })

  it("Plural down while starting a payment: try again, with Plural's Request-ID as the reference", async () => {
    const { fake, service, lines } = provider()
    fake.token({ access_token: "tok", expires_in: 3600 }).on("POST", "/api/checkout/v1/orders", { status: 503, body: { code: "UNAVAILABLE", message: "down" } })
    const error = await rejection(start(service))
    const requestId = fake.to("/api/checkout/v1/orders")[0].headers["request-id"]
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(error.message).toBe(`${SHOPPER_ERRORS.notAnswering} (reference ${requestId})`)
    expect(error.message).not.toMatch(MERCHANT_ADVICE)
    expect(lines.join("\n")).toContain(`could not create the hosted checkout`)
  })

  it("Plural refusing the order (422): the shopper may try another way, Plural's reason stays in the log", async () => {
    const { fake, service, lines } = provider()
    fake.token({ access_token: "tok", expires_in: 3600 }).on("POST", "/api/checkout/v1/orders", { status: 422, body: { code: "INVALID_MERCHANT_CONFIG", message: "merchant not enabled for hosted checkout" } })
    const error = await rejection(start(service))
    expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(error.message).toMatch(new RegExp(`^${SHOPPER_ERRORS.refused.replace(/[.]/g, "\\.")} \\(reference `))
    expect(error.message).not.toContain("merchant not enabled")
    expect(lines.join("\n")).toContain("merchant not enabled for hosted checkout")
  })

  it("completing the cart while Plural is down: the shopper's words too", async () => {
    const { fake, service } = provider()
    fake.token({ access_token: "tok", expires_in: 3600 }).on("GET", `/api/pay/v1/orders/${ORDER}`, { status: 502, body: { code: "BAD_GATEWAY", message: "upstream" } })
    const error = await rejection(service.authorizePayment({ data: session } as any))
    expect(error.message.startsWith(SHOPPER_ERRORS.notAnswering)).toBe(true)
    expect(error.message).not.toMatch(MERCHANT_ADVICE)
  })

  it("a cart changed after it was paid: the shopper is told to complete the order, not to refund a Plural order", async () => {
    const { fake, service } = provider()
    const paid = { ...session, plural_order_id: processed.data.order_id, amount: processed.data.order_amount.value }
    fake.token({ access_token: "tok", expires_in: 3600 }).on("GET", `/api/pay/v1/orders/${paid.plural_order_id}`, { status: 200, body: processed }, 2)
    for (const call of [service.updatePayment({ amount: 200, currency_code: "inr", data: paid } as any), service.deletePayment({ data: paid } as any)]) {
      const error = await rejection(call)
      expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
      expect(error.message).toBe(SHOPPER_ERRORS.alreadyPaid)
    }
  })

  it("a cart in a currency the provider does not take: the shopper may pay another way, the log says how to fix the store", async () => {
    const { fake, service, lines } = provider()
    const error = await rejection(service.initiatePayment({ amount: 10, currency_code: "usd", data: {}, context: { idempotency_key: SESSION } } as any))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toBe("Payment by Plural is available in INR only, and this cart is in USD. Please choose another payment method.")
    expect(lines.join("\n")).toContain(`add the currency to the provider's "currencies" option`)
    expect(fake.calls).toEqual([])
  })

  it("the shopper's own input still gets its precise message, naming the field", async () => {
    const { fake, service } = provider()
    const error = await rejection(start(service, { flow: "upi_collect" }))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("upi_vpa")
    expect(fake.calls).toEqual([])
  })
})

describe("the same failure under an admin action", () => {
  it("capture with wrong credentials keeps the merchant's advice", async () => {
    const { fake, service } = provider()
    fake.on("POST", TOKEN_PATH, { status: 401, body: { code: "UNAUTHORIZED", message: "invalid client" } })
    const error = await rejection(service.capturePayment({ data: session } as any))
    expect(error.message).toMatch(/refused the credentials.*Check client_id, client_secret/)
    expect(error.message).not.toContain(OPTIONS.client_secret)
  })
})
