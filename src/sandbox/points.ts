/**
 * Pay by points: a fixed table of test cards and their balances. One point is worth 25 paise and at most 70% of
 * an order may be paid with points, which reproduces seed 000's sample exactly (card …1112, ₹50 order →
 * ₹35 redeemable, 140 points). A known card asked with another mobile number than the one registered with it is
 * refused as Plural's bank partners would: 422 USER_AUTHENTICATION_FAILED. An unknown card has no points.
 */
import type { PaymentOptionRequest, PaymentOptionResponse } from "../plural/schemas"
import { invalid, PluralFailure } from "./http"

const PAISE_PER_POINT = 25
const REDEEMABLE_SHARE = 0.7

/** The mobile number registered with every test points card (seed 000's). */
export const POINTS_CARD_MOBILE = "9876543210"

/** Test card number → points balance. */
export const POINTS_CARDS: Readonly<Record<string, number>> = {
  "4111111111111112": 948_722,
  "5555555555554444": 400,
  "4000000000000002": 0,
}

export function pointsBalance(request: PaymentOptionRequest): PaymentOptionResponse {
  const { card_number, card_last4, registered_mobile_number } = request.payment_option.points_card_details
  if (!card_number.endsWith(card_last4)) {
    throw invalid("payment_option.points_card_details.card_last4", "does not match card_number")
  }
  if (card_number in POINTS_CARDS && registered_mobile_number !== POINTS_CARD_MOBILE) {
    throw new PluralFailure(422, "USER_AUTHENTICATION_FAILED", "The mobile number is not the one registered with this card")
  }
  const currency = request.order_details.order_amount.currency
  const points = POINTS_CARDS[card_number] ?? 0
  const balance = points * PAISE_PER_POINT
  const cap = Math.floor(request.order_details.order_amount.value * REDEEMABLE_SHARE)
  const redeemablePoints = Math.floor(Math.min(balance, cap) / PAISE_PER_POINT)
  return {
    balance: { value: balance, currency },
    redeemable_amount: { value: redeemablePoints * PAISE_PER_POINT, currency },
    redeemable_points: redeemablePoints,
    is_eligible: redeemablePoints > 0,
  }
}
