import {
  PluralStorefrontError,
  checkPointsBalance,
  getPointsConsent,
  givePointsConsent,
  normalizeMobileNumber,
  isValidUpiVpa,
  pollPluralPayment,
  readPluralReturn,
  settlePluralCart,
  startPluralPayment,
} from "../index"

type Call = { url: string; method: string; headers: Record<string, string>; body?: unknown }

/** A fake `fetch` answering from a list of handlers, recording every call. */
function fakeFetch(handler: (call: Call) => { status?: number; body?: unknown } | Error) {
  const calls: Call[] = []
  const fetch = (async (input: string, init: any = {}) => {
    const call: Call = {
      url: String(input),
      method: init.method ?? "GET",
      headers: init.headers ?? {},
      body: init.body ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    const answer = handler(call)
    if (answer instanceof Error) throw answer
    const status = answer.status ?? 200
    return new Response(answer.body === undefined ? "" : JSON.stringify(answer.body), { status })
  }) as unknown as typeof globalThis.fetch
  return { fetch, calls }
}

const session = (data: Record<string, unknown>) => ({
  payment_collection: {
    id: "paycol_1",
    payment_sessions: [{ id: "payses_1", provider_id: "pp_plural_plural", data }],
  },
})

const client = (fetch: typeof globalThis.fetch) => ({ baseUrl: "http://store.test/", publishableKey: "pk_test", fetch })

describe("startPluralPayment", () => {
  it("creates a payment collection when the cart has none, then a hosted session, and says redirect", async () => {
    const { fetch, calls } = fakeFetch((call) =>
      call.url.endsWith("/store/payment-collections")
        ? { body: { payment_collection: { id: "paycol_1" } } }
        : { body: session({ flow: "hosted", redirect_url: "https://sandbox.test/pay/abc", amount: 49950 }) }
    )
    const action = await startPluralPayment(client(fetch), { cart: { id: "cart_1" } })
    expect(action).toMatchObject({ action: "redirect", url: "https://sandbox.test/pay/abc" })
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "POST http://store.test/store/payment-collections",
      "POST http://store.test/store/payment-collections/paycol_1/payment-sessions",
    ])
    expect(calls[0].body).toEqual({ cart_id: "cart_1" })
    expect(calls[1].body).toEqual({ provider_id: "pp_plural_plural", data: { flow: "hosted" } })
    expect(calls[1].headers["x-publishable-api-key"]).toBe("pk_test")
  })

  it("reuses the cart's payment collection and maps each UPI flow to an action", async () => {
    const answers: Record<string, Record<string, unknown>> = {
      upi_intent: { flow: "upi_intent", challenge_url: "upi://pay?pa=x" },
      upi_qr: { flow: "upi_qr", image_url: "http://sandbox.test/qr.png" },
      upi_collect: { flow: "upi_collect" },
    }
    for (const flow of ["upi_intent", "upi_qr", "upi_collect"] as const) {
      const { fetch, calls } = fakeFetch(() => ({ body: session(answers[flow]) }))
      const action = await startPluralPayment(client(fetch), {
        cart: { id: "cart_1", payment_collection: { id: "paycol_9" } },
        flow,
        upiVpa: " shopper@okbank ",
      })
      expect(calls).toHaveLength(1)
      expect(calls[0].url).toBe("http://store.test/store/payment-collections/paycol_9/payment-sessions")
      if (flow === "upi_intent") expect(action).toMatchObject({ action: "open_upi_app", url: "upi://pay?pa=x" })
      if (flow === "upi_qr") expect(action).toMatchObject({ action: "show_qr", imageUrl: "http://sandbox.test/qr.png" })
      if (flow === "upi_collect") {
        expect(action.action).toBe("await_approval")
        expect((calls[0].body as any).data).toEqual({ flow: "upi_collect", upi_vpa: "shopper@okbank" })
      }
    }
  })

  it("works through a JS SDK instance", async () => {
    const seen: unknown[] = []
    const sdk = {
      client: {
        fetch: async (path: string, init?: unknown) => {
          seen.push([path, init])
          return session({ flow: "hosted", redirect_url: "https://sandbox.test/pay/1" }) as any
        },
      },
    }
    const action = await startPluralPayment({ sdk }, { cart: { id: "c", payment_collection: { id: "pc" } } })
    expect(action).toMatchObject({ action: "redirect", url: "https://sandbox.test/pay/1" })
    // The SDK instance itself works too.
    await expect(startPluralPayment(sdk, { cart: { id: "c", payment_collection: { id: "pc" } } })).resolves.toMatchObject({
      action: "redirect",
    })
    expect(seen[0]).toEqual([
      "/store/payment-collections/pc/payment-sessions",
      { method: "POST", body: { provider_id: "pp_plural_plural", data: { flow: "hosted" } } },
    ])
  })

  it("leaves the currency to the store: a USD cart is sent, and the store's refusal reaches the shopper", async () => {
    const refusal = "Plural is not enabled for USD in this store"
    const { fetch, calls } = fakeFetch(() => ({ status: 400, body: { message: refusal } }))
    // A full store cart, currency and all, fits.
    const cart = { id: "cart_usd", currency_code: "usd", total: 1200, payment_collection: { id: "pc" } }
    await expect(startPluralPayment(client(fetch), { cart })).rejects.toMatchObject({ status: 400, message: refusal })
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["POST http://store.test/store/payment-collections/pc/payment-sessions"])
    expect(calls[0].body).toEqual({ provider_id: "pp_plural_plural", data: { flow: "hosted" } })
  })

  it("refuses a bad UPI id and an unknown flow before calling the store", async () => {
    const { fetch, calls } = fakeFetch(() => ({ body: {} }))
    await expect(
      startPluralPayment(client(fetch), { cart: { id: "c" }, flow: "upi_collect", upiVpa: "not-a-vpa" })
    ).rejects.toMatchObject({ code: "INVALID_UPI_VPA" })
    await expect(startPluralPayment(client(fetch), { cart: { id: "c" }, flow: "card" as any })).rejects.toThrow(
      /Unknown Plural flow/
    )
    expect(calls).toHaveLength(0)
  })

  it("passes the store's error message on", async () => {
    const { fetch } = fakeFetch(() => ({ status: 400, body: { message: "Plural supports INR carts only" } }))
    const failure = startPluralPayment(client(fetch), { cart: { id: "c", payment_collection: { id: "pc" } } })
    await expect(failure).rejects.toBeInstanceOf(PluralStorefrontError)
    await expect(failure).rejects.toMatchObject({ status: 400, message: "Plural supports INR carts only" })
  })

  it("complains when the session lacks what its flow needs", async () => {
    const { fetch } = fakeFetch(() => ({ body: session({ flow: "hosted" }) }))
    await expect(
      startPluralPayment(client(fetch), { cart: { id: "c", payment_collection: { id: "pc" } } })
    ).rejects.toMatchObject({ code: "INCOMPLETE_SESSION" })
  })
})

