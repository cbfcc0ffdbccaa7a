/**
 * Every pay-by-points consent matching the filters, as a CSV download for an audit (formula-safe: see `toCsv`).
 * Read in pages of 500, so that no single query is unbounded.
 */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PLURAL_MODULE } from "../../../../../modules/plural"
import type { PluralModuleService } from "../../../../../modules/plural/service"
import type { PointsConsentRow } from "../../../../../modules/plural/types"
import { toCsv } from "../../../../../utils/csv"
import { parseConsentQuery } from "../query"

const PAGE = 500

const COLUMNS = [
  { header: "consent_id", value: (c: PointsConsentRow) => c.id },
  { header: "consented_at", value: (c: PointsConsentRow) => new Date(c.consented_at) },
  { header: "text_version", value: (c: PointsConsentRow) => c.text_version },
  { header: "text", value: (c: PointsConsentRow) => c.text },
  { header: "cart_id", value: (c: PointsConsentRow) => c.cart_id },
  { header: "customer_id", value: (c: PointsConsentRow) => c.customer_id },
  { header: "order_id", value: (c: PointsConsentRow) => c.order_id },
  { header: "plural_order_id", value: (c: PointsConsentRow) => c.plural_order_id },
  { header: "merchant_order_reference", value: (c: PointsConsentRow) => c.merchant_order_reference },
] as const

export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const { filter } = parseConsentQuery({ ...req.query, limit: undefined, offset: undefined })
  const ledger = req.scope.resolve<PluralModuleService>(PLURAL_MODULE)
  const rows: PointsConsentRow[] = []
  for (let offset = 0; ; offset += PAGE) {
    const { consents } = await ledger.listPointsConsents(filter, { limit: PAGE, offset })
    rows.push(...consents)
    if (consents.length < PAGE) break
  }
  const day = new Date().toISOString().slice(0, 10)
  res.setHeader("content-type", "text/csv; charset=utf-8")
  res.setHeader("content-disposition", `attachment; filename="plural-points-consents-${day}.csv"`)
  res.send(toCsv(COLUMNS, rows))
}
