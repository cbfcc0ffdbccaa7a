/** The ledger's exceptions across the store: money without an owner yet, automatic refunds, failing refunds and webhooks. */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { EXCEPTION_KINDS } from "../../../../shared/answers"
import { listExceptions } from "../exceptions"

const Query = z.object({
  kind: z.enum(EXCEPTION_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const query = Query.safeParse(req.query)
  if (!query.success) {
    const issue = query.error.issues[0]
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `${issue.path.join(".")}: ${issue.message}`)
  }
  res.json(await listExceptions(req.scope, query.data))
}
