/** What a shopper may read about their money; never internal error text. */
export const SHOPPER_MESSAGES = {
  refunded: "Your payment could not be used for this order, so it has been refunded in full. It reaches your account in a few working days.",
  released: "Your payment could not be used for this order, so the amount held on your card has been released.",
  returning: "Your payment could not be used for this order and is being refunded to you.",
  paidNoOrderYet: "We have received your payment and are confirming your order. Please do not pay again.",
  expired: "This payment was not completed in time. You can start a new payment.",
  notPaid: "This payment was not completed. You can start a new payment.",
} as const