describe("pollPluralPayment", () => {
  it("polls the settle route with growing delays until the order exists", async () => {
    const answers = [{ status: "pending" }, { status: "pending" }, { status: "completed", order_id: "order_1" }]
    const { fetch, calls } = fakeFetch(() => ({ body: answers.shift() }))
    const attempts: number[] = []
    const result = await pollPluralPayment(client(fetch), {
      cartId: "cart_1",
      initialDelayMs: 1,
      onAttempt: (_r, n) => attempts.push(n),
    })
    expect(result).toEqual({ status: "completed", order_id: "order_1" })
    expect(attempts).toEqual([1, 2, 3])
    expect(calls.every((c) => c.method === "POST" && c.url === "http://store.test/store/plural/carts/cart_1/settle")).toBe(
      true
    )
  })

  it("stops at a failure, and after maxAttempts pending answers", async () => {
    const failing = fakeFetch(() => ({ body: { status: "failed", reason: "Declined", code: "PAYMENT_DECLINED" } }))
    await expect(pollPluralPayment(client(failing.fetch), { cartId: "c", initialDelayMs: 1 })).resolves.toEqual({
      status: "failed",
      reason: "Declined",
      code: "PAYMENT_DECLINED",
    })
    const pending = fakeFetch(() => ({ body: { status: "pending" } }))
    await expect(
      pollPluralPayment(client(pending.fetch), { cartId: "c", initialDelayMs: 1, maxAttempts: 4 })
    ).resolves.toEqual({ status: "pending" })
    expect(pending.calls).toHaveLength(4)
  })

  it("ends at a failed attempt unless told to wait for Plural to give up on the order", async () => {
    const attempt = { status: "pending", cart_id: "c", last_attempt: { code: "PAYMENT_DECLINED", reason: "Declined" } }
    const declined = fakeFetch(() => ({ body: attempt }))
    await expect(pollPluralPayment(client(declined.fetch), { cartId: "c", initialDelayMs: 1 })).resolves.toEqual({
      status: "failed",
      cart_id: "c",
      reason: "Declined",
      code: "PAYMENT_DECLINED",
      retryable: true,
    })
    const answers = [attempt, { status: "completed", order_id: "order_2" }]
    const retried = fakeFetch(() => ({ body: answers.shift() }))
    await expect(
      pollPluralPayment(client(retried.fetch), { cartId: "c", initialDelayMs: 1, failOnAttempt: false })
    ).resolves.toEqual({ status: "completed", order_id: "order_2" })
  })

  it("retries network errors and 5xx, but gives up on a 4xx", async () => {
    let n = 0
    const flaky = fakeFetch(() =>
      ++n === 1 ? new TypeError("fetch failed") : n === 2 ? { status: 503 } : { body: { status: "completed", order_id: "o" } }
    )
    await expect(pollPluralPayment(client(flaky.fetch), { cartId: "c", initialDelayMs: 1 })).resolves.toMatchObject({
      status: "completed",
    })
    const notFound = fakeFetch(() => ({ status: 404, body: { message: "Cart not found" } }))
    await expect(pollPluralPayment(client(notFound.fetch), { cartId: "c", initialDelayMs: 1 })).rejects.toMatchObject({
      status: 404,
    })
    expect(notFound.calls).toHaveLength(1)
  })

  it("stops when the signal aborts", async () => {
    const { fetch } = fakeFetch(() => ({ body: { status: "pending" } }))
    const controller = new AbortController()
    const polling = pollPluralPayment(client(fetch), { cartId: "c", initialDelayMs: 50, signal: controller.signal })
    controller.abort(new Error("left the page"))
    await expect(polling).rejects.toThrow("left the page")
  })

  it("settlePluralCart is one call", async () => {
    const { fetch, calls } = fakeFetch(() => ({ body: { status: "pending" } }))
    await expect(settlePluralCart(client(fetch), "cart/1")).resolves.toEqual({ status: "pending" })
    expect(calls[0].url).toBe("http://store.test/store/plural/carts/cart%2F1/settle")
  })
})

