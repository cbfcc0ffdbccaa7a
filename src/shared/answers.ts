/**
 * What the plugin's routes answer, written once: the server builds these shapes and the storefront helper and the
 * admin widgets read them. Types only, apart from the list of exception kinds (the admin route validates a filter
 * against it). Money is integer minor units (paise) unless a field says rupees.
 */
import type { OrderStatus } from "../plural/schemas"
import type { CheckoutFlow } from "./checkout-flows"
import type { RefundRecord } from "./session-data"

/**
 * The settle route's answer (`POST /store/plural/carts/:id/settle`), and the settlement the browser return turns into
 * a landing URL.
 */
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

/** An amount as Plural states it: integer minor units and an upper-case currency. */
export type PluralAmount = { value: number; currency: string }

/** One Plural payment of a Medusa order, as Plural sees it now (the admin order widget). */
export type PluralPaymentView = {
  payment_id: string
  session_id: string
  flow: CheckoutFlow
  pre_auth: boolean
  /** ISO times. */
  captured_at: string | null
  canceled_at: string | null
  points_consent_at: string | null
  plural: {
    order_id: string
    merchant_order_reference: string
    status: OrderStatus
    amount: PluralAmount
    payment_method: string | null
    card: { network: string | null; type: string | null; last4: string | null } | null
    rrn: string | null
    captures: { merchant_capture_reference: string; capture_amount: PluralAmount; created_at?: string }[]
    refunds: RefundRecord[]
    error: { code?: string; message?: string } | null
  }
  /** Only an open authorisation can be captured or released. */
  can_capture: boolean
  can_cancel: boolean
}

export const EXCEPTION_KINDS = [
  /** Plural holds the shopper's money and no Medusa order has it yet: being retried, or about to be refunded. */
  "paid_without_order",
  /** Paid but could not become an order (or paid on a replaced checkout): the plugin refunded it in full. */
  "refunded_automatically",
  /** The same, for a pre-authorisation: the plugin released the hold. */
  "released_automatically",
  /** Plural reports a refund FAILED. */
  "refund_failed",
  /** A refund call's answer was lost and Plural has not confirmed the refund yet. */
  "refund_unknown",
  /** A webhook event keeps failing in the plugin's inbox. */
  "webhook_failing",
] as const
export type PluralExceptionKind = (typeof EXCEPTION_KINDS)[number]

/** One Plural payment the merchant should know about: money without an order, a refund in doubt, a stuck webhook. */
export type PluralException = {
  id: string
  kind: PluralExceptionKind
  plural_order_id: string | null
  merchant_order_reference: string | null
  cart_id: string | null
  /** The Medusa order, when there is one. */
  order_id: string | null
  /** Minor units (paise). */
  amount: number | null
  /** Lower-case, e.g. "inr". */
  currency_code: string | null
  reason: string | null
  /** What fixes it, or what the merchant should do next. */
  action: string
  /** ISO time. */
  occurred_at: string
}

/** A page of exceptions (`GET /admin/plural/exceptions`), newest first, and how many there are of each kind. */
export type PluralExceptionList = {
  exceptions: PluralException[]
  counts: Partial<Record<PluralExceptionKind, number>>
}

/** `GET /admin/plural/orders/:id` (and its sync): the order's Plural payments and the exceptions about them. */
export type PluralOrderView = { order_id: string; payments: PluralPaymentView[]; exceptions: PluralException[] }

/** A Plural hosted checkout for what an order still owes (after an order edit, exchange or claim). */
export type PluralPaymentLink = {
  order_id: string
  payment_collection_id: string
  session_id: string
  plural_order_id: string
  /** Plural's hosted checkout page: what the merchant sends the shopper. */
  url: string
  /** Minor units (paise). */
  amount: number
  /** Lower-case, e.g. "inr". */
  currency_code: string
  /** False when an earlier link for the same amount is still payable and was answered again. */
  created: boolean
}

/** What one reconciliation run did (`POST /admin/plural/reconcile`, and the scheduled job): counts of Plural orders. */
export type ReconcileSummary = {
  checked: number
  completed: number
  pending: number
  failed: number
  expired: number
  refunded: number
  released: number
  errors: number
  webhooks_retried: number
  refunds_recorded: number
  skipped?: "another instance is reconciling"
}

/** What a card's reward points can pay, for the storefront and the admin alike: rupees, the card by its last 4 digits. */
export type PointsBalance = {
  card_last4: string
  is_eligible: boolean
  redeemable_points: number
  /** Rupees. */
  balance: number
  /** Rupees. */
  redeemable_amount: number
  currency_code: string
}

/** A shopper's stored pay-by-points consent, as the admin's audit lists it. */
export type PointsConsentRecord = {
  id: string
  cart_id: string
  customer_id: string | null
  text_version: string
  /** The exact text the shopper agreed to. */
  text: string
  /** ISO time. */
  consented_at: string
  /** The payment session that offered points under it, once there is one. */
  session_id: string | null
  plural_order_id: string | null
  merchant_order_reference: string | null
  /** The Medusa order the consent's Plural order became, when there is one. */
  order_id: string | null
}

/** A page of consents (`GET /admin/plural/points-consents`), newest first, and how many match the filter. */
export type PointsConsentList = { consents: PointsConsentRecord[]; count: number; limit: number; offset: number }
