/** Re-reads the order's Plural payments and settles Medusa to match (e.g. captured in Plural's dashboard). */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { parseSessionData } from "../../../../../../utils/session-data"
import { settlePluralPaymentWorkflow } from "../../../../../../workflows/settle-plural-payment"
import { pluralOrderView, pluralPaymentsOfOrder } from "../../../order-view"

export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  for (const payment of await pluralPaymentsOfOrder(req.scope, req.params.id)) {
    await settlePluralPaymentWorkflow(req.scope).run({ input: { plural_order_id: parseSessionData(payment.data).plural_order_id } })
  }
  res.json(await pluralOrderView(req.scope, req.params.id))
}
