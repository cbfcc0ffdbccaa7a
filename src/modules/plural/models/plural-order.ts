import { model } from "@medusajs/framework/utils"

/**
 * The ledger: one row for every Plural order the plugin creates, written before Plural is called. It answers "what
 * does Plural hold for us, and what became of it", and says when the row is next due for a check.
 *
 * `state`: creating (Plural not answered yet) → open (payable, not paid) → paid (Plural holds money, no Medusa order
 * yet) → owned (a Medusa order holds the payment) | returning → released | refunded (given back, with `reason`);
 * or closed (never paid: failed, cancelled, expired, never created).
 */
export const PluralOrder = model
  .define("plural_order", {
    id: model.id({ prefix: "plord" }).primaryKey(),
    merchant_order_reference: model.text().unique(),
    plural_order_id: model.text().nullable(),
    session_id: model.text(),
    payment_collection_id: model.text().nullable(),
    cart_id: model.text().nullable(),
    medusa_order_id: model.text().nullable(),
    /** Integer minor units (paise), as sent to Plural. */
    amount: model.number(),
    currency_code: model.text(),
    flow: model.text(),
    pre_auth: model.boolean().default(false),
    plural_status: model.text().nullable(),
    state: model
      .enum(["creating", "open", "paid", "owned", "returning", "released", "refunded", "closed"])
      .default("creating"),
    reason: model.text().nullable(),
    last_error: model.text().nullable(),
    attempts: model.number().default(0),
    paid_at: model.dateTime().nullable(),
    checked_at: model.dateTime().nullable(),
    next_check_at: model.dateTime().nullable(),
    expires_at: model.dateTime().nullable(),
    /** The shopper's pay-by-points consent this order offered POINTS under; null when it did not offer points. */
    points_consent_id: model.text().nullable(),
  })
  .indexes([
    { on: ["plural_order_id"] },
    { on: ["session_id"] },
    { on: ["next_check_at"], where: "next_check_at IS NOT NULL" },
  ])
