/**
 * Collect what an order still owes (after an order edit, exchange or claim) through Plural: answers the hosted
 * checkout link to send the shopper — the same link again while it can still pay that amount.
 */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { createPluralPaymentLinkWorkflow } from "../../../../../../workflows/create-plural-payment-link"

export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const { result } = await createPluralPaymentLinkWorkflow(req.scope).run({ input: { order_id: req.params.id } })
  res.status(result.created ? 201 : 200).json({ payment_link: result })
}
