import { z } from "zod"
import { PointsCardDetails } from "../../../../plural"

export const PointsBalanceRequest = z.object({
  card_number: PointsCardDetails.shape.card_number,
  registered_mobile_number: PointsCardDetails.shape.registered_mobile_number,
  /** In the currency's main unit (rupees), as everywhere in Medusa's admin. */
  amount: z.number().positive(),
  currency_code: z.string().regex(/^[a-zA-Z]{3}$/).default("inr"),
})
export type PointsBalanceRequest = z.infer<typeof PointsBalanceRequest>
