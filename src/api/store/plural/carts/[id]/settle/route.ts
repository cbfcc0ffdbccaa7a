/**
 * What a storefront polls while a UPI payment has no browser return (collect, QR), or after the return said
 * "pending". Idempotent: it settles the cart's current Plural order exactly as the callback and webhook do, and
 * reads an unpaid order from Plural at most once per `poll_interval_seconds` however often it is polled. Answers
 * carry only what a shopper may read.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { PLURAL_PROVIDER_ID } from "../../../../../../shared/plural-provider"
import { settlePluralPaymentWorkflow } from "../../../../../../workflows/settle-plural-payment"
import type { SettlementResult } from "../../../../../../shared/answers"

type SessionRow = { id: string; provider_id: string; created_at: string | Date; data?: { plural_order_id?: unknown } | null }

export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data: carts } = await query.graph({
    entity: "cart",
    fields: [
      "id",
      "payment_collection.payment_sessions.id",
      "payment_collection.payment_sessions.provider_id",
      "payment_collection.payment_sessions.created_at",
      "payment_collection.payment_sessions.data",
    ],
    filters: { id: req.params.id },
  })
  if (!carts[0]) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${req.params.id} was not found`)
  const sessions = (carts[0].payment_collection?.payment_sessions ?? []) as SessionRow[]
  const latest = sessions
    .filter((s) => s?.provider_id === PLURAL_PROVIDER_ID && typeof s.data?.plural_order_id === "string")
    .sort((a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime())[0]
  if (!latest) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${req.params.id} has no Plural payment session`)

  try {
    const { result } = await settlePluralPaymentWorkflow(req.scope).run({
      input: { plural_order_id: latest.data!.plural_order_id as string, throttled: true },
    })
    res.json(result satisfies SettlementResult)
  } catch (error) {
    // The shopper learns only to poll again; the merchant's log says why (the README's "settle route's answers").
    req.scope.resolve(ContainerRegistrationKeys.LOGGER).warn(`Plural settle of cart ${req.params.id} failed for now: ${(error as Error).message}`)
    res.json({ status: "pending", cart_id: req.params.id } satisfies SettlementResult)
  }
}
