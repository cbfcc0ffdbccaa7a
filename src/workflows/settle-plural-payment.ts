import { MedusaError } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { acquireLockStep, releaseLockStep } from "@medusajs/medusa/core-flows"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { settlePluralOrderStep, type SettleInput } from "./steps/settle-plural-order"

export const settlePluralPaymentWorkflowId = "settle-plural-payment"

/** The ledger's row for a Plural order; an order this store never made is NOT_FOUND (another shop's, say). */
const findLedgerOrderStep = createStep("find-plural-ledger-order", async (input: SettleInput, { container }) => {
  const row = await container.resolve<PluralModuleService>(PLURAL_MODULE).findOrder({ plural_order_id: input.plural_order_id })
  if (!row) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Plural order ${input.plural_order_id} was not made by this store`)
  return new StepResponse({ session_id: row.session_id })
})

/**
 * The one path by which "the shopper paid" gets an owner, whoever noticed first: the browser return, a webhook, the
 * storefront polling, the reconciliation job or the admin's sync. A lock per payment session (Medusa's locking
 * module, so it holds across several Medusa instances; its TTL outlives the slowest settlement: three Plural calls
 * at their overall deadline and a cart completion) serialises them; the settlement itself is idempotent, so the
 * second caller finds what the first one did.
 */
export const settlePluralPaymentWorkflow = createWorkflow(settlePluralPaymentWorkflowId, (input: SettleInput) => {
  const row = findLedgerOrderStep(input)
  const key = transform({ row }, ({ row }) => `plural-settle:${row.session_id}`)
  acquireLockStep({ key, timeout: 30, ttl: 300 })
  const result = settlePluralOrderStep(input)
  releaseLockStep({ key })
  return new WorkflowResponse(result)
})
