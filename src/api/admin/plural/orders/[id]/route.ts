import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { pluralOrderView } from "../../order-view"

export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  res.json(await pluralOrderView(req.scope, req.params.id))
}
