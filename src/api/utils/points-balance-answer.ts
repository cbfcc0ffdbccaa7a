import type { PaymentOptionResponse } from "../../plural"
import type { PointsBalance } from "../../shared/answers"
import { fromMinorUnits } from "../../utils/money"

/** What the admin and the storefront are told of a points balance: amounts in rupees, the card only by its last 4 digits. */
export function pointsBalanceAnswer(cardNumber: string, balance: PaymentOptionResponse): PointsBalance {
  return {
    card_last4: cardNumber.slice(-4),
    is_eligible: balance.is_eligible,
    redeemable_points: balance.redeemable_points,
    balance: fromMinorUnits(balance.balance.value, balance.balance.currency).numeric,
    redeemable_amount: fromMinorUnits(balance.redeemable_amount.value, balance.redeemable_amount.currency).numeric,
    currency_code: balance.balance.currency.toLowerCase(),
  }
}
