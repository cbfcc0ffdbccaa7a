import { createWorkflow, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { acquireLockStep, releaseLockStep } from "@medusajs/medusa/core-flows"
import { settlePluralSessionStep } from "./steps/settle-plural-session"

export const settlePluralPaymentWorkflowId = "settle-plural-payment"

/**
 * The one path by which "the shopper paid" becomes an order, whoever noticed first: the browser return, a webhook,
 * the storefront polling, the reconciliation job or the admin's sync. A lock per session (Medusa's locking module,
 * so it holds across several Medusa instances) serialises them; the settlement itself is idempotent, so the
 * second caller finds the order the first one created.
 */
export const settlePluralPaymentWorkflow = createWorkflow(settlePluralPaymentWorkflowId, (input: { session_id: string }) => {
  const key = transform({ input }, ({ input }) => `plural-settle:${input.session_id}`)
  acquireLockStep({ key, timeout: 30, ttl: 120 })
  const result = settlePluralSessionStep(input)
  releaseLockStep({ key })
  return new WorkflowResponse(result)
})
