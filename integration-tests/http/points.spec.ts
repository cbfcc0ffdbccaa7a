/**
 * Pay by points from the shopper's side, on a real Medusa and PostgreSQL against the sandbox: the balance check
 * (eligible, not eligible, wrong mobile number, rate limit, never the card number in an answer or a log), the
 * consent as stored evidence, POINTS offered by Plural only under a stored consent (checked on the sandbox's side:
 * its page and its refusal of a POINTS payment), and the admin's list and CSV export.
 */
import { request } from "undici"
import { POINTS_CARD_MOBILE } from "../../src/sandbox"
import { resolvePluralGateway } from "../../src/utils/resolve-plural-gateway"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control, pay, returnToStore } from "../helpers/sandbox"
import { cartWithPluralSession, orderOfCart, PROVIDER_ID, startPluralSession } from "../helpers/store"

jest.setTimeout(240_000)

const POINTS_CARD = "4111111111111112"
const NO_POINTS_CARD = "4000000000000002"

type Answer = { status: number; data: any; headers: Record<string, string> }

/** Everything the process writes to stdout and stderr while `run` runs (Medusa's logger included). */
async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = []
  const spies = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write.bind(stream)
    return jest.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(String(chunk))
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof stream.write)
  })
  try {
    return { result: await run(), output: chunks.join("") }
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
}

