/** What a Plural order's status means: as a Medusa payment session status, and for the shopper's money. */
import type { PaymentSessionStatus } from "@medusajs/framework/types"
import type { OrderStatus } from "../plural/schemas"

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

/** Statuses after which the shopper's money has been taken (some of it may have gone back since). */
export const PAID_STATUSES: ReadonlySet<OrderStatus> = new Set(["AUTHORIZED", "PROCESSED", "PARTIALLY_REFUNDED", "FULLY_REFUNDED"])

/** Statuses in which Plural holds the whole amount: the only ones that may pay for a cart. */
export const HELD_STATUSES: ReadonlySet<OrderStatus> = new Set(["AUTHORIZED", "PROCESSED"])

/** Statuses after which the capture has happened: a capture asked again has nothing left to do. */
export const CAPTURED_STATUSES: ReadonlySet<OrderStatus> = new Set(["PROCESSED", "PARTIALLY_REFUNDED", "FULLY_REFUNDED"])
