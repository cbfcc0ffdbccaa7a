/** Runs the reconciliation now (the job's work) and answers its summary. */
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { reconcilePluralPaymentsWorkflow } from "../../../../workflows/reconcile-plural-payments"

export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse) {
  const { result } = await reconcilePluralPaymentsWorkflow(req.scope).run({ input: {} })
  res.json({ summary: result })
}
