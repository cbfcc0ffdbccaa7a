/**
 * The settlement's steps: each reads or changes one thing (the ledger, Medusa, Plural), in the order and under the
 * conditions `settlePluralPaymentWorkflow` composes from `decideSettlement`.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { capturePaymentWorkflow, completeCartWorkflow } from "@medusajs/medusa/core-flows"
import type { Order } from "../../plural"
import { PLURAL_MODULE } from "../../modules/plural"
import type { PluralModuleService } from "../../modules/plural/service"
import type { LedgerOrder } from "../../modules/plural/types"
import type { SettlementResult } from "../../shared/answers"
import { CAPTURED_STATUSES } from "../../shared/statuses"
import { resolvePluralGateway } from "../../utils/resolve-plural-gateway"
import { giveBack } from "./give-back"
import { nextOpenCheckSeconds, retryPaidSeconds, retryReturnSeconds } from "./schedule"
import { loadSessionContext, markSession, type SessionContext } from "./session-context"
import type { Settlement } from "./settlement-decision"
import { SHOPPER_MESSAGES } from "./shopper-messages"


export type SettleInput = {
  plural_order_id: string
  /** Polling callers: read an unpaid order from Plural at most once per `poll_interval_seconds` across instances. */
  throttled?: boolean
  /**
   * The status a signed browser return or webhook reports. When the ledger already settled the order at that very
   * status, there is nothing new to read: the second of a racing return and webhook costs no Plural call.
   */
  observed_status?: string
}

/** What each action of a settlement works on: the row (as read under the lock), Medusa's side, Plural's order. */
export type Settling = { row: LedgerOrder; context: SessionContext; plural: Order; decision: Settlement }
/** The decision as the action its branch runs for. */
const decided = <A extends Settlement["action"]>(decision: Settlement) => decision as Extract<Settlement, { action: A }>

const ledgerOf = (container: MedusaContainer) => container.resolve<PluralModuleService>(PLURAL_MODULE)

