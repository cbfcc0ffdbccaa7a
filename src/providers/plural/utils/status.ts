/** How a Plural order's status reads as a Medusa payment session status and a webhook action. */
import type { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/types"
import type { OrderStatus, WebhookEventType } from "../../../plural/schemas"

export const SESSION_STATUS_OF: Record<OrderStatus, PaymentSessionStatus> = {
  CREATED: "pending",
  PENDING: "pending",
  // A failed attempt with retries left: the shopper may still pay on the same order.
  ATTEMPTED: "pending",
  AUTHORIZED: "authorized",
  PROCESSED: "captured",
  // Refunded before the cart became an order: the money went back, so it can never pay for the cart.
  PARTIALLY_REFUNDED: "canceled",
  FULLY_REFUNDED: "canceled",
  CANCELLED: "canceled",
  FAILED: "error",
}

export const WEBHOOK_ACTION_OF: Record<WebhookEventType, PaymentActions> = {
  ORDER_AUTHORIZED: "authorized",
  ORDER_PROCESSED: "captured",
  ORDER_FAILED: "failed",
  PAYMENT_FAILED: "failed",
  ORDER_CANCELLED: "canceled",
  // Refund outcomes are recorded by the plugin's own webhook route; Medusa has no action for them.
  REFUND_PROCESSED: "not_supported",
  REFUND_FAILED: "not_supported",
}

/** Statuses after which the shopper's money has been taken (some of it may have gone back since). */
export const PAID_STATUSES: ReadonlySet<OrderStatus> = new Set(["AUTHORIZED", "PROCESSED", "PARTIALLY_REFUNDED", "FULLY_REFUNDED"])

/** Statuses in which Plural holds the whole amount: the only ones that may pay for a cart. */
export const HELD_STATUSES: ReadonlySet<OrderStatus> = new Set(["AUTHORIZED", "PROCESSED"])

/** Statuses after which the capture has happened: a capture asked again has nothing left to do. */
export const CAPTURED_STATUSES: ReadonlySet<OrderStatus> = new Set(["PROCESSED", "PARTIALLY_REFUNDED", "FULLY_REFUNDED"])
