/**
 * What a settlement does, decided from what the ledger, Medusa and Plural say — pure, so every rule about the
 * shopper's money can be read (and tested) in one place; the settlement workflow runs the steps it names.
 */
import type { Order } from "../../plural"
import type { LedgerOrder } from "../../modules/plural/types"
import type { SettlementResult } from "../../shared/answers"
import { HELD_STATUSES, PAID_STATUSES, SESSION_STATUS_OF } from "../../shared/statuses"
import { formatMinor } from "../../utils/money"
import type { PluralSessionData } from "../../shared/session-data"
import { SHOPPER_MESSAGES } from "./shopper-messages"
import type { OrderCollection, SessionContext, SessionMark } from "./session-context"

export type SettlementFacts = {
  /** The ledger's row, read under the settlement's lock. */
  row: LedgerOrder
  /** Medusa's side; absent when the ledger answered before it was loaded (settled at the observed status). */
  context?: SessionContext
  /** Plural's order as just read; absent when Plural was not asked (settled at the observed status, or throttled). */
  plural?: Order
  now: Date
}

/** The Plural order is the shopper's current checkout for what its session pays (not a replaced one). */
type Current = { current: boolean }
/** Plural has the shopper's money: the ledger records when it first saw that. */
type PaidTail = { record_paid: boolean }

export type Settlement =
  /** Nothing to do: the ledger's answer stands. */
  | { action: "answer"; result: SettlementResult }
  /** A Medusa order holds the payment: recorded as owned, and a capture Plural made mirrored. */
  | { action: "own"; order_id: string; result: SettlementResult }
  /** Not paid yet, and Plural's order still accepts a payment: checked again later. */
  | { action: "keep-waiting"; result: SettlementResult }
  /** Plural never reported it paid before the order expired: closed. */
  | { action: "expire"; close: Close; mark_session?: SessionMark; result: SettlementResult }
  /** Plural's order is over unpaid (failed, cancelled): closed, or released if its money was being given back. */
  | { action: "fail"; close: Close; mark_session?: SessionMark; result: SettlementResult }
  /** Paid, and no Medusa order may hold the money: refunded or released. */
  | ({ action: "give-back"; reason: string } & Current & PaidTail)
  /**
   * Paid for what an existing order owes (a payment link, or a cart's order Medusa made but never paid): authorized
   * and captured on the order's collection.
   */
  | ({ action: "pay-order-collection" } & PaidTail)
  /** Paid for a cart: the cart becomes an order. */
  | ({ action: "complete-cart" } & Current & PaidTail)

/** A ledger row that is over: its terminal state and why. */
export type Close = { state: "closed" | "released"; reason: string }

export function decideSettlement({ row, context, plural, now }: SettlementFacts): Settlement {
  const cart_id = context?.cart_id ?? row.cart_id ?? undefined
  const answer = (r: Pick<LedgerOrder, "state" | "medusa_order_id" | "plural_status"> = row): Settlement => ({ action: "answer", result: fromLedger(r, cart_id) })
  if (!plural || !context || row.state === "released" || row.state === "refunded") return answer()
  const current = Boolean(context.session && context.session.data.plural_order_id === plural.order_id)

  if (row.state !== "owned" && current && context.collection && context.session?.payment && PAID_STATUSES.has(plural.status)) {
    // Authorized on the order's collection before, but not yet recorded as paid there (the process died in between,
    // or a pre-authorisation's capture failed): finished now.
    return { action: "pay-order-collection", record_paid: false }
  }
  if (row.state === "owned" || (current && context.order_id && context.session?.payment)) {
    const order_id = context.order_id ?? row.medusa_order_id!
    return { action: "own", order_id, result: { status: "completed", cart_id, order_id } }
  }

  const sessionStatus = SESSION_STATUS_OF[plural.status]
  if (sessionStatus === "pending") {
    if (row.expires_at && new Date(row.expires_at) < now) {
      const failure = { code: "EXPIRED", message: SHOPPER_MESSAGES.expired }
      return {
        action: "expire",
        close: { state: "closed", reason: "Plural never reported it paid before it expired" },
        mark_session: current ? { failure, status: "canceled" } : undefined,
        result: { status: "failed", cart_id, code: failure.code, reason: failure.message },
      }
    }
    // ATTEMPTED: this try failed, but the order can still be paid.
    const detail = plural.payments.at(-1)?.error_detail
    const last_attempt = detail?.code ? { code: detail.code, reason: detail.message ?? detail.code } : undefined
    return { action: "keep-waiting", result: { status: "pending", cart_id, last_attempt } }
  }

  if (plural.status === "FAILED" || plural.status === "CANCELLED") {
    const detail = plural.payments.at(-1)?.error_detail
    const failure = { code: detail?.code ?? plural.status, message: detail?.message ?? `The payment was ${plural.status.toLowerCase()}` }
    const close: Close = { state: row.state === "returning" ? "released" : "closed", reason: row.reason ?? failure.message }
    if (close.state === "released") return { action: "fail", close, result: fromLedger({ ...row, state: "released" }, cart_id) }
    return {
      action: "fail",
      close,
      mark_session: current ? { failure, status: sessionStatus === "canceled" ? "canceled" : "error" } : undefined,
      result: { status: "failed", cart_id, reason: failure.message, code: failure.code },
    }
  }

  // From here Plural has (or had) the shopper's money and no Medusa order holds it.
  const record_paid = !row.paid_at
  const orphan = orphanReason(plural, row, context, current)
  if (orphan) return { action: "give-back", reason: orphan, current, record_paid }
  if (context.collection) return { action: "pay-order-collection", record_paid }
  return { action: "complete-cart", current, record_paid }
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

/** What the ledger already knows, for a caller who may not ask Plural again yet (or for a settled row). */
export function fromLedger(row: Pick<LedgerOrder, "state" | "medusa_order_id" | "plural_status">, cartId?: string): SettlementResult {
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
