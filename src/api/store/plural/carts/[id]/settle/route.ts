/**
 * What a storefront polls while a UPI payment has no browser return (collect, QR), or after the return said
 * "pending". Idempotent: it settles the cart's Plural session exactly as the callback and webhook do.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { PLURAL_PROVIDER_ID } from "../../../../../../utils/resolve-plural-provider"
import { settlePluralPaymentWorkflow } from "../../../../../../workflows/settle-plural-payment"

export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data: carts } = await query.graph({
    entity: "cart",
    fields: ["id", "payment_collection.payment_sessions.id", "payment_collection.payment_sessions.provider_id", "payment_collection.payment_sessions.created_at"],
    filters: { id: req.params.id },
  })
  if (!carts[0]) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${req.params.id} was not found`)
  const sessions = (carts[0].payment_collection?.payment_sessions ?? []) as { id: string; provider_id: string; created_at: string | Date }[]
  const latest = sessions
    .filter((s) => s?.provider_id === PLURAL_PROVIDER_ID)
    .sort((a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime())[0]
  if (!latest) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${req.params.id} has no Plural payment session`)

  const { result } = await settlePluralPaymentWorkflow(req.scope).run({ input: { session_id: latest.id } })
  res.json(result)
}
