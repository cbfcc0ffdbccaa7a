import { MedusaError } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import type { WebhookEvent } from "../plural"
import { recordPluralRefundWorkflow } from "./record-plural-refund"
import { settlePluralPaymentWorkflow } from "./settle-plural-payment"

export type WebhookOutcome = "processed" | "ignored"

/**
 * A verified Plural event: a charge is settled, a refund recorded. An event about an order this store never made
 * (another shop on the same Plural account) is `ignored`, for good. Any other failure throws: the inbox keeps the
 * event and the plugin retries it.
 */
const processPluralWebhookStep = createStep("process-plural-webhook", async ({ event }: { event: WebhookEvent }, { container }) => {
  try {
    if (event.data.type === "REFUND") {
      await recordPluralRefundWorkflow(container).run({ input: { refund: event.data } })
    } else {
      await settlePluralPaymentWorkflow(container).run({ input: { plural_order_id: event.data.order_id, observed_status: event.data.status } })
    }
    return new StepResponse<WebhookOutcome>("processed")
  } catch (error) {
    if (MedusaError.isMedusaError(error) && (error as MedusaError).type === MedusaError.Types.NOT_FOUND) {
      return new StepResponse<WebhookOutcome>("ignored")
    }
    throw error
  }
})

export const processPluralWebhookWorkflow = createWorkflow("process-plural-webhook", (input: { event: WebhookEvent }) => {
  return new WorkflowResponse(processPluralWebhookStep(input))
})
