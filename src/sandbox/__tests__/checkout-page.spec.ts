/** What a shopper sees: the hosted page, its submit and browser return, the UPI landing page and QR, and seeds. */
import { request } from "undici"
import { PluralClient } from "../../plural/client"
import { verifyCallback } from "../../plural/signatures"
import { startSandbox } from ".."
import { harness, type Harness, send, uniqueReference } from "./helpers"

const HIDDEN_INPUT = /<input type="hidden" name="([^"]+)" value="([^"]*)">/g

function formFields(html: string): Record<string, string> {
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")
  return Object.fromEntries([...html.matchAll(HIDDEN_INPUT)].map((m) => [decode(m[1]), decode(m[2])]))
}

const submitForm = (url: string, fields: Record<string, string>) =>
  request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() })

describe("sandbox hosted checkout page", () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
  })
  afterAll(() => h.sandbox.stop())

  const hosted = async (extra: Record<string, unknown> = {}) =>
    (
      await h.api("POST", "/api/checkout/v1/orders", {
        merchant_order_reference: uniqueReference(),
        order_amount: { value: 149950, currency: "INR" },
        callback_url: "https://shop.example/plural/return",
        failure_callback_url: "https://shop.example/plural/failed",
        ...extra,
      })
    ).body

  it("renders the order in rupees with stable test ids and no card number in any form field", async () => {
    const { redirect_url } = await hosted()
    const page = await send(redirect_url, "GET")
    expect(page.status).toBe(200)
    expect(page.text).toContain("₹1,499.50")
    for (const id of ["pay", "fail", "cancel", "error-code", "method-card", "method-upi", "method-netbanking", "method-wallet", "method-points"]) {
      expect(page.text).toContain(`data-testid="${id}"`)
    }
    expect(page.text).not.toMatch(/name="[^"]*card[^"]*"/i)
  })

  it("Pay posts a signed browser return that verifyCallback accepts, then the order is PROCESSED", async () => {
    const { redirect_url, order_id } = await hosted()
    const response = await submitForm(redirect_url, { action: "pay", payment_method: "CARD" })
    const html = await response.body.text()
    expect(html).toContain('action="https://shop.example/plural/return"')
    const fields = formFields(html)
    expect(fields).toMatchObject({ order_id, payment_status: "PROCESSED" })
    expect(verifyCallback(fields, h.sandbox.merchant.secret_key)).toBe(true)
    const order = (await h.api("GET", `/api/pay/v1/orders/${order_id}`)).body.data
    expect(order.payments[0]).toMatchObject({ payment_method: "CARD", payment_option: { card_data: { last4_digit: "1111" } } })
    expect(JSON.stringify(order)).not.toContain("4111111111111111")
  })

  it("Fail goes to failure_callback_url with error_code; query mode answers 303 with the fields in the URL", async () => {
    h.sandbox.configure({ callbackMode: "query", callbackStatusKey: "status" })
    try {
      const { redirect_url } = await hosted({ pre_auth: true })
      const response = await submitForm(redirect_url, { action: "fail", error_code: "USER_AUTHENTICATION_FAILED" })
      expect(response.statusCode).toBe(303)
      const location = new URL(response.headers.location as string)
      expect(location.origin + location.pathname).toBe("https://shop.example/plural/failed")
      const fields = Object.fromEntries(location.searchParams)
      expect(fields).toMatchObject({ status: "FAILED", error_code: "USER_AUTHENTICATION_FAILED", error_message: "Consumer authentication failed" })
      expect(verifyCallback(fields, h.sandbox.merchant.secret_key)).toBe(true)
    } finally {
      h.sandbox.configure({ callbackMode: "form_post", callbackStatusKey: "payment_status" })
    }
  })

  it("a closed order's page says so and offers nothing to pay", async () => {
    const { redirect_url } = await hosted()
    await submitForm(redirect_url, { action: "cancel" })
    const page = await send(redirect_url, "GET")
    expect(page.text).toContain('data-testid="closed"')
    expect(page.text).not.toContain('data-testid="pay"')
  })

  it("a UPI intent's challenge_url opens a page with the upi:// link and a PNG QR image", async () => {
    const orderId = await h.createOrder()
    const qr = await h.api("POST", `/api/pay/v1/orders/${orderId}/payments`, {
      payments: [{ payment_method: "UPI", payment_amount: { value: 1100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "INTENT", upi_qr: true } } }],
    })
    const page = await send(qr.body.challenge_url, "GET")
    expect(page.text).toMatch(/href="upi:\/\/pay\?pa=[^"]+am=11\.00/)
    const image = await request(qr.body.image_url)
    expect(image.headers["content-type"]).toBe("image/png")
    const bytes = Buffer.from(await image.body.arrayBuffer())
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))

    const approved = await submitForm(qr.body.challenge_url, { action: "pay" })
    expect(formFields(await approved.body.text())).toMatchObject({ order_id: orderId, payment_status: "PROCESSED" })
    const order = (await h.api("GET", `/api/pay/v1/orders/${orderId}`)).body.data
    expect(order.payments[0]).toMatchObject({ status: "PROCESSED", payment_method: "UPI" })
  })

  it("works end to end with the plugin's own PluralClient", async () => {
    const client = new PluralClient({ baseUrl: h.sandbox.url, clientId: h.sandbox.merchant.client_id, clientSecret: h.sandbox.merchant.client_secret })
    try {
      const order = await client.createOrder({ merchant_order_reference: uniqueReference(), order_amount: { value: 5000, currency: "INR" }, pre_auth: true })
      await h.control("POST", `/orders/${order.order_id}/complete`, { outcome: "success" })
      const captured = await client.captureOrder(order.order_id, { merchant_capture_reference: uniqueReference() })
      expect(captured.status).toBe("PROCESSED")
      const refund = await client.refundOrder(order.order_id, { merchant_order_reference: uniqueReference(), order_amount: { value: 1000, currency: "INR" } })
      expect(refund.status).toBe("PROCESSED")
      expect((await client.getOrder(order.order_id)).status).toBe("PARTIALLY_REFUNDED")
    } finally {
      await client.close()
    }
  })

  it("the same seed gives the same ids and tokens", async () => {
    const run = async () => {
      const seeded = await harness({ seed: 42 })
      try {
        const token = await seeded.token()
        const orderId = await seeded.createOrder({ merchant_order_reference: "same" })
        const completed = await seeded.control("POST", `/orders/${orderId}/complete`, { outcome: "success" })
        return { token, orderId, paymentId: completed.body.order.payments[0].id, acquirer: completed.body.order.payments[0].acquirer_data }
      } finally {
        await seeded.sandbox.stop()
      }
    }
    const first = await run()
    expect(first.orderId).toMatch(/^v1-\d{10}-aa-[A-Za-z0-9]{6}$/)
    expect(await run()).toEqual(first)
  })

  it("stops cleanly even with webhook retries pending", async () => {
    const sandbox = await startSandbox({ webhookUrl: "http://127.0.0.1:9/unreachable", webhookRetryDelaysMs: [60_000] })
    const fields = await send(`${sandbox.url}/api/auth/v1/token`, "POST", { client_id: sandbox.merchant.client_id, client_secret: sandbox.merchant.client_secret, grant_type: "client_credentials" })
    expect(fields.status).toBe(200)
    await sandbox.stop()
  })
})