pluralStoreTestRunner({
  provider: {
    pay_by_points: true,
    points_balance_rate_limit: { per_cart: 5, per_ip: 1000, window_seconds: 600 },
    points_consent: { version: "test-v1", text: "I agree to pay with my card's reward points." },
  },
  testSuite: ({ api, getContainer, sandbox, store }) => {
    const lenient = () => ({ ...store.storeHeaders, validateStatus: () => true })
    const admin = () => ({ ...store.adminHeaders, validateStatus: () => true })

    /** A cart of one ₹499.50 item (and no payment session yet). */
    async function newCart() {
      const { data } = await api.post(
        "/store/carts",
        { region_id: store.inr.region_id, email: "shopper@example.in", items: [{ variant_id: store.inr.variant_id, quantity: 1 }] },
        store.storeHeaders
      )
      return data.cart as { id: string }
    }

    const checkBalance = (cartId: string, body: unknown): Promise<Answer> =>
      api.post(`/store/plural/carts/${cartId}/points-balance`, body, lenient())

    const consent = (cartId: string, text_version = "test-v1"): Promise<Answer> =>
      api.post(`/store/plural/carts/${cartId}/points-consent`, { text_version }, lenient())

    /** Tries to pay the Plural order with points on the sandbox's page: the sandbox refuses a method the order does not allow. */
    const payWithPoints = (orderId: string) =>
      request(`${sandbox.url}/_sandbox/orders/${orderId}/complete`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome: "success", payment_method: "POINTS", send_webhook: false }),
      }).then(async (r) => ({ status: r.statusCode, body: JSON.parse(await r.body.text()) }))

    const checkoutPage = async (url: string) => (await request(url)).body.text()

    describe("balance check", () => {
      it("an eligible card: the redeemable points and amount for the cart's total, the card by its last 4 digits only", async () => {
        const cart = await newCart()
        const { result, output } = await captureOutput(() => checkBalance(cart.id, { card_number: POINTS_CARD, registered_mobile_number: POINTS_CARD_MOBILE }))
        expect(result.status).toBe(200)
        // ₹499.50: at most 70% (₹349.65) in points of 25 paise → 1398 points, ₹349.50.
        expect(result.data).toEqual({
          card_last4: "1112",
          is_eligible: true,
          redeemable_points: 1398,
          redeemable_amount: 349.5,
          balance: 237180.5,
          currency_code: "inr",
        })
        expect(JSON.stringify(result.data)).not.toContain(POINTS_CARD)
        expect(output).not.toContain(POINTS_CARD)
      })

      it("a card without points is not eligible", async () => {
        const cart = await newCart()
        const { data, status } = await checkBalance(cart.id, { card_number: NO_POINTS_CARD, registered_mobile_number: POINTS_CARD_MOBILE })
        expect(status).toBe(200)
        expect(data).toMatchObject({ card_last4: "0002", is_eligible: false, redeemable_points: 0, redeemable_amount: 0 })
      })

      it("a wrong mobile number: 400 the shopper can act on, no card number in the answer or the log", async () => {
        const cart = await newCart()
        const { result, output } = await captureOutput(() => checkBalance(cart.id, { card_number: POINTS_CARD, registered_mobile_number: "9000000000" }))
        expect(result.status).toBe(400)
        expect(result.data).toMatchObject({ code: "POINTS_CARD_NOT_VERIFIED", message: expect.stringContaining("mobile number") })
        expect(JSON.stringify(result.data)).not.toContain(POINTS_CARD)
        expect(output).not.toContain(POINTS_CARD)
      })

      it("a card number sent as a JSON number is refused naming the field, never echoing the digits", async () => {
        const cart = await newCart()
        const raw = `{"card_number": ${POINTS_CARD}, "registered_mobile_number": "${POINTS_CARD_MOBILE}"}`
        const { result, output } = await captureOutput(
          (): Promise<Answer> => api.post(`/store/plural/carts/${cart.id}/points-balance`, raw, { ...lenient(), headers: { ...store.storeHeaders.headers, "content-type": "application/json" } })
        )
        expect(result.status).toBe(400)
        expect(result.data.message).toBe("card_number: must be a string of 12 to 19 digits")
        expect(output).not.toContain(POINTS_CARD)
      })

      it("rate limited per cart, counted in PostgreSQL: the 6th check in the window is 429 with Retry-After; another cart is not affected", async () => {
        const cart = await newCart()
        const body = { card_number: NO_POINTS_CARD, registered_mobile_number: POINTS_CARD_MOBILE }
        for (let i = 0; i < 5; i++) expect((await checkBalance(cart.id, body)).status).toBe(200)
        const limited = await checkBalance(cart.id, body)
        expect(limited.status).toBe(429)
        expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0)
        expect(limited.data.message).toContain("Too many points balance checks")

        // The count every instance reads: in the plugin's table, not in this process.
        const pg = getContainer().resolve("__pg_connection__") as any
        const { rows } = await pg.raw(`select hits from plural_rate_limit where key = ?`, [`points-balance:cart:${cart.id}`])
        expect(rows).toEqual([{ hits: 6 }])

        const other = await newCart()
        expect((await checkBalance(other.id, body)).status).toBe(200)
      })

      it("only for a cart that can pay with Plural, in a store that offers pay by points", async () => {
        const { data: { cart: usd } } = await api.post("/store/carts", { region_id: store.usd.region_id, items: [{ variant_id: store.usd.variant_id, quantity: 1 }] }, store.storeHeaders)
        const body = { card_number: POINTS_CARD, registered_mobile_number: POINTS_CARD_MOBILE }
        expect((await checkBalance(usd.id, body)).data.message).toContain("INR")
        expect((await checkBalance("cart_missing", body)).status).toBe(404)
        const cart = await newCart()
        resolvePluralGateway(getContainer()).options.pay_by_points = false
        const off = await checkBalance(cart.id, body)
        expect(off.status).toBe(400)
        expect(off.data.message).toBe("This store does not offer pay by points")
        expect((await consent(cart.id)).status).toBe(400)
      })
    })

    describe("consent", () => {
      it("POINTS is offered to Plural only under a stored consent of this cart", async () => {
        const cart = await newCart()

        // No consent: Plural's page has no points, and Plural refuses a points payment.
        const plain = await startPluralSession(api, store, cart.id)
        expect(await checkoutPage(plain.data.redirect_url)).not.toContain('data-testid="method-points"')
        expect((await payWithPoints(plain.data.plural_order_id)).status).toBe(422)

        // The old session boolean alone is no consent.
        const boolean = await startPluralSession(api, store, cart.id, { pay_by_points_consent: true })
        expect((await payWithPoints(boolean.data.plural_order_id)).status).toBe(422)

        // A consent id that was never stored, or another cart's: refused before any Plural order offers points.
        const ordersBefore = (await control(sandbox, "GET", "/orders")).length
        const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id: cart.id }, store.storeHeaders)
        const sessionWith = (points_consent_id: string) =>
          api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: PROVIDER_ID, data: { points_consent_id } }, lenient())
        const unknown = await sessionWith("plcon_01NOTSTORED")
        expect(unknown.status).toBe(400)
        expect(unknown.data.message).toContain("points_consent_id")
        const otherCart = await newCart()
        const { data: { consent: foreign } } = await consent(otherCart.id)
        expect((await sessionWith(foreign.id)).status).toBe(400)
        // (Medusa's workflow puts the session it replaced back after a refusal, under a new Plural order: never with points.)
        const since: { order_id: string }[] = (await control(sandbox, "GET", "/orders")).slice(ordersBefore)
        for (const order of since) expect((await payWithPoints(order.order_id)).status).toBe(422)

        // A consent to an old text version is refused: the shopper must see the current text.
        const stale = await consent(cart.id, "test-v0")
        expect(stale.status).toBe(409)
        expect(stale.data.message).toContain("test-v1")

        // The shopper reads the text and agrees: the session offers POINTS, and Plural takes a points payment.
        const { data: shown } = await api.get(`/store/plural/carts/${cart.id}/points-consent`, store.storeHeaders)
        expect(shown).toEqual({ text_version: "test-v1", text: "I agree to pay with my card's reward points.", consent: null })
        const given = await consent(cart.id, shown.text_version)
        expect(given.status).toBe(201)
        expect(given.data.consent).toEqual({ id: expect.stringMatching(/^plcon_/), text_version: "test-v1", consented_at: expect.any(String) })
        const withPoints = await startPluralSession(api, store, cart.id, { points_consent_id: given.data.consent.id })
        expect(withPoints.data.points_consent_at).toBe(given.data.consent.consented_at)
        expect(await checkoutPage(withPoints.data.redirect_url)).toContain('data-testid="method-points"')
        const paid = await payWithPoints(withPoints.data.plural_order_id)
        expect(paid.status).toBe(200)
        expect(paid.body.order.payments.at(-1).payment_method).toBe("POINTS")
      })

      it("the stored consent names the Plural order and, once paid, the Medusa order; the admin lists and exports it", async () => {
        const { cart, session: first } = await cartWithPluralSession(api, store)
        // A signed-in shopper's cart carries their customer id.
        const customer = { id: "cus_01POINTSSHOPPER" }
        const pg = getContainer().resolve("__pg_connection__") as any
        await pg.raw(`update cart set customer_id = ? where id = ?`, [customer.id, cart.id])

        const { data: { consent: given } } = await consent(cart.id)
        const session = await startPluralSession(api, store, cart.id, { points_consent_id: given.id })
        expect(session.id).not.toBe(first.id)

        const { data: listed } = await api.get(`/admin/plural/points-consents?cart_id=${cart.id}`, store.adminHeaders)
        expect(listed.count).toBe(1)
        expect(listed.consents[0]).toMatchObject({
          id: given.id,
          cart_id: cart.id,
          customer_id: customer.id,
          text_version: "test-v1",
          text: "I agree to pay with my card's reward points.",
          session_id: session.id,
          merchant_order_reference: session.data.merchant_order_reference,
          plural_order_id: session.data.plural_order_id,
          order_id: null,
        })
        const { rows } = await pg.raw(`select points_consent_id from plural_order where plural_order_id = ?`, [session.data.plural_order_id])
        expect(rows).toEqual([{ points_consent_id: given.id }])

        const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
        await returnToStore(api, paid.callback.fields)
        const order = await orderOfCart(getContainer(), cart.id)
        expect(order).toBeDefined()

        const { data: byOrder } = await api.get(`/admin/plural/points-consents?order_id=${order.id}`, store.adminHeaders)
        expect(byOrder.consents.map((c: { id: string; order_id: string }) => [c.id, c.order_id])).toEqual([[given.id, order.id]])
        const { data: byCustomer } = await api.get(`/admin/plural/points-consents?customer_id=${customer.id}`, store.adminHeaders)
        expect(byCustomer.consents.map((c: { id: string }) => c.id)).toEqual([given.id])

        const csv: Answer = await api.get(`/admin/plural/points-consents/export?order_id=${order.id}`, admin())
        expect(csv.status).toBe(200)
        expect(csv.headers["content-type"]).toContain("text/csv")
        const lines = String(csv.data).trimEnd().split("\r\n")
        expect(lines[0]).toBe("consent_id,consented_at,text_version,text,cart_id,customer_id,order_id,plural_order_id,merchant_order_reference")
        expect(lines).toHaveLength(2)
        expect(lines[1]).toContain(`${given.id},`)
        expect(lines[1]).toContain(`,${order.id},${session.data.plural_order_id},`)
      })

      it("the CSV never hands a spreadsheet a formula, whatever the consent text says", async () => {
        resolvePluralGateway(getContainer()).options.points_consent = { version: "=1+2", text: "=HYPERLINK(\"http://evil.example\",\"x\")" }
        const cart = await newCart()
        expect((await consent(cart.id, "=1+2")).status).toBe(201)
        const csv = await api.get(`/admin/plural/points-consents/export?cart_id=${cart.id}`, admin())
        const [, row] = String(csv.data).trimEnd().split("\r\n")
        expect(row).toContain(`,'=1+2,"'=HYPERLINK(""http://evil.example"",""x"")",${cart.id},`)
      })

      it("the admin's filters are validated", async () => {
        const bad = await api.get(`/admin/plural/points-consents?limit=0`, admin())
        expect(bad.status).toBe(400)
        expect(bad.data.message).toContain("limit")
      })
    })
  },
})
