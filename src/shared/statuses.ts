/** What a Plural order's status means: as a Medusa payment session status, and for the shopper's money. */
import type { OrderStatus } from "../plural/schemas"

/**
 * The Medusa payment session statuses a Plural order can map to: a subset of Medusa's `PaymentSessionStatus`,
 * written out so that a storefront's types never need Medusa's server packages.
 */
export type PluralSessionStatus = "pending" | "authorized" | "captured" | "canceled" | "error"

export const SESSION_STATUS_OF: Record<OrderStatus, PluralSessionStatus> = {
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
