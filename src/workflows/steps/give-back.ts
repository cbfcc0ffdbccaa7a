/**
 * Money that no Medusa order can own goes back to the shopper: an authorisation is released, a captured payment is
 * refunded in full (what remains of it) under a reference derived from the order's own, so a retry — by the job,
 * after a crash — is the same refund. The ledger says `returning` until Plural confirms, then `released` /
 * `refunded`, with the reason.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { Order } from "../../plural"
import { PLURAL_MODULE } from "../../modules/plural"
import type { PluralModuleService } from "../../modules/plural/service"
import type { LedgerOrder } from "../../modules/plural/types"
import { resolvePluralGateway } from "../../utils/resolve-plural-gateway"
import type { SettlementResult } from "../../shared/answers"
import { markSession, type SessionContext } from "./session-context"
import { retryReturnSeconds } from "./schedule"
import { SHOPPER_MESSAGES } from "./shopper-messages"

/** The reference of the refund that gives a ledger order's money back: derived, so a retry is the same refund. */
export const returnReference = (row: Pick<LedgerOrder, "merchant_order_reference">) => `${row.merchant_order_reference}-back`

export async function giveBack(
  container: MedusaContainer,
  input: { row: LedgerOrder; plural: Order; reason: string; current: boolean; context: SessionContext }
): Promise<SettlementResult> {
  const { row, plural, reason, context } = input
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const gateway = resolvePluralGateway(container)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const cart = { cart_id: context.cart_id }
  const attempts = row.attempts + 1
  // First the intent, so that a process dying in the middle leaves a row the job finishes.
  await ledger.updateOrder(row.id, { state: "returning", reason, attempts, check_in_seconds: retryReturnSeconds(attempts) })

  let outcome: "released" | "refunded" | "returning"
  let error: string | undefined
  if (plural.status === "AUTHORIZED") {
    try {
      await gateway.releaseAuthorization(plural.order_id)
      outcome = "released"
    } catch (e) {
      outcome = "returning"
      error = (e as Error).message
    }
  } else {
    ;({ outcome, error } = await refundRemainder(container, row, plural))
  }

  if (outcome === "returning") {
    await ledger.updateOrder(row.id, { last_error: error ?? null })
    logger.error(`Plural order ${plural.order_id} must be given back (${reason}) but Plural did not confirm it yet: ${error}. The plugin retries.`)
    if (input.current) await markSession(container, context, { failure: { code: "REFUND_PENDING", message: SHOPPER_MESSAGES.returning }, status: "canceled" })
    return { status: "refunded", ...cart, code: "REFUND_PENDING", reason: SHOPPER_MESSAGES.returning }
  }
  await ledger.updateOrder(row.id, { state: outcome, last_error: null, check_in_seconds: null })
  logger.warn(`Plural order ${plural.order_id} was ${outcome} automatically: ${reason}`)
  const code = outcome === "released" ? "RELEASED" : "REFUNDED"
  const message = outcome === "released" ? SHOPPER_MESSAGES.released : SHOPPER_MESSAGES.refunded
  if (input.current) await markSession(container, context, { failure: { code, message }, status: "canceled" })
  return { status: "refunded", ...cart, code, reason: message }
}

/** Refunds what the ledger says is still with Plural, exactly once. */
async function refundRemainder(
  container: MedusaContainer,
  row: LedgerOrder,
  plural: Order
): Promise<{ outcome: "refunded" | "returning"; error?: string }> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const gateway = resolvePluralGateway(container)
  const orderId = plural.order_id
  const reference = returnReference(row)
  await gateway.resolveRefunds(orderId)
  const refunds = await ledger.refundsOf(orderId)
  const ours = refunds.find((r) => r.reference === reference)
  if (ours?.status === "processed" || ours?.status === "pending") return { outcome: "refunded" }
  if (refunds.some((r) => r.status === "unknown" || r.status === "requested")) return { outcome: "returning", error: "an earlier refund is not confirmed yet" }
  const refunded = refunds.filter((r) => r.status === "processed" || r.status === "pending").reduce((sum, r) => sum + r.amount, 0)
  const remaining = plural.order_amount.value - refunded
  if (remaining <= 0 || plural.status === "FULLY_REFUNDED") return { outcome: "refunded" }

  await ledger.recordRefundRequest({ plural_order_id: orderId, reference, amount: remaining, currency_code: row.currency_code, source: "automatic" })
  const made = await gateway.refundAtPlural(orderId, { reference, amount: remaining, currency_code: row.currency_code })
  if (made.outcome === "made") {
    await ledger.updateRefund(reference, { status: made.status, plural_refund_id: made.refund.order_id, last_error: null })
    return made.status === "failed" ? { outcome: "returning", error: `Plural refund ${made.refund.order_id} FAILED` } : { outcome: "refunded" }
  }
  await ledger.updateRefund(reference, { status: made.outcome === "unknown" ? "unknown" : "not_made", last_error: made.error })
  return { outcome: "returning", error: made.error }
}
