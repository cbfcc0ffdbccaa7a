import { MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import type { RefundOrder } from "../plural"
import { parseSessionData } from "../providers/plural/utils/session-data"
import { resolvePluralProvider } from "../utils/resolve-plural-provider"

/**
 * A refund's outcome from Plural (REFUND_PROCESSED / REFUND_FAILED) recorded on the Medusa payment's data, where
 * the admin widget shows it. A failed refund is also logged loudly: the merchant has to act on it.
 */
const recordPluralRefundStep = createStep("record-plural-refund", async ({ refund }: { refund: RefundOrder }, { container }) => {
  const paymentModule = container.resolve(Modules.PAYMENT)
  const provider = resolvePluralProvider(container)
  const parent = await provider.readOrder(refund.parent_order_id)
  const [payment] = await paymentModule.listPayments({ payment_session_id: provider.sessionIdOf(parent) }, { select: ["id", "data"] })
  if (!payment) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `No Medusa payment for Plural order ${refund.parent_order_id}`)
  }
  const data = parseSessionData(payment.data)
  const record = {
    reference: refund.merchant_order_reference,
    plural_refund_id: refund.order_id,
    amount: refund.order_amount.value,
    status: refund.status,
  }
  const refunds = [...(data.refunds ?? []).filter((r) => r.reference !== record.reference), record]
  // UpdatePaymentDTO's type omits `data`, but the payment module stores it; it is the provider's record of the payment.
  await paymentModule.updatePayment({ id: payment.id, data: { ...data, refunds, plural_status: parent.status } } as never)
  if (refund.status === "FAILED") {
    container
      .resolve("logger")
      .error(`Plural refund ${refund.order_id} (${record.reference}) of order ${refund.parent_order_id} FAILED: refund the shopper another way.`)
  }
  return new StepResponse(record)
})

export const recordPluralRefundWorkflow = createWorkflow("record-plural-refund", (input: { refund: RefundOrder }) => {
  return new WorkflowResponse(recordPluralRefundStep(input))
})
