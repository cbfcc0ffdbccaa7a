/**
 * What a shopper's store-API calls answer. The storefront's polling route answers only what the README documents
 * ("The settle route's answers"): each answer met on the way — unpaid, a declined try, Plural down, paid, an order
 * given up at Plural, an unknown cart — has the fields of one documented shape, no more and none missing. Starting a
 * payment while Plural refuses the credentials or is down tells the shopper only what a shopper should read.
 */
import { readFileSync } from "node:fs"
import path from "node:path"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control, eventually, pay } from "../helpers/sandbox"
import { cartOfOneItem, cartWithPluralSession, requestPluralSession } from "../helpers/store"

jest.setTimeout(300_000)

type Shape = { status: string; required: string[]; optional: string[] }

/** The answers the README lists: `{status: "pending", cart_id, paid: true, last_attempt?: {code, reason}}` → keys. */
function documentedAnswers(): Shape[] {
  const readme = readFileSync(path.join(__dirname, "../../README.md"), "utf8")
  const section = readme.split("### The settle route's answers")[1]?.split("\n#")[0] ?? ""
  const shapes = [...section.matchAll(/^- `(\{status: [^`]+\})`/gm)].map(([, shape]) => {
    const fields = topLevelFields(shape.slice(1, -1))
    const status = /status: "(\w+)"/.exec(shape)![1]
    return {
      status,
      required: fields.filter((f) => !f.endsWith("?")),
      optional: fields.filter((f) => f.endsWith("?")).map((f) => f.slice(0, -1)),
    }
  })
  expect(shapes.length).toBeGreaterThanOrEqual(5)
  return shapes
}

/** `status: "x", cart_id, last_attempt: {code, reason}` → ["status", "cart_id", "last_attempt"] (nested keys skipped). */
function topLevelFields(body: string): string[] {
  const fields: string[] = []
  let depth = 0
  let current = ""
  for (const char of `${body},`) {
    if (char === "{") depth++
    if (char === "}") depth--
    if (char === "," && depth === 0) {
      fields.push(current.split(":")[0].trim())
      current = ""
    } else current += char
  }
  return fields
}

function expectDocumented(answer: Record<string, unknown>, shapes: Shape[]) {
  const keys = Object.keys(answer)
  const match = shapes.find(
    (s) => s.status === answer.status && s.required.every((k) => keys.includes(k)) && keys.every((k) => s.required.includes(k) || s.optional.includes(k))
  )
  if (!match) throw new Error(`the README documents no settle answer like ${JSON.stringify(answer)}`)
  if (answer.last_attempt) expect(Object.keys(answer.last_attempt as object).sort()).toEqual(["code", "reason"])
}

pluralStoreTestRunner({
  retries: 0,
  testSuite: ({ api, sandbox, store }) => {
    const shapes = documentedAnswers()
    const settle = (cartId: string) => api.post(`/store/plural/carts/${cartId}/settle`, {}, store.storeHeaders).then((r: { data: any }) => r.data)
    /** The next answer that is not the one before (an unpaid order is read from Plural once per poll interval). */
    const settleUntil = (cartId: string, done: (answer: any) => boolean, what: string) =>
      eventually(async () => {
        const answer = await settle(cartId)
        return done(answer) && answer
      }, what)

    it("a UPI collect from unpaid through a declined try and Plural down to paid: every answer is documented", async () => {
      const { cart, session } = await cartWithPluralSession(api, store, { data: { flow: "upi_collect", upi_vpa: "asha@okbank" } })
      const unpaid = await settle(cart.id)
      expect(unpaid).toEqual({ status: "pending", cart_id: cart.id })
      expectDocumented(unpaid, shapes)

      const payOnPhone = (body: Record<string, unknown>) =>
        control(sandbox, "POST", `/orders/${session.data.plural_order_id}/complete`, { payment_method: "UPI", send_webhook: false, ...body })
      await payOnPhone({ outcome: "failure", error_code: "INSUFFICIENT_FUNDS" })
      const declined = await settleUntil(cart.id, (a) => Boolean(a.last_attempt), "the declined try")
      expect(declined).toMatchObject({ status: "pending", cart_id: cart.id, last_attempt: { code: "INSUFFICIENT_FUNDS", reason: expect.any(String) } })
      expectDocumented(declined, shapes)

      // Plural down for one read: every answer until that read has happened (throttled ones included) is the same.
      await control(sandbox, "POST", "/faults", { route: "get_order", kind: "status", status: 500, count: 1 })
      const whileDown: any[] = []
      await eventually(async () => {
        whileDown.push(await settle(cart.id))
        return (await control(sandbox, "GET", "/faults")).length === 0
      }, "a read of the order to meet the fault")
      for (const answer of whileDown) {
        expect(answer).toEqual({ status: "pending", cart_id: cart.id })
        expectDocumented(answer, shapes)
      }

      await payOnPhone({ outcome: "success" })
      const completed = await settleUntil(cart.id, (a) => a.status === "completed", "the payment")
      expect(completed).toEqual({ status: "completed", cart_id: cart.id, order_id: expect.stringMatching(/^order_/) })
      expectDocumented(completed, shapes)
    })

    it("a hosted checkout the shopper cancelled at Plural is failed, as documented", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      await pay(sandbox, session.data.plural_order_id, { outcome: "cancel", send_webhook: false })
      const failed = await settleUntil(cart.id, (a) => a.status !== "pending", "the cancellation")
      expect(failed).toMatchObject({ status: "failed", cart_id: cart.id, code: expect.any(String), reason: expect.any(String) })
      expectDocumented(failed, shapes)
    })

    it.each([
      ["refuses the credentials", "token", 401, "Payment by Plural is not available right now"],
      ["is down", "hosted_checkout", 503, "Plural, our payment partner, is not answering right now"],
    ])("starting a payment while Plural %s: the shopper reads a shopper's message", async (_what, route, status, shopperMessage) => {
      const cart = await cartOfOneItem(api, store)
      // A fresh token is needed for the credentials to be asked about again.
      await control(sandbox, "POST", "/tokens/expire")
      await control(sandbox, "POST", "/faults", { route, kind: "status", status, count: 10 })
      const started = await requestPluralSession(api, store, cart.id)
      expect(started.status).toBe(500)
      expect(started.data.message.startsWith(shopperMessage)).toBe(true)
      expect(started.data.message).not.toMatch(/client_id|client_secret|credential|environment|dashboard|Request-ID|retry is keyed/i)
    })

    it("a cart that does not exist, or has no Plural payment, is a 404", async () => {
      const missing = await api.post(`/store/plural/carts/cart_missing/settle`, {}, { ...store.storeHeaders, validateStatus: () => true })
      expect(missing.status).toBe(404)
      const { data: { cart } } = await api.post("/store/carts", { region_id: store.inr.region_id }, store.storeHeaders)
      const unpaid = await api.post(`/store/plural/carts/${cart.id}/settle`, {}, { ...store.storeHeaders, validateStatus: () => true })
      expect(unpaid.status).toBe(404)
    })
  },
})
