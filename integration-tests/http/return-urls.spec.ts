/**
 * Return URLs shaped like Medusa's Next.js starter: `/{country_code}/order/{order_id}/confirmed` after paying and
 * `/{country_code}/checkout?step=payment` otherwise, filled by the callback route from the settlement and the cart.
 */
import { signCallback } from "../../src/plural"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control, eventually, pay, returnToStore } from "../helpers/sandbox"
import { cartWithPluralSession, countOrdersOfCart, orderOfCart } from "../helpers/store"

jest.setTimeout(240_000)

const SUCCESS = "http://storefront.test/{country_code}/order/{order_id}/confirmed"
const FAILURE = "http://storefront.test/{country_code}/checkout?step=payment"

pluralStoreTestRunner({
  provider: { storefront_success_url: SUCCESS, storefront_failure_url: FAILURE },
  testSuite: ({ api, getContainer, sandbox, store }) => {
    const pluralOrder = (id: string) => control(sandbox, "GET", `/orders/${id}`)
    const landing = (back: { status: number; headers: Record<string, string> }) => {
      expect(back.status).toBe(303)
      return new URL(back.headers.location)
    }

    it("paid: the shopper lands on the starter's order page, named by the order id and the cart's country", async () => {
      // The cart has a billing address in India and no shipping address: the country comes from the billing one.
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const url = landing(await returnToStore(api, paid.callback.fields))

      const order = await orderOfCart(getContainer(), cart.id)
      expect(url.origin + url.pathname).toBe(`http://storefront.test/in/order/${order.id}/confirmed`)
      expect(Object.fromEntries(url.searchParams)).toEqual({ order_id: order.id, cart_id: cart.id })
      expect(order.payment_collections[0].payments[0].captured_at).toBeTruthy()
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("PROCESSED")
    })

    it("declined: the checkout in the cart's country, with the reason; nothing paid, no order", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const failed = await pay(sandbox, session.data.plural_order_id, { outcome: "failure", error_code: "PAYMENT_DECLINED", send_webhook: false })
      const url = landing(await returnToStore(api, failed.callback.fields))

      expect(url.origin + url.pathname).toBe("http://storefront.test/in/checkout")
      expect(url.searchParams.get("step")).toBe("payment")
      expect(url.searchParams.get("cart_id")).toBe(cart.id)
      expect(url.searchParams.get("code")).toBe("PAYMENT_DECLINED")
      expect(url.searchParams.get("reason")).toBeTruthy()
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
      expect((await pluralOrder(session.data.plural_order_id)).status).not.toBe("PROCESSED")
    })

    it("back before Plural confirms: the checkout with status=pending (no order id to show yet); the order follows", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const orderId = session.data.plural_order_id
      // A signed return for an order Plural has not seen paid yet (a slow wallet).
      const fields: Record<string, string> = { order_id: orderId, payment_status: "PENDING" }
      fields.signature = signCallback(fields, sandbox.merchant.secret_key)
      const url = landing(await returnToStore(api, fields))

      expect(url.origin + url.pathname).toBe("http://storefront.test/in/checkout")
      expect(Object.fromEntries(url.searchParams)).toEqual({ step: "payment", cart_id: cart.id, status: "pending" })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)

      // Then Plural confirms: what the checkout's polling asks for becomes the order.
      await pay(sandbox, orderId, { send_webhook: false })
      const settled = await eventually(async () => {
        const { data } = await api.post(`/store/plural/carts/${cart.id}/settle`, {}, store.storeHeaders)
        return data.status === "completed" && data
      }, "the polling to see the payment")
      expect(settled.order_id).toBe((await orderOfCart(getContainer(), cart.id)).id)
      expect((await pluralOrder(orderId)).status).toBe("PROCESSED")
    })

    it("a forged return: the checkout without a country segment (none can be trusted), nothing changed", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const url = landing(await returnToStore(api, { ...paid.callback.fields, signature: "00".repeat(32) }))

      expect(url.origin + url.pathname).toBe("http://storefront.test/checkout")
      expect(url.searchParams.get("code")).toBe("INVALID_SIGNATURE")
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
    })
  },
})
