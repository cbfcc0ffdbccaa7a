import { createWorkflow, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { acquireLockStep, releaseLockStep } from "@medusajs/medusa/core-flows"
import type { SettlementResult } from "../shared/answers"
import {
  cartNotCompletedStep,
  closeLedgerOrderStep,
  completeCartStep,
  findLedgerOrderStep,
  giveBackStep,
  loadSessionContextStep,
  markPaymentSessionStep,
  ownStep,
  payOrderCollectionStep,
  readPluralOrderStep,
  rereadLedgerOrderStep,
  recordPaidStep,
  scheduleNextCheckStep,
  type SettleInput,
} from "./steps/settle-plural-order"
import { decideSettlement, isSettledAt } from "./steps/settlement-decision"

export const settlePluralPaymentWorkflowId = "settle-plural-payment"

/**
 * The one path by which "the shopper paid" gets an owner, whoever noticed first: the browser return, a webhook, the
 * storefront polling, the reconciliation job or the admin's sync. It brings Medusa and the ledger in line with what
 * Plural says and gives every rupee an owner: paid → the cart becomes an order (a processed payment is captured);
 * paid but the cart cannot become an order → retried for `complete_paid_within_minutes`, then refunded or released;
 * paid on a checkout that is no longer the cart's → refunded or released at once; failed → the session is marked so
 * the shopper can retry.
 *
 * A lock per payment session (Medusa's locking module, so it holds across several Medusa instances; its TTL outlives
 * the slowest settlement: three Plural calls at their overall deadline and a cart completion) serialises them; the
 * settlement itself is idempotent, so the second caller finds what the first one did.
 */
export const settlePluralPaymentWorkflow = createWorkflow(settlePluralPaymentWorkflowId, (input: SettleInput) => {
  const found = findLedgerOrderStep(input)
  const key = transform({ found }, ({ found }) => `plural-settle:${found.session_id}`)
  acquireLockStep({ key, timeout: 30, ttl: 300 })

  const row = rereadLedgerOrderStep(input)
  const settled = transform({ row, input }, ({ row, input }) => isSettledAt(row, input.observed_status))
  const context = when("unless-settled-load-session-context", { settled }, ({ settled }) => !settled).then(() => loadSessionContextStep(row))
  const plural = when("unless-settled-read-plural-order", { settled }, ({ settled }) => !settled).then(() =>
    readPluralOrderStep({ row, context: context!, throttled: input.throttled })
  )
  const decision = transform({ row, context, plural }, ({ row, context, plural }) =>
    decideSettlement({ row, context, plural: plural ?? undefined, now: new Date() })
  )

  // What every action works on; the actions run only once Plural was read, so Medusa's side was loaded too.
  const settling = transform({ row, context, plural, decision }, ({ row, context, plural, decision }) => ({
    row,
    context: context!,
    plural: plural!,
    decision,
  }))
  when("if-first-seen-paid", { decision }, ({ decision }) => "record_paid" in decision && decision.record_paid).then(() => recordPaidStep(settling))
  when("if-keep-waiting", { decision }, ({ decision }) => decision.action === "keep-waiting").then(() => scheduleNextCheckStep(settling))
  when("if-expired-or-failed", { decision }, ({ decision }) => decision.action === "expire" || decision.action === "fail").then(() => closeLedgerOrderStep(settling))
  when("if-session-to-mark", { decision }, ({ decision }) => "mark_session" in decision && Boolean(decision.mark_session)).then(() =>
    markPaymentSessionStep(settling)
  )
  when("if-own", { decision }, ({ decision }) => decision.action === "own").then(() => ownStep(settling))
  const paidCollection = when("if-pay-order-collection", { decision }, ({ decision }) => decision.action === "pay-order-collection").then(() =>
    payOrderCollectionStep(settling)
  )
  const givenBack = when("if-give-back", { decision }, ({ decision }) => decision.action === "give-back").then(() => giveBackStep(settling))
  const completion = when("if-complete-cart", { decision }, ({ decision }) => decision.action === "complete-cart").then(() =>
    completeCartStep(settling)
  )
  const notCompleted = when("if-cart-not-completed", { completion }, ({ completion }) => Boolean(completion && "error" in completion)).then(() =>
    cartNotCompletedStep(transform({ settling, completion }, ({ settling, completion }) => ({ ...settling, error: (completion as { error: string }).error })))
  )

  releaseLockStep({ key })
  const result = transform(
    { decision, context, paidCollection, givenBack, completion, notCompleted },
    ({ decision, context, paidCollection, givenBack, completion, notCompleted }): SettlementResult => {
      if ("result" in decision) return decision.result
      if (completion && "order_id" in completion) return { status: "completed", cart_id: context!.cart_id, order_id: completion.order_id }
      return (paidCollection ?? givenBack ?? notCompleted)!
    }
  )
  return new WorkflowResponse(result)
})