/** The ledger's row for a Plural order; an order this store never made is NOT_FOUND (another shop's, say). */
async function findLedgerOrder(input: Pick<SettleInput, "plural_order_id">, { container }: { container: MedusaContainer }) {
  const row = await ledgerOf(container).findOrder({ plural_order_id: input.plural_order_id })
  if (!row) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Plural order ${input.plural_order_id} was not made by this store`)
  return new StepResponse(row)
}

export const findLedgerOrderStep = createStep("find-plural-ledger-order", findLedgerOrder)
/** The same row read again once the settlement holds its lock: the caller before may have just settled it. */
export const rereadLedgerOrderStep = createStep("reread-plural-ledger-order-locked", findLedgerOrder)

export const loadSessionContextStep = createStep("load-plural-session-context", async (row: LedgerOrder, { container }) => {
  return new StepResponse(await loadSessionContext(container, row))
})

/**
 * Plural's order, always freshly read: a refund or release since the last read must be seen. The cart completion
 * that may follow reuses it (the gateway keeps a paid read for two seconds), so a paid checkout costs one read.
 * Nothing (null) for a polling caller while another read of an unpaid order is younger than `poll_interval_seconds`.
 */
export const readPluralOrderStep = createStep(
  "read-plural-order",
  async ({ row, context, throttled }: { row: LedgerOrder; context: SessionContext; throttled?: boolean }, { container }) => {
    const ledger = ledgerOf(container)
    const gateway = resolvePluralGateway(container)
    if (throttled && !["paid", "returning"].includes(row.state) && !(await ledger.claimCheck(row.id, gateway.options.poll_interval_seconds))) {
      return new StepResponse<Order | null>(null)
    }
    const plural = await gateway.readOrder(row.plural_order_id!, 0)
    await ledger.updateOrder(row.id, {
      plural_status: plural.status,
      checked_at: new Date(),
      cart_id: context.cart_id,
      payment_collection_id: context.payment_collection_id,
    })
    return new StepResponse<Order | null>(plural)
  }
)

/** The first time the ledger sees Plural holding the money: where the deadline for making the order starts. */
export const recordPaidStep = createStep("record-plural-order-paid", async ({ row }: Settling, { container }) => {
  await ledgerOf(container).updateOrder(row.id, { paid_at: new Date() })
  return new StepResponse()
})

/** Not paid yet: the ledger looks again later, should no webhook or shopper come first. */
export const scheduleNextCheckStep = createStep("schedule-plural-order-check", async ({ row }: Settling, { container }) => {
  const options = resolvePluralGateway(container).options
  await ledgerOf(container).updateOrder(row.id, { state: "open", check_in_seconds: nextOpenCheckSeconds(row, options) })
  return new StepResponse()
})

export const closeLedgerOrderStep = createStep("close-plural-ledger-order", async ({ row, decision }: Settling, { container }) => {
  const { close } = decided<"expire" | "fail">(decision)
  await ledgerOf(container).updateOrder(row.id, { state: close.state, reason: close.reason, check_in_seconds: null })
  return new StepResponse()
})

export const markPaymentSessionStep = createStep(
  "mark-plural-payment-session",
  async ({ context, decision }: Settling, { container }) => {
    await markSession(container, context, decided<"expire" | "fail">(decision).mark_session!)
    return new StepResponse()
  }
)

export const ownStep = createStep("own-plural-order", async ({ row, plural, decision }: Settling, { container }) => {
  await own(container, row, decided<"own">(decision).order_id, plural)
  return new StepResponse()
})

export const giveBackStep = createStep("give-back-plural-payment", async ({ row, plural, context, decision }: Settling, { container }) => {
  const { reason, current } = decided<"give-back">(decision)
  return new StepResponse(await giveBack(container, { row, plural, context, reason, current }))
})

export const payOrderCollectionStep = createStep(
  "pay-order-collection-with-plural",
  async ({ row, context, plural }: Settling, { container }) => {
    return new StepResponse(await payOrderCollection(container, row, context, plural))
  }
)

/**
 * The cart becomes an order, and the order owns the payment. A cart that cannot (sold out meanwhile, say) is no
 * settlement failure: the answer says so, and the settlement retries or gives the money back. Once the order exists
 * the money is never given back from here: a capture that could not be mirrored on it is recorded on the ledger row
 * (`own`), and the next settlement or the job mirrors it.
 */
export const completeCartStep = createStep("complete-cart-paid-with-plural", async (settling: Settling, { container }) => {
  return new StepResponse(await completeCartPaidWithPlural(container, settling))
})

export async function completeCartPaidWithPlural(
  container: MedusaContainer,
  { row, plural, context }: Pick<Settling, "row" | "plural" | "context">
): Promise<{ order_id: string } | { error: string }> {
  let orderId: string
  try {
    orderId = (await completeCartWorkflow(container).run({ input: { id: context.cart_id! } })).result.id
  } catch (error) {
    return { error: (error as Error).message }
  }
  await own(container, row, orderId, plural).catch((error: Error) =>
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .warn(`Plural order ${plural.order_id} paid for order ${orderId}; Medusa does not show the capture yet (retried): ${error.message}`)
  )
  return { order_id: orderId }
}

/** Paid, but the cart could not become an order: retried for `complete_paid_within_minutes`, then given back. */
export const cartNotCompletedStep = createStep(
  "retry-or-give-back-uncompleted-cart",
  async ({ row, plural, context, decision, error }: Settling & { error: string }, { container }): Promise<StepResponse<SettlementResult>> => {
    const options = resolvePluralGateway(container).options
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
    const paidAt = row.paid_at ? new Date(row.paid_at) : new Date()
    const deadline = paidAt.getTime() + options.complete_paid_within_minutes * 60_000
    const reason = `cart ${context.cart_id} could not be completed: ${error}`
    if (Date.now() >= deadline) {
      logger.warn(`Plural order ${plural.order_id}: ${reason}; giving the money back after ${options.complete_paid_within_minutes} minutes of retries`)
      return new StepResponse(await giveBack(container, { row, plural, context, reason, current: decided<"complete-cart">(decision).current }))
    }
    const attempts = row.attempts + 1
    await ledgerOf(container).updateOrder(row.id, {
      state: "paid",
      attempts,
      last_error: reason,
      check_in_seconds: retryPaidSeconds(attempts, deadline),
    })
    logger.error(
      `Plural order ${plural.order_id} is ${plural.status} but ${reason}. The plugin retries until ` +
        `${new Date(deadline).toISOString()}, then refunds the shopper automatically.`
    )
    return new StepResponse<SettlementResult>({
      status: "pending",
      cart_id: context.cart_id,
      paid: true,
      last_attempt: { code: "ORDER_NOT_CREATED_YET", reason: SHOPPER_MESSAGES.paidNoOrderYet },
    })
  }
)

/**
 * What an order still owes (after an order edit, exchange or claim), paid through a Plural link — or a cart's order
 * that Medusa made but never paid (the process died between creating it and authorising the session): the payment is
 * authorized and captured on the order's collection, as Medusa's own "mark as paid" does, so the order's outstanding
 * amount becomes zero. Both are idempotent: the capture of an order Plural already captured only records Medusa's
 * order transaction (once, by the capture's id), and a pre-authorisation is captured at Plural under Medusa's
 * capture id. The ledger says `owned` only once both are done, so a process dying in between is finished by the
 * next settlement, and a failure is recorded with a next check so the job comes back to it.
 */
export async function payOrderCollection(container: MedusaContainer, row: LedgerOrder, context: SessionContext, plural: Pick<Order, "status">): Promise<SettlementResult> {
  if (!context.cart_id) {
    await authorizeOnCollection(container, row, context, plural)
    return { status: "completed", order_id: context.order_id, payment_collection_id: context.payment_collection_id }
  }
  // Medusa's cart completion authorises this same session, after making the order, under a lock on the cart's id.
  // Under that lock this never authorises it at the same time (the losing authorisation's cancel would release
  // Plural's hold), and a completion that finished meanwhile left its payment: owned as it is.
  await container.resolve(Modules.LOCKING).execute(
    context.cart_id,
    async () => {
      const [session] = await container.resolve(Modules.PAYMENT).listPaymentSessions({ id: context.session!.id }, { relations: ["payment"], select: ["id"] })
      if (session?.payment) return await own(container, row, context.order_id!, plural)
      await authorizeOnCollection(container, row, context, plural)
    },
    { timeout: 30 }
  )
  return { status: "completed", cart_id: context.cart_id, order_id: context.order_id }
}

async function authorizeOnCollection(container: MedusaContainer, row: LedgerOrder, context: SessionContext, plural: Pick<Order, "status">): Promise<void> {
  const ledger = ledgerOf(container)
  await recordingFailure(ledger, row, "order collection not paid", async () => {
    const payment = await container.resolve(Modules.PAYMENT).authorizePaymentSession(context.session!.id, {})
    // Only a provider that defers authorisation answers nothing; Plural never does for a held order.
    if (!payment) throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Payment session ${context.session!.id} was not authorized`)
    // A cart's order keeps a pre-authorisation for the merchant to capture, as Medusa's cart completion would have.
    if (!context.cart_id || CAPTURED_STATUSES.has(plural.status)) await capturePaymentWorkflow(container).run({ input: { payment_id: payment.id } })
  })
  await ledger.updateOrder(row.id, { state: "owned", medusa_order_id: context.order_id!, last_error: null, check_in_seconds: null })
}

