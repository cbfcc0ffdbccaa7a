/**
 * The body of POST /store/plural/carts/:id/points-balance: the card and its registered mobile number only (the
 * amount is the cart's). Parsed without echo, so no card number reaches an error answer or a log line.
 */
import { z } from "zod"
import { PointsCardDetails } from "../../../../../../plural"
import { CARD_RULES, POINTS_BALANCE_MAX_BODY_BYTES } from "../../../../../admin/plural/points-balance/validators"
import { parseWithoutEcho, validateBodyWithoutEcho } from "../../../../../utils/body-without-echo"

export const StorePointsBalanceRequest = z.object({
  card_number: PointsCardDetails.shape.card_number,
  registered_mobile_number: PointsCardDetails.shape.registered_mobile_number,
})
export type StorePointsBalanceRequest = z.infer<typeof StorePointsBalanceRequest>

export const parseStorePointsBalanceBody = (body: unknown) =>
  parseWithoutEcho(StorePointsBalanceRequest, CARD_RULES, "points balance request", body)

export const validateStorePointsBalanceBody = () => validateBodyWithoutEcho(parseStorePointsBalanceBody, POINTS_BALANCE_MAX_BODY_BYTES)
