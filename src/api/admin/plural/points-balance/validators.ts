/**
 * The body of POST /admin/plural/points-balance: a card number, so it is parsed without echo (see
 * `body-without-echo`): no card number ever reaches an error answer or a log line.
 */
import { z } from "zod"
import { PointsCardDetails } from "../../../../plural"
import { parseWithoutEcho, validateBodyWithoutEcho } from "../../../utils/body-without-echo"

export const PointsBalanceRequest = z.object({
  card_number: PointsCardDetails.shape.card_number,
  registered_mobile_number: PointsCardDetails.shape.registered_mobile_number,
  /** In the currency's main unit (rupees), as everywhere in Medusa's admin. */
  amount: z.number().positive(),
  currency_code: z.string().regex(/^[a-zA-Z]{3}$/).default("inr"),
})
export type PointsBalanceRequest = z.infer<typeof PointsBalanceRequest>

/** What a points card's fields must be, in words that never depend on what was sent. */
export const CARD_RULES = {
  card_number: "must be a string of 12 to 19 digits",
  registered_mobile_number: "must be a string of 10 digits",
} as const

const RULES: Record<keyof PointsBalanceRequest, string> = {
  ...CARD_RULES,
  amount: "must be a positive number",
  currency_code: "must be a three-letter currency code such as inr",
}

/** The largest body read: the real one is under 200 bytes. */
export const POINTS_BALANCE_MAX_BODY_BYTES = 16 * 1024

export const parsePointsBalanceBody = (body: unknown) => parseWithoutEcho(PointsBalanceRequest, RULES, "points balance request", body)

export const validatePointsBalanceBody = () => validateBodyWithoutEcho(parsePointsBalanceBody, POINTS_BALANCE_MAX_BODY_BYTES)