/** A Medusa order holds the payment: recorded, and a capture Plural made (auto-capture, its dashboard) mirrored. */
async function own(container: MedusaContainer, row: LedgerOrder, orderId: string, plural: Pick<Order, "status">): Promise<void> {
  const ledger = ledgerOf(container)
  const owned = row.state === "owned" && row.medusa_order_id === orderId
  const [payment] = CAPTURED_STATUSES.has(plural.status)
    ? await container.resolve(Modules.PAYMENT).listPayments({ payment_session_id: row.session_id }, { select: ["id", "captured_at", "canceled_at"] })
    : []
  const mirroring = Boolean(payment && !payment.captured_at && !payment.canceled_at)
  if (mirroring) {
    // The order holds the money from here, whether or not Medusa shows Plural's capture yet: never given back.
    if (!owned) await ledger.updateOrder(row.id, { state: "owned", medusa_order_id: orderId })
    await recordingFailure(ledger, row, "capture not mirrored", () => capturePaymentWorkflow(container).run({ input: { payment_id: payment!.id } }))
  }
  if (!owned || row.last_error || mirroring) {
    await ledger.updateOrder(row.id, { state: "owned", medusa_order_id: orderId, last_error: null, check_in_seconds: null })
  }
}

/**
 * Plural holds the money and Medusa does not show it yet. The error keeps the row from counting as settled at this
 * status (a redelivered webhook settles again) and the job comes back to it, whether or not it was owned.
 */
async function recordingFailure(ledger: PluralModuleService, row: LedgerOrder, what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run()
  } catch (error) {
    const attempts = row.attempts + 1
    await ledger.updateOrder(row.id, { last_error: `${what}: ${(error as Error).message}`, attempts, check_in_seconds: retryReturnSeconds(attempts) })
    throw error
  }
}
