/** The Plural error codes a shopper (or a test) can make a payment fail with, and what Plural says for each. */
export const FAILURE_MESSAGES = {
  PAYMENT_DECLINED: "Payment declined by the issuer",
  INSUFFICIENT_FUNDS: "Insufficient funds",
  USER_AUTHENTICATION_FAILED: "Consumer authentication failed",
  USER_AUTHENTICATION_REQUIRED: "Consumer Authentication Required",
  PAYMENT_EXPIRED: "The payment expired before the shopper completed it",
} as const
export type FailureCode = keyof typeof FAILURE_MESSAGES
export const FAILURE_CODES = Object.keys(FAILURE_MESSAGES) as FailureCode[]

/**
 * Decision: a shopper who presses Cancel ends the order (CANCELLED, nothing charged, no retry) rather than using
 * up one attempt; the browser return carries this code and the webhook is ORDER_CANCELLED.
 */
export const SHOPPER_CANCELLED = { code: "PAYMENT_CANCELLED", message: "The shopper cancelled the payment" } as const

export function failureMessage(code: string): string {
  return (FAILURE_MESSAGES as Record<string, string>)[code] ?? "Payment failed"
}

/** What a FAILED refund's payment says: the bank (or Plural) rejected it after Plural accepted the request. */
export const REFUND_REJECTED = { code: "REFUND_FAILED", message: "The bank rejected the refund" } as const
