/**
 * Plural's idempotency keys, derived from Medusa's own ids so that a retried call is the same call. Never random,
 * never time-based.
 */
import type { Order } from "../plural/schemas"

/** The first Plural order of a session uses the session id; an amount change makes attempt 2, 3… */
export function orderReference(sessionId: string, attempt: number): string {
  return attempt <= 1 ? sessionId : `${sessionId}-${attempt}`
}

export function paymentReference(orderReference: string): string {
  return `${orderReference}-pay`
}

/** Which Medusa payment session a Plural order belongs to: the metadata we wrote, else the reference we chose. */
export function sessionIdOf(order: Pick<Order, "merchant_order_reference" | "purchase_details">): string {
  return order.purchase_details?.merchant_metadata?.medusa_session_id ?? order.merchant_order_reference.replace(/-\d+$/, "")
}
