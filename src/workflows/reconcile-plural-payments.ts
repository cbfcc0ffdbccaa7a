import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import type { LedgerOrder } from "../modules/plural/types"
import type { ReconcileSummary } from "../shared/answers"
import { resolvePluralGateway } from "../utils/resolve-plural-gateway"
import { processPluralWebhookWorkflow } from "./process-plural-webhook"
import { recordRefundOnMedusa } from "./record-plural-refund"
import { settlePluralPaymentWorkflow } from "./settle-plural-payment"

const LOCK_KEY = "plural-reconcile"
const BATCH = 100
/** One run settles every due row (however many abandoned checkouts exist), within these bounds. */
const MAX_ROWS_PER_RUN = 5_000
const RUN_BUDGET_MS = 4 * 60_000
const CONCURRENCY = 4

/**
 * The ledger's own schedule, worked off: every row due now, most overdue first — unpaid orders on a backoff until
 * they expire, paid orders whose cart would not complete, money being given back, create calls that never answered
 * — settled the way a callback would be. Then refunds whose answer was lost are read back, refunds Plural made that
 * Medusa does not know are recorded, failed webhooks are retried, and old inbox rows pruned. One instance at a time.
 */
const reconcilePluralPaymentsStep = createStep("reconcile-plural-payments", async (_: Record<string, never>, { container }) => {
  const locking = container.resolve(Modules.LOCKING)
  try {
    await locking.acquire(LOCK_KEY, { expire: Math.ceil(RUN_BUDGET_MS / 1000) + 60 })
  } catch {
    return new StepResponse<ReconcileSummary>({ ...emptySummary(), skipped: "another instance is reconciling" })
  }
  try {
    const summary = await reconcile(container)
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
    if (summary.checked || summary.webhooks_retried || summary.errors) logger.info(`Plural reconciliation: ${JSON.stringify(summary)}`)
    return new StepResponse(summary)
  } finally {
    await locking.release(LOCK_KEY)
  }
})

export const reconcilePluralPaymentsWorkflow = createWorkflow("reconcile-plural-payments", () => {
  return new WorkflowResponse(reconcilePluralPaymentsStep({}))
})

async function reconcile(container: MedusaContainer): Promise<ReconcileSummary> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const gateway = resolvePluralGateway(container)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const summary = emptySummary()
  const started = Date.now()
  const failing = (what: string, error: unknown) => {
    summary.errors++
    logger.warn(`Plural reconciliation: ${what} failed, will retry next run: ${(error as Error).message}`)
  }

  await gateway.resolveRefunds().catch((error) => failing("reading back unconfirmed refunds", error))

  for (const refund of await ledger.unrecordedRefunds(BATCH)) {
    const parent = await ledger.findOrder({ plural_order_id: refund.plural_order_id })
    if (!parent) continue
    await recordRefundOnMedusa(container, refund, parent.session_id).then(
      (recorded) => recorded && summary.refunds_recorded++,
      (error) => failing(`recording refund ${refund.reference} on Medusa`, error)
    )
  }

  for (const { webhook_id } of await ledger.dueEvents(BATCH)) {
    const outcome = await processPluralWebhookWorkflow(container)
      .run({ input: { webhook_id } })
      .then(({ result }) => result, (error) => failing(`webhook ${webhook_id}`, error))
    if (outcome !== "skipped") summary.webhooks_retried++
    if (outcome === "failed") summary.errors++
  }

  const seen: string[] = []
  while (seen.length < MAX_ROWS_PER_RUN && Date.now() - started < RUN_BUDGET_MS) {
    const due = await ledger.dueOrders(BATCH, seen)
    if (!due.length) break
    seen.push(...due.map((row) => row.id))
    await inParallel(due, CONCURRENCY, (row) => checkRow(container, row, summary).catch((error) => failing(`Plural order ${row.plural_order_id ?? row.merchant_order_reference}`, error)))
  }

  await ledger.pruneEvents(gateway.options.webhook_retention_days).catch((error) => failing("pruning the webhook inbox", error))
  return summary
}

async function checkRow(container: MedusaContainer, row: LedgerOrder, summary: ReconcileSummary): Promise<void> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  summary.checked++
  const orderId = row.plural_order_id ?? (await resolveCreating(container, row))
  if (!orderId) return
  const { result } = await settlePluralPaymentWorkflow(container).run({ input: { plural_order_id: orderId } })
  if (result.status === "failed" && result.code === "EXPIRED") summary.expired++
  else if (result.status === "refunded") summary[result.code === "RELEASED" ? "released" : "refunded"]++
  else summary[result.status]++
  // A row that settled without changing its schedule (an error before any update) must not come back this run.
  const after = await ledger.findOrder({ id: row.id })
  if (after?.next_check_at && new Date(after.next_check_at) <= new Date()) await ledger.updateOrder(row.id, { check_in_seconds: 60 })
}

/**
 * A create call that never answered (timeout, or the process died before the session stored the order): Plural is
 * asked by the reference. Found → the row gets its order id and is settled like any other; never made → closed.
 */
async function resolveCreating(container: MedusaContainer, row: LedgerOrder): Promise<string | undefined> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const gateway = resolvePluralGateway(container)
  try {
    const order = await gateway.client.getOrderByReference(row.merchant_order_reference)
    await ledger.recordCreated({ merchant_order_reference: row.merchant_order_reference, plural_order_id: order.order_id, plural_status: order.status, check_after_seconds: 0 })
    return order.order_id
  } catch (error) {
    const notFound = (error as { status?: number }).status === 404
    if (notFound) {
      await ledger.updateOrder(row.id, { state: "closed", reason: "Plural never made this order (its create call failed)", check_in_seconds: null })
      return undefined
    }
    throw error
  }
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await run(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

function emptySummary(): ReconcileSummary {
  return { checked: 0, completed: 0, pending: 0, failed: 0, expired: 0, refunded: 0, released: 0, errors: 0, webhooks_retried: 0, refunds_recorded: 0 }
}