describe("readPluralReturn", () => {
  it("reads the success and failure return URLs", () => {
    expect(readPluralReturn("https://shop.test/order/confirmed?order_id=order_1&cart_id=cart_1")).toEqual({
      status: "completed",
      orderId: "order_1",
      cartId: "cart_1",
    })
    expect(
      readPluralReturn(new URL("https://shop.test/checkout/failed?cart_id=cart_1&reason=Card+declined&code=PAYMENT_DECLINED"))
    ).toEqual({ status: "failed", cartId: "cart_1", reason: "Card declined", code: "PAYMENT_DECLINED" })
    expect(readPluralReturn("https://shop.test/order/confirmed?cart_id=cart_1&status=pending")).toEqual({
      status: "pending",
      cartId: "cart_1",
    })
    expect(readPluralReturn({ search: "?code=PAYMENT_EXPIRED" })).toMatchObject({ status: "failed", code: "PAYMENT_EXPIRED" })
    expect(readPluralReturn("/checkout")).toBeNull()
  })
})

describe("isValidUpiVpa", () => {
  it("accepts name@bank and refuses the rest", () => {
    expect(isValidUpiVpa("shopper.name-1@okicici")).toBe(true)
    expect(isValidUpiVpa("shopper")).toBe(false)
    expect(isValidUpiVpa("@bank")).toBe(false)
    expect(isValidUpiVpa("a b@bank")).toBe(false)
  })
})

