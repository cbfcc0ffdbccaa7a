import { model } from "@medusajs/framework/utils"

/**
 * Every refund of a ledger order, whoever asked for it: Medusa's admin (`medusa`), the plugin giving money back
 * (`automatic`), or the merchant in Plural's dashboard (`plural`). `medusa_refund_id` is the Medusa refund record
 * that accounts for it; a processed refund without one is money Medusa does not know about yet.
 *
 * `status`: requested (sent, no answer yet) → processed | pending | failed; not_made (Plural confirmed it has no
 * such refund); unknown (the answer was lost and Plural could not be asked yet).
 */
export const PluralRefund = model
  .define("plural_refund", {
    id: model.id({ prefix: "plref" }).primaryKey(),
    plural_order_id: model.text(),
    reference: model.text().unique(),
    plural_refund_id: model.text().nullable(),
    amount: model.number(),
    currency_code: model.text(),
    source: model.enum(["medusa", "automatic", "plural"]),
    status: model.enum(["requested", "processed", "pending", "failed", "not_made", "unknown"]).default("requested"),
    medusa_refund_id: model.text().nullable(),
    /** The provider told Medusa this refund failed, so Medusa deleted its refund record. */
    reported_error: model.boolean().default(false),
    last_error: model.text().nullable(),
    /**
     * Set while the plugin records this refund on Medusa (from Plural's webhook or the job): until then, a refund of
     * the same amount on the same order is not paid out, since the payment's data may have lost the recording's mark.
     */
    recording_until: model.dateTime().nullable(),
  })
  .indexes([{ on: ["plural_order_id"] }])
