/** The filters of the admin's consent list and export: by cart, customer, Medusa order or Plural order. */
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import type { PointsConsentFilter } from "../../../../modules/plural/types"

const Id = z.string().min(1).max(100)

export const ConsentQuery = z.object({
  cart_id: Id.optional(),
  customer_id: Id.optional(),
  order_id: Id.optional(),
  plural_order_id: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

export function parseConsentQuery(query: unknown): { filter: PointsConsentFilter; limit: number; offset: number } {
  const parsed = ConsentQuery.safeParse(query ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `${issue.path.join(".")}: ${issue.message}`)
  }
  const { limit, offset, ...filter } = parsed.data
  return { filter, limit, offset }
}
