/** Pay by points: a card's points balance and what this amount could redeem. The card number is never stored or logged. */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { fromMinorUnits, toMinorUnits } from "../../../../providers/plural/utils/money"
import { resolvePluralProvider } from "../../../../utils/resolve-plural-provider"
import type { PointsBalanceRequest } from "./validators"

export async function POST(req: AuthenticatedMedusaRequest<PointsBalanceRequest>, res: MedusaResponse) {
  const { card_number, registered_mobile_number, amount, currency_code } = req.validatedBody
  const balance = await resolvePluralProvider(req.scope).checkPointsBalance({
    card_number,
    registered_mobile_number,
    amount: toMinorUnits(amount, currency_code),
    currency_code,
  })
  res.json({
    card_last4: card_number.slice(-4),
    is_eligible: balance.is_eligible,
    redeemable_points: balance.redeemable_points,
    balance: fromMinorUnits(balance.balance.value, balance.balance.currency).numeric,
    redeemable_amount: fromMinorUnits(balance.redeemable_amount.value, balance.redeemable_amount.currency).numeric,
    currency_code: balance.balance.currency.toLowerCase(),
  })
}
