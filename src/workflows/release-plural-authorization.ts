import { Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"

/** Cancels a payment through the payment module, which asks the provider to release it at Plural. */
const releasePluralAuthorizationStep = createStep(
  "release-plural-authorization",
  async ({ payment_id }: { payment_id: string }, { container }) => {
    const payment = await container.resolve(Modules.PAYMENT).cancelPayment(payment_id)
    return new StepResponse({ id: payment.id, canceled_at: payment.canceled_at })
  }
)

export const releasePluralAuthorizationWorkflow = createWorkflow(
  "release-plural-authorization",
  (input: { payment_id: string }) => new WorkflowResponse(releasePluralAuthorizationStep(input))
)
