import type { BigNumberInput, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { capturePaymentWorkflow, completeCartWorkflow } from "@medusajs/medusa/core-flows"
import type { Order } from "../../plural"
import { PLURAL_MODULE } from "../../modules/plural"
import type { PluralModuleService } from "../../modules/plural/service"
import type { LedgerOrder } from "../../modules/plural/types"
import { formatMinor, toMinorUnits } from "../../utils/money"
import type { PluralSessionData } from "../../shared/session-data"
import { parseSessionData } from "../../utils/session-data"
import { CAPTURED_STATUSES, HELD_STATUSES, PAID_STATUSES, SESSION_STATUS_OF } from "../../shared/statuses"
import { resolvePluralGateway } from "../../utils/resolve-plural-gateway"
import { PLURAL_PROVIDER_ID } from "../../shared/plural-provider"
import { giveBack, SHOPPER_MESSAGES } from "./give-back"
import { nextOpenCheckSeconds, retryPaidSeconds, retryReturnSeconds } from "./schedule"

export type SettlementResult =
  /** `payment_collection_id`: a payment link paid what an existing order owed (no cart, no new order). */
  | { status: "completed"; cart_id?: string; order_id?: string; payment_collection_id?: string }
  /**
   * Not paid yet (or Plural could not be asked: the settle route answers this when settling failed). `paid`: Plural
   * has the money and the order is being made (retried); the shopper should wait, not pay again. `last_attempt`
   * without `paid`: the latest try failed but Plural's order accepts another.
   */
  | { status: "pending"; cart_id?: string; paid?: boolean; last_attempt?: { reason: string; code: string } }
  /** Plural's order is over unpaid (failed, cancelled, expired): a new payment is needed. */
  | { status: "failed"; cart_id?: string; reason: string; code: string }
  /** The money went back to the shopper (refunded, or the authorisation released); `reason` is for the shopper. */
  | { status: "refunded"; cart_id?: string; reason: string; code: string }

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

/**
 * Brings Medusa and the ledger in line with what Plural says about one of the plugin's orders, and gives every rupee
 * an owner: paid → the cart becomes an order (a processed payment is captured); paid but the cart cannot become an
 * order → retried for `complete_paid_within_minutes`, then refunded or released; paid on a checkout that is no
 * longer the cart's → refunded or released at once; failed → the session is marked so the shopper can retry.
 * Idempotent; the calling workflow holds a lock on the order's session so concurrent callers run one after another.
 */
export const settlePluralOrderStep = createStep("settle-plural-order", async (input: SettleInput, { container }) => {
  return new StepResponse(await settlePluralOrder(container, input))
})

type SessionContext = {
  session?: { id: string; status: string; amount: unknown; currency_code: string; data: PluralSessionData; payment?: { id: string; captured_at?: unknown } | null }
  payment_collection_id?: string
  cart_id?: string
  /** The Medusa order the cart (or the payment collection) already belongs to. */
  order_id?: string
  /** Set when the collection is an order's own (what it owes after an edit, exchange or claim), not a cart's. */
  collection?: OrderCollection
}

/** An order's own payment collection as it stands now; `amount` in minor units (paise). */
type OrderCollection = { status: string; amount: number; order_status: string }

export async function settlePluralOrder(container: MedusaContainer, input: SettleInput): Promise<SettlementResult> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const provider = resolvePluralGateway(container)
  const row = await ledger.findOrder({ plural_order_id: input.plural_order_id })
  if (!row) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Plural order ${input.plural_order_id} was not made by this store`)

  if (isSettledAt(row, input.observed_status)) return fromLedger(row, row.cart_id ?? undefined)

  const context = await sessionContext(container, row)
  const known = { cart_id: context.cart_id ?? row.cart_id ?? undefined }
  if (input.throttled && !["paid", "returning"].includes(row.state) && !(await ledger.claimCheck(row.id, provider.options.poll_interval_seconds))) {
    return fromLedger(row, known.cart_id)
  }

  // Always a fresh read: a refund or release since the last one must be seen. The cart completion that may follow
  // reuses it (the provider keeps a paid read for two seconds), so a paid checkout costs one read.
  const plural = await provider.readOrder(input.plural_order_id, 0)
  await ledger.updateOrder(row.id, {
    plural_status: plural.status,
    checked_at: new Date(),
    cart_id: context.cart_id,
    payment_collection_id: context.payment_collection_id,
  })
  const current = Boolean(context.session && context.session.data.plural_order_id === plural.order_id)

  if (row.state === "released" || row.state === "refunded") return fromLedger(row, known.cart_id)
  if (row.state !== "owned" && current && context.collection && context.session?.payment && PAID_STATUSES.has(plural.status)) {
    // Authorized on the order's collection before, but not yet recorded as paid there (the process died in between,
    // or a pre-authorisation's capture failed): finished now.
    return await payOrderCollection(container, row, context)
  }
  if (row.state === "owned" || (current && context.order_id && context.session?.payment)) {
    await own(container, row, context.order_id ?? row.medusa_order_id!, plural)
    return { status: "completed", ...known, order_id: context.order_id ?? row.medusa_order_id! }
  }

  const sessionStatus = SESSION_STATUS_OF[plural.status]
  if (sessionStatus === "pending") {
    if (row.expires_at && new Date(row.expires_at) < new Date()) {
      await ledger.updateOrder(row.id, { state: "closed", reason: "Plural never reported it paid before it expired", check_in_seconds: null })
      if (current) await markSession(container, context, { code: "EXPIRED", message: SHOPPER_MESSAGES.expired }, "canceled")
      return { status: "failed", ...known, code: "EXPIRED", reason: SHOPPER_MESSAGES.expired }
    }
    await ledger.updateOrder(row.id, { state: "open", check_in_seconds: nextOpenCheckSeconds(row, provider.options) })
    // ATTEMPTED: this try failed, but the order can still be paid.
    const detail = plural.payments.at(-1)?.error_detail
    const last_attempt = detail?.code ? { code: detail.code, reason: detail.message ?? detail.code } : undefined
    return { status: "pending", ...known, last_attempt }
  }

  if (plural.status === "FAILED" || plural.status === "CANCELLED") {
    const detail = plural.payments.at(-1)?.error_detail
    const failure = { code: detail?.code ?? plural.status, message: detail?.message ?? `The payment was ${plural.status.toLowerCase()}` }
    const given = row.state === "returning" ? "released" : "closed"
    await ledger.updateOrder(row.id, { state: given, reason: row.reason ?? failure.message, check_in_seconds: null })
    if (given === "released") return fromLedger({ ...row, state: given }, known.cart_id)
    if (current) await markSession(container, context, failure, sessionStatus === "canceled" ? "canceled" : "error")
    return { status: "failed", ...known, reason: failure.message, code: failure.code }
  }

  // From here Plural has (or had) the shopper's money and no Medusa order holds it.
  if (!row.paid_at) await ledger.updateOrder(row.id, { paid_at: new Date() })
  const orphan = orphanReason(plural, row, context, current)
  if (orphan) return await giveBack(container, { row, plural, reason: orphan, current, context })
  if (context.collection) return await payOrderCollection(container, row, context)

  try {
    const { result } = await completeCartWorkflow(container).run({ input: { id: context.cart_id! } })
    await own(container, row, result.id, plural)
    return { status: "completed", cart_id: context.cart_id, order_id: result.id }
  } catch (error) {
    return await cartNotCompleted(container, { row, plural, context, current, error: error as Error })
  }
}

/**
 * Whether the ledger already settled this order at the status a signed return or webhook reports: then nothing can
 * have changed, and neither Plural nor the settlement needs to be asked again.
 */
export function isSettledAt(row: Pick<LedgerOrder, "state" | "plural_status" | "last_error">, observedStatus: string | undefined): boolean {
  // A row with an error still owes Medusa something (a capture to mirror, say): never settled, whatever the status.
  return (
    Boolean(observedStatus) &&
    observedStatus === row.plural_status &&
    !row.last_error &&
    ["owned", "released", "refunded", "closed"].includes(row.state)
  )
}

/** Paid, but the cart could not become an order (sold out meanwhile, say): retried for a while, then given back. */
async function cartNotCompleted(
  container: MedusaContainer,
  input: { row: LedgerOrder; plural: Order; context: SessionContext; current: boolean; error: Error }
): Promise<SettlementResult> {
  const { row, plural, context, error } = input
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const options = resolvePluralGateway(container).options
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const paidAt = row.paid_at ? new Date(row.paid_at) : new Date()
  const deadline = paidAt.getTime() + options.complete_paid_within_minutes * 60_000
  const reason = `cart ${context.cart_id} could not be completed: ${error.message}`
  if (Date.now() >= deadline) {
    logger.warn(`Plural order ${plural.order_id}: ${reason}; giving the money back after ${options.complete_paid_within_minutes} minutes of retries`)
    return await giveBack(container, { ...input, reason })
  }
  const attempts = row.attempts + 1
  await ledger.updateOrder(row.id, {
    state: "paid",
    attempts,
    last_error: reason,
    check_in_seconds: retryPaidSeconds(attempts, deadline),
  })
  logger.error(
    `Plural order ${plural.order_id} is ${plural.status} but ${reason}. The plugin retries until ` +
      `${new Date(deadline).toISOString()}, then refunds the shopper automatically.`
  )
  return { status: "pending", cart_id: context.cart_id, paid: true, last_attempt: { code: "ORDER_NOT_CREATED_YET", reason: SHOPPER_MESSAGES.paidNoOrderYet } }
}

/** Why a paid Plural order cannot pay for its cart — its money then goes back. Undefined when it can. */
function orphanReason(plural: Order, row: LedgerOrder, context: SessionContext, current: boolean): string | undefined {
  if (!HELD_STATUSES.has(plural.status)) return `Plural shows it ${plural.status} before any Medusa order held it`
  if (!context.session) return "its payment session was deleted (the cart changed, the shopper restarted payment, or a newer payment link replaced it)"
  if (!current) return "the cart's checkout was replaced by a newer one after this payment started"
  const { value, currency } = plural.order_amount
  if (value !== row.amount || currency.toLowerCase() !== row.currency_code || value !== context.session.data.amount) {
    return `Plural reports ${value} ${currency} but the session expects ${context.session.data.amount} ${row.currency_code.toUpperCase()}`
  }
  if (context.collection) return orderCollectionOrphanReason(context.order_id!, context.collection, context.session.data)
  if (!context.cart_id) return "its payment collection belongs to no cart and no order"
  if (context.order_id) return `the cart already became order ${context.order_id} with another payment`
  return undefined
}

/**
 * Why a payment link cannot pay what its order owes now: it was paid some other way (or twice), the order was
 * canceled, or the order changed after the link was made (another edit, an edit reversed) so it asks a stale amount.
 */
function orderCollectionOrphanReason(orderId: string, collection: OrderCollection, session: PluralSessionData): string | undefined {
  if (collection.order_status === "canceled") return `order ${orderId} was canceled`
  if (!PAYABLE_COLLECTION_STATUSES.has(collection.status)) return `order ${orderId}'s payment collection is ${collection.status}: it was paid another way`
  if (collection.amount !== session.amount) {
    return `the link asks ${formatMinor(session.amount, session.currency_code)} but order ${orderId} now owes ${formatMinor(collection.amount, session.currency_code)} (the order changed after the link was made)`
  }
  return undefined
}

