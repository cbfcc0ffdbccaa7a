/** Releases a pre-authorised Plural payment (Medusa's admin has capture and refund routes, but no cancel). */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { releasePluralAuthorizationWorkflow } from "../../../../../../workflows/release-plural-authorization"

export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const { result } = await releasePluralAuthorizationWorkflow(req.scope).run({ input: { payment_id: req.params.id } })
  res.json({ payment: result })
}
