import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { refundPaymentWorkflow } from "@medusajs/medusa/core-flows"
import type { RefundOrder } from "../plural"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import type { LedgerRefund, RefundStatus } from "../modules/plural/types"
import { fromMinorUnits } from "../utils/money"
import { parseSessionData } from "../utils/session-data"
import { settlePluralPaymentWorkflow } from "./settle-plural-payment"

const STATUS_OF: Record<RefundOrder["status"], RefundStatus> = { CREATED: "pending", PENDING: "pending", PROCESSED: "processed", FAILED: "failed" }

/**
 * A refund's outcome from Plural (REFUND_PROCESSED / REFUND_FAILED): written to the ledger and shown on the Medusa
 * payment. A refund this plugin never asked for (made in Plural's dashboard) is recorded on the Medusa order without
 * a second refund at Plural. A failed refund is logged loudly: the merchant has to act on it.
 */
const recordPluralRefundStep = createStep("record-plural-refund", async ({ refund }: { refund: RefundOrder }, { container }) => {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const parent = await ledger.findOrder({ plural_order_id: refund.parent_order_id })
  if (!parent) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Plural order ${refund.parent_order_id} was not made by this store`)
  const status = STATUS_OF[refund.status]
  const { refund: row, created } = await ledger.recordRefundRequest({
    plural_order_id: refund.parent_order_id,
    reference: refund.merchant_order_reference,
    amount: refund.order_amount.value,
    currency_code: refund.order_amount.currency.toLowerCase(),
    source: "plural",
    status,
    plural_refund_id: refund.order_id,
  })
  if (!created) await ledger.updateRefund(row.reference, { status, plural_refund_id: refund.order_id })
  if (status === "failed") {
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .error(`Plural refund ${refund.order_id} (${row.reference}) of order ${refund.parent_order_id} FAILED: nothing reached the shopper. Refund them another way, or again from the order.`)
  }
  await showOnPayment(container, parent.session_id, { reference: row.reference, plural_refund_id: refund.order_id, amount: row.amount, status: refund.status })

  if (parent.state === "owned") {
    if (status === "processed") await recordRefundOnMedusa(container, { ...row, status }, parent.session_id)
  } else {
    // Refunded before any Medusa order held the money: the ledger row settles as refunded, never as an order.
    await settlePluralPaymentWorkflow(container).run({ input: { plural_order_id: refund.parent_order_id } })
  }
  return new StepResponse({ reference: row.reference, status })
})

export const recordPluralRefundWorkflow = createWorkflow("record-plural-refund", (input: { refund: RefundOrder }) => {
  return new WorkflowResponse(recordPluralRefundStep(input))
})

/**
 * A refund Plural made that no Medusa refund accounts for (its dashboard, or an answer Medusa was told had failed)
 * becomes a Medusa refund through Medusa's own refund workflow, so the order's totals and transactions follow; the
 * provider sees `recording_refund` on the payment and claims the ledger row instead of calling Plural.
 */
export async function recordRefundOnMedusa(container: MedusaContainer, refund: LedgerRefund, sessionId: string): Promise<boolean> {
  if (refund.medusa_refund_id || refund.status !== "processed") return false
  if (refund.source === "automatic" || (refund.source === "medusa" && !refund.reported_error)) return false
  const payments = container.resolve(Modules.PAYMENT)
  const [payment] = await payments.listPayments({ payment_session_id: sessionId }, { select: ["id", "data", "captured_at"] })
  if (!payment?.captured_at) return false
  // The payment's data carries the mark to the provider, but Medusa writes a concurrent refund's answer over it from
  // an older read; the ledger's claim cannot be erased, and stops the provider paying this amount out meanwhile.
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  if (!(await ledger.beginRefundRecording(refund.reference, RECORDING_SECONDS))) return false
  const data = parseSessionData(payment.data)
  // UpdatePaymentDTO's type omits `data`, but the payment module stores it.
  await payments.updatePayment({ id: payment.id, data: { ...data, recording_refund: { reference: refund.reference, amount: refund.amount } } } as never)
  try {
    await refundPaymentWorkflow(container).run({
      input: { payment_id: payment.id, amount: fromMinorUnits(refund.amount, refund.currency_code), note: `Refunded at Plural (${refund.reference})` },
    })
    return true
  } catch (error) {
    const [fresh] = await payments.listPayments({ id: payment.id }, { select: ["id", "data"] })
    const { recording_refund: _marker, ...rest } = parseSessionData(fresh.data)
    await payments.updatePayment({ id: payment.id, data: rest } as never)
    throw error
  } finally {
    await ledger.endRefundRecording(refund.reference)
  }
}

/** How long a recording may take before another instance may try again (a cart-sized refund takes about a second). */
const RECORDING_SECONDS = 120

/** The refund on the Medusa payment's data, where the admin widget lists it. */
async function showOnPayment(
  container: MedusaContainer,
  sessionId: string,
  record: { reference: string; plural_refund_id: string; amount: number; status: string }
): Promise<void> {
  const payments = container.resolve(Modules.PAYMENT)
  const [payment] = await payments.listPayments({ payment_session_id: sessionId }, { select: ["id", "data"] })
  if (!payment) return
  const data = parseSessionData(payment.data)
  const refunds = [...(data.refunds ?? []).filter((r) => r.reference !== record.reference), record]
  await payments.updatePayment({ id: payment.id, data: { ...data, refunds } } as never)
}
