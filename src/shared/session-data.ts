/**
 * What a Plural payment session keeps in Medusa's `session.data`. The storefront reads it, so it holds only what a
 * shopper may see: Plural ids, where to send the browser, amounts — never credentials, tokens or card data.
 * Browser code takes the types only (`import type`); the server parses with `utils/session-data`.
 */
import { z } from "zod"
import { OrderStatus, Vpa } from "../plural/schemas"
import { CHECKOUT_FLOWS } from "./checkout-flows"

/** The shopper's choices, as the storefront sends them and as the session keeps them. */
const shopperChoices = {
  upi_vpa: Vpa.optional(),
  /**
   * The shopper's stored pay-by-points consent (POST /store/plural/carts/:id/points-consent answers its id). POINTS
   * is offered only when this consent is stored for the session's own cart.
   */
  points_consent_id: z.string().regex(/^plcon_[0-9A-Za-z]+$/, "must be the id of a stored consent (plcon_…)").optional(),
}

/** What a storefront may send when it creates the session. Cards always go through hosted checkout (PCI). */
export const SessionRequest = z
  .object({ flow: z.enum(CHECKOUT_FLOWS).default("hosted"), ...shopperChoices })
  .refine((r) => r.flow !== "upi_collect" || r.upi_vpa, { path: ["upi_vpa"], message: "is required for a UPI collect" })
export type SessionRequest = z.output<typeof SessionRequest>

export type RefundRecord = z.infer<typeof RefundRecord>
export const RefundRecord = z.object({
  reference: z.string(),
  plural_refund_id: z.string(),
  amount: z.int(),
  status: z.string(),
})

export const PluralSessionData = z.object({
  flow: z.enum(CHECKOUT_FLOWS),
  // Kept so that a new order for a changed amount is made the same way.
  ...shopperChoices,
  session_id: z.string(),
  plural_order_id: z.string(),
  merchant_order_reference: z.string(),
  attempt: z.int().positive(),
  /** Integer minor units (paise), as sent to Plural. */
  amount: z.int(),
  currency_code: z.string(),
  pre_auth: z.boolean(),
  redirect_url: z.string().optional(),
  challenge_url: z.string().optional(),
  image_url: z.string().optional(),
  plural_status: OrderStatus.optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  points_consent_at: z.string().optional(),
  capture_reference: z.string().optional(),
  refunds: z.array(RefundRecord).optional(),
  /** Set by the plugin while it records on Medusa a refund Plural already made: the provider must not refund again. */
  recording_refund: z.object({ reference: z.string(), amount: z.int() }).optional(),
})
export type PluralSessionData = z.infer<typeof PluralSessionData>
