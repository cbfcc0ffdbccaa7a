/** The shoppers' pay-by-points consents, newest first: for an order, a customer, a cart, or the whole store. */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PLURAL_MODULE } from "../../../../modules/plural"
import type { PluralModuleService } from "../../../../modules/plural/service"
import { parseConsentQuery } from "./query"

export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const { filter, limit, offset } = parseConsentQuery(req.query)
  const { consents, count } = await req.scope.resolve<PluralModuleService>(PLURAL_MODULE).listPointsConsents(filter, { limit, offset })
  res.json({ consents, count, limit, offset })
}
