import { Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { parseSessionData } from "../providers/plural/utils/session-data"
import { PLURAL_PROVIDER_ID, resolvePluralProvider } from "../utils/resolve-plural-provider"
import { settlePluralPaymentWorkflow } from "./settle-plural-payment"

export type ReconcileSummary = { checked: number; completed: number; failed: number; expired: number; pending: number; errors: number }

/** At most this many sessions per run, so a backlog is worked off over several runs instead of one long one. */
const BATCH = 100

/**
 * Sessions left pending (browser closed, webhook lost, UPI collect never approved) are re-read from Plural after
 * `reconcile_after_minutes` and settled the same way as a callback would; those Plural never saw paid after
 * `expire_after_minutes` are expired so they stop being checked.
 */
const reconcilePluralPaymentsStep = createStep(
  "reconcile-plural-payments",
  async ({ now }: { now?: string }, { container }) => {
    const provider = resolvePluralProvider(container)
    const paymentModule = container.resolve(Modules.PAYMENT)
    const logger = container.resolve("logger")
    const at = now ? new Date(now).getTime() : Date.now()
    const minutesAgo = (m: number) => new Date(at - m * 60_000)

    // The filter type omits `status`, a real column the service filters on.
    const filters = {
      provider_id: PLURAL_PROVIDER_ID,
      status: ["pending", "requires_more"],
      created_at: { $lte: minutesAgo(provider.options.reconcile_after_minutes).toISOString() },
    }
    const sessions = await paymentModule.listPaymentSessions(
      filters as Parameters<typeof paymentModule.listPaymentSessions>[0],
      { select: ["id", "amount", "currency_code", "data", "created_at"], take: BATCH, order: { created_at: "ASC" } }
    )

    const summary: ReconcileSummary = { checked: 0, completed: 0, failed: 0, expired: 0, pending: 0, errors: 0 }
    for (const session of sessions) {
      summary.checked++
      try {
        const { result } = await settlePluralPaymentWorkflow(container).run({ input: { session_id: session.id } })
        if (result.status !== "pending") {
          summary[result.status]++
          continue
        }
        if (new Date(session.created_at) > minutesAgo(provider.options.expire_after_minutes)) {
          summary.pending++
          continue
        }
        const data = parseSessionData(session.data)
        await paymentModule.updatePaymentSession({
          id: session.id,
          amount: session.amount,
          currency_code: session.currency_code,
          data: { ...data, failure: { code: "EXPIRED", message: "Plural never reported this payment as paid" } },
          status: "canceled",
        })
        summary.expired++
      } catch (error) {
        summary.errors++
        logger.warn(`Plural reconciliation of session ${session.id} failed, will retry next run: ${(error as Error).message}`)
      }
    }
    if (summary.checked) logger.info(`Plural reconciliation: ${JSON.stringify(summary)}`)
    return new StepResponse(summary)
  }
)

export const reconcilePluralPaymentsWorkflow = createWorkflow("reconcile-plural-payments", (input: { now?: string }) => {
  return new WorkflowResponse(reconcilePluralPaymentsStep(input))
})
