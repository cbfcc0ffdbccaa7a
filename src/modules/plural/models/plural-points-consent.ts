import { model } from "@medusajs/framework/utils"

/**
 * A shopper's consent to pay with reward points: the evidence Plural's agreements with the banks require. It keeps
 * the text the shopper was shown and its version, when they agreed, for which cart (and customer, when signed in),
 * and the Plural order that offered points under it (`plural_order_id`, filled when that order is created; a new
 * order for a changed amount takes the link over, and the ledger row of every such order names this consent).
 */
export const PluralPointsConsent = model
  .define("plural_points_consent", {
    id: model.id({ prefix: "plcon" }).primaryKey(),
    cart_id: model.text(),
    customer_id: model.text().nullable(),
    text_version: model.text(),
    text: model.text(),
    consented_at: model.dateTime(),
    session_id: model.text().nullable(),
    merchant_order_reference: model.text().nullable(),
    plural_order_id: model.text().nullable(),
  })
  .indexes([{ on: ["cart_id"] }, { on: ["customer_id"] }, { on: ["plural_order_id"] }])