/** A collection Medusa still waits to be paid: nothing authorized or captured on it yet. */
const PAYABLE_COLLECTION_STATUSES = new Set(["not_paid", "awaiting"])

/**
 * What an order still owes (after an order edit, exchange or claim), paid through a Plural link: the payment is
 * authorized and captured on the order's collection, as Medusa's own "mark as paid" does, so the order's outstanding
 * amount becomes zero. Both are idempotent: the capture of an order Plural already captured only records Medusa's
 * order transaction (once, by the capture's id), and a pre-authorisation is captured at Plural under Medusa's
 * capture id. The ledger says `owned` only once both are done, so a process dying in between is finished by the
 * next settlement.
 */
async function payOrderCollection(container: MedusaContainer, row: LedgerOrder, context: SessionContext): Promise<SettlementResult> {
  const payment = await container.resolve(Modules.PAYMENT).authorizePaymentSession(context.session!.id, {})
  // Only a provider that defers authorisation answers nothing; Plural never does for a held order.
  if (!payment) throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Payment session ${context.session!.id} was not authorized`)
  await capturePaymentWorkflow(container).run({ input: { payment_id: payment.id } })
  await container
    .resolve<PluralModuleService>(PLURAL_MODULE)
    .updateOrder(row.id, { state: "owned", medusa_order_id: context.order_id!, last_error: null, check_in_seconds: null })
  return { status: "completed", order_id: context.order_id, payment_collection_id: context.payment_collection_id }
}

/** A Medusa order holds the payment: recorded, and a capture Plural made (auto-capture, its dashboard) mirrored. */
async function own(container: MedusaContainer, row: LedgerOrder, orderId: string, plural: Order): Promise<void> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  if (CAPTURED_STATUSES.has(plural.status)) {
    const [payment] = await container
      .resolve(Modules.PAYMENT)
      .listPayments({ payment_session_id: row.session_id }, { select: ["id", "captured_at", "canceled_at"] })
    if (payment && !payment.captured_at && !payment.canceled_at) {
      try {
        await capturePaymentWorkflow(container).run({ input: { payment_id: payment.id } })
      } catch (error) {
        // Plural holds the capture and Medusa does not show it yet. The error keeps the row from counting as settled at
        // this status (a redelivered webhook settles again) and the job comes back to it, whether or not it was owned.
        const attempts = row.attempts + 1
        await ledger.updateOrder(row.id, { last_error: `capture not mirrored: ${(error as Error).message}`, attempts, check_in_seconds: retryReturnSeconds(attempts) })
        throw error
      }
    }
  }
  if (row.state !== "owned" || row.medusa_order_id !== orderId || row.last_error) {
    await ledger.updateOrder(row.id, { state: "owned", medusa_order_id: orderId, last_error: null, check_in_seconds: null })
  }
}

/** The session, its payment collection, cart and any order the cart (or collection) already became. */
async function sessionContext(container: MedusaContainer, row: LedgerOrder): Promise<SessionContext> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const [session] = await container
    .resolve(Modules.PAYMENT)
    .listPaymentSessions(
      { id: row.session_id },
      { relations: ["payment"], select: ["id", "status", "data", "amount", "currency_code", "provider_id", "payment_collection_id"] }
    )
  const collectionId = session?.payment_collection_id ?? row.payment_collection_id ?? undefined
  if (!collectionId) return {}
  const { data: carts } = await query.graph({ entity: "cart_payment_collection", fields: ["cart_id"], filters: { payment_collection_id: collectionId } })
  const cartId: string | undefined = carts[0]?.cart_id
  const { data: orders } = cartId
    ? await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
    : await query.graph({ entity: "order_payment_collection", fields: ["order_id"], filters: { payment_collection_id: collectionId } })
  const ours = session && session.provider_id === PLURAL_PROVIDER_ID && safeSessionData(session.data)
  const orderId: string | undefined = orders[0]?.order_id
  return {
    session: ours ? { ...session, data: ours } : undefined,
    payment_collection_id: collectionId,
    cart_id: cartId,
    order_id: orderId,
    collection: !cartId && orderId ? await orderCollection(container, collectionId, orderId) : undefined,
  }
}

async function orderCollection(container: MedusaContainer, collectionId: string, orderId: string): Promise<OrderCollection> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const [{ data: collections }, { data: orders }] = await Promise.all([
    query.graph({ entity: "payment_collection", fields: ["status", "amount", "currency_code"], filters: { id: collectionId } }),
    query.graph({ entity: "order", fields: ["status"], filters: { id: orderId } }),
  ])
  const collection = collections[0]
  const order_status = orders[0]?.status ?? "canceled"
  if (!collection) return { status: "deleted", amount: 0, order_status }
  return { status: collection.status, amount: toMinorUnits(collection.amount as BigNumberInput, collection.currency_code), order_status }
}

/** A session whose data has no Plural order (the process died before storing it) is not this order's session. */
function safeSessionData(data: unknown): PluralSessionData | undefined {
  try {
    return parseSessionData(data)
  } catch {
    return undefined
  }
}

/** What the ledger already knows, for a caller who may not ask Plural again yet (or for a settled row). */
function fromLedger(row: LedgerOrder, cartId?: string): SettlementResult {
  switch (row.state) {
    case "owned":
      return { status: "completed", cart_id: cartId, order_id: row.medusa_order_id ?? undefined }
    case "released":
      return { status: "refunded", cart_id: cartId, code: "RELEASED", reason: SHOPPER_MESSAGES.released }
    case "refunded":
      return { status: "refunded", cart_id: cartId, code: "REFUNDED", reason: SHOPPER_MESSAGES.refunded }
    case "paid":
    case "returning":
      return { status: "pending", cart_id: cartId, paid: true }
    case "closed":
      return { status: "failed", cart_id: cartId, code: row.plural_status ?? "CLOSED", reason: SHOPPER_MESSAGES.notPaid }
    default:
      return { status: "pending", cart_id: cartId }
  }
}

export async function markSession(
  container: MedusaContainer,
  context: SessionContext,
  failure: { code: string; message: string },
  status: "error" | "canceled"
): Promise<void> {
  const session = context.session
  if (!session || (session.status === status && session.data.failure?.code === failure.code)) return
  await container.resolve(Modules.PAYMENT).updatePaymentSession({
    id: session.id,
    amount: session.amount as number,
    currency_code: session.currency_code,
    data: { ...session.data, failure },
    status,
  })
}

export type { SessionContext }
