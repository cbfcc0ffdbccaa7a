import { readPluralReturn } from "../../../../../storefront"
import { landingFor } from "../landing"

const STARTER = {
  success: "https://shop.example.in/{country_code}/order/{order_id}/confirmed",
  failure: "https://shop.example.in/{country_code}/checkout?step=payment",
}
const FIXED = { success: "https://shop.example.in/order/confirmed", failure: "https://shop.example.in/checkout/failed" }

describe("where the callback sends the shopper", () => {
  it("paid: the starter's order page, with the same query parameters as a fixed URL", () => {
    const url = landingFor(STARTER, { status: "completed", order_id: "order_1", cart_id: "cart_1" }, "in")
    expect(url).toBe("https://shop.example.in/in/order/order_1/confirmed?order_id=order_1&cart_id=cart_1")
    expect(readPluralReturn(url)).toEqual({ status: "completed", orderId: "order_1", cartId: "cart_1" })
  })

  it("paid, fixed URL: unchanged from before placeholders", () => {
    expect(landingFor(FIXED, { status: "completed", order_id: "order_1", cart_id: "cart_1" })).toBe(
      "https://shop.example.in/order/confirmed?order_id=order_1&cart_id=cart_1"
    )
  })

  it("not confirmed yet, and the order page needs an order id: the checkout, which polls", () => {
    const url = landingFor(STARTER, { status: "pending", cart_id: "cart_1", paid: true }, "in")
    expect(url).toBe("https://shop.example.in/in/checkout?step=payment&cart_id=cart_1&status=pending")
    expect(readPluralReturn(url)).toEqual({ status: "pending", cartId: "cart_1" })
  })

  it("not confirmed yet, fixed URL: the success URL with status=pending, as before", () => {
    expect(landingFor(FIXED, { status: "pending", cart_id: "cart_1" })).toBe("https://shop.example.in/order/confirmed?cart_id=cart_1&status=pending")
  })

  it("a failed attempt, a failure and money given back: the checkout with a reason the shopper can read", () => {
    const attempt = landingFor(STARTER, { status: "pending", cart_id: "cart_1", last_attempt: { code: "PAYMENT_DECLINED", reason: "Declined" } }, "in")
    expect(readPluralReturn(attempt)).toEqual({ status: "failed", cartId: "cart_1", code: "PAYMENT_DECLINED", reason: "Declined" })
    expect(new URL(attempt).pathname).toBe("/in/checkout")

    const failed = landingFor(STARTER, { status: "failed", cart_id: "cart_1", code: "EXPIRED", reason: "Expired" }, "in")
    expect(failed).toBe("https://shop.example.in/in/checkout?step=payment&cart_id=cart_1&code=EXPIRED&reason=Expired")

    const refunded = landingFor(FIXED, { status: "refunded", cart_id: "cart_1", code: "REFUNDED", reason: "Refunded" })
    expect(readPluralReturn(refunded)).toMatchObject({ status: "failed", code: "REFUNDED" })
  })

  it("no country known: the segment is left out (the starter's middleware adds the shopper's region)", () => {
    expect(landingFor(STARTER, { status: "failed", code: "FAILED", reason: "No" })).toBe(
      "https://shop.example.in/checkout?step=payment&code=FAILED&reason=No"
    )
  })
})
