import { PluralFailure } from "../http"
import { POINTS_CARD_MOBILE, pointsBalance } from "../points"

const ask = (card_number: string, registered_mobile_number = POINTS_CARD_MOBILE, value = 5000) =>
  pointsBalance({
    payment_option: { points_card_details: { card_number, card_last4: card_number.slice(-4), registered_mobile_number } },
    order_details: { order_amount: { value, currency: "INR" } },
  })

describe("sandbox pay by points", () => {
  it("the seed's card on a ₹50 order: 140 points for ₹35", () => {
    expect(ask("4111111111111112")).toMatchObject({ redeemable_points: 140, redeemable_amount: { value: 3500 }, is_eligible: true })
  })

  it("a card without points, and an unknown card, are not eligible", () => {
    expect(ask("4000000000000002")).toMatchObject({ redeemable_points: 0, is_eligible: false })
    expect(ask("4242424242424242", "9000000000")).toMatchObject({ balance: { value: 0 }, is_eligible: false })
  })

  it("a known card with another mobile number is refused: 422 USER_AUTHENTICATION_FAILED", () => {
    let failure: unknown
    try {
      ask("4111111111111112", "9000000000")
    } catch (error) {
      failure = error
    }
    expect(failure).toBeInstanceOf(PluralFailure)
    expect(failure).toMatchObject({ status: 422, code: "USER_AUTHENTICATION_FAILED" })
    expect((failure as Error).message).not.toContain("4111111111111112")
  })
})
