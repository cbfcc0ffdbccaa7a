/** The shoppers' pay-by-points consents, newest first: for an order, a customer, a cart, or the whole store. */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PLURAL_MODULE } from "../../../../modules/plural"
import type { PluralModuleService } from "../../../../modules/plural/service"
import type { PointsConsentRow } from "../../../../modules/plural/types"
import type { PointsConsentList, PointsConsentRecord } from "../../../../shared/answers"
import { parseConsentQuery } from "./query"

/** A stored consent as the admin reads it: the consent's own fields (no row bookkeeping), its time in ISO. */
function consentRecord(row: PointsConsentRow): PointsConsentRecord {
  return {
    id: row.id,
    cart_id: row.cart_id,
    customer_id: row.customer_id,
    text_version: row.text_version,
    text: row.text,
    consented_at: new Date(row.consented_at).toISOString(),
    session_id: row.session_id,
    plural_order_id: row.plural_order_id,
    merchant_order_reference: row.merchant_order_reference,
    order_id: row.order_id,
  }
}

export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const { filter, limit, offset } = parseConsentQuery(req.query)
  const { consents, count } = await req.scope.resolve<PluralModuleService>(PLURAL_MODULE).listPointsConsents(filter, { limit, offset })
  res.json({ consents: consents.map(consentRecord), count, limit, offset } satisfies PointsConsentList)
}