describe("pay by points", () => {
  const CARD = "4111111111111112"

  it("reads the consent text, records the consent, and passes its id to the payment session", async () => {
    const { fetch, calls } = fakeFetch((call) => {
      if (call.url.endsWith("/points-consent") && call.method === "GET") return { body: { text_version: "v2", text: "I agree…", consent: null } }
      if (call.url.endsWith("/points-consent")) return { status: 201, body: { consent: { id: "plcon_1", text_version: "v2", consented_at: "2026-11-30T09:00:00.000Z" } } }
      return { body: session({ flow: "hosted", redirect_url: "https://sandbox.test/pay/abc" }) }
    })
    const info = await getPointsConsent(client(fetch), "cart_1")
    expect(info).toEqual({ text_version: "v2", text: "I agree…", consent: null })
    const consent = await givePointsConsent(client(fetch), "cart_1", info.text_version)
    expect(consent.id).toBe("plcon_1")
    await startPluralPayment(client(fetch), { cart: { id: "cart_1", payment_collection: { id: "paycol_1" } }, pointsConsentId: consent.id })
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET http://store.test/store/plural/carts/cart_1/points-consent",
      "POST http://store.test/store/plural/carts/cart_1/points-consent",
      "POST http://store.test/store/payment-collections/paycol_1/payment-sessions",
    ])
    expect(calls[1].body).toEqual({ text_version: "v2" })
    expect(calls[2].body).toEqual({ provider_id: "pp_plural_plural", data: { flow: "hosted", points_consent_id: "plcon_1" } })
  })

  it("checks a balance with the card's digits and a 10-digit mobile number", async () => {
    const answer = { card_last4: "1112", is_eligible: true, redeemable_points: 140, balance: 237180.5, redeemable_amount: 35, currency_code: "inr" }
    const { fetch, calls } = fakeFetch(() => ({ body: answer }))
    const balance = await checkPointsBalance(client(fetch), { cartId: "cart_1", cardNumber: "4111 1111 1111 1112", mobileNumber: "+91 98765 43210" })
    expect(balance).toEqual(answer)
    expect(calls[0].url).toBe("http://store.test/store/plural/carts/cart_1/points-balance")
    expect(calls[0].body).toEqual({ card_number: CARD, registered_mobile_number: "9876543210" })
  })

  it.each([
    ["4111 1111", "9876543210", "INVALID_CARD_NUMBER"],
    [CARD, "98765", "INVALID_MOBILE_NUMBER"],
  ])("refuses %p / %p before sending anything", async (cardNumber, mobileNumber, code) => {
    const { fetch, calls } = fakeFetch(() => ({ body: {} }))
    await expect(checkPointsBalance(client(fetch), { cartId: "cart_1", cardNumber, mobileNumber })).rejects.toMatchObject({ code })
    expect(calls).toHaveLength(0)
  })

  it("passes the store's refusal on with its status and code", async () => {
    const { fetch } = fakeFetch(() => ({ status: 400, body: { type: "invalid_data", code: "POINTS_CARD_NOT_VERIFIED", message: "not verified" } }))
    const error = await checkPointsBalance(client(fetch), { cartId: "cart_1", cardNumber: CARD, mobileNumber: "9000000000" }).catch((e) => e)
    expect(error).toBeInstanceOf(PluralStorefrontError)
    expect(error).toMatchObject({ status: 400, code: "POINTS_CARD_NOT_VERIFIED", message: "not verified" })
  })

  it("normalizes mobile numbers", () => {
    expect(normalizeMobileNumber("+91 98765-43210")).toBe("9876543210")
    expect(normalizeMobileNumber("09876543210")).toBe("9876543210")
    expect(normalizeMobileNumber("9876543210")).toBe("9876543210")
  })
})
