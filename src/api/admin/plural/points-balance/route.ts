/** Pay by points: a card's points balance and what this amount could redeem. The card number is never stored or logged. */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { toMinorUnits } from "../../../../utils/money"
import { resolvePluralGateway } from "../../../../utils/resolve-plural-gateway"
import { pointsBalanceAnswer } from "../../../utils/points-balance-answer"
import type { PointsBalanceRequest } from "./validators"

export async function POST(req: AuthenticatedMedusaRequest<PointsBalanceRequest>, res: MedusaResponse) {
  const { card_number, registered_mobile_number, amount, currency_code } = req.validatedBody
  const balance = await resolvePluralGateway(req.scope).checkPointsBalance({
    card_number,
    registered_mobile_number,
    amount: toMinorUnits(amount, currency_code),
    currency_code,
  })
  res.json(pointsBalanceAnswer(card_number, balance))
}
