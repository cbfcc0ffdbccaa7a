export * from "./settle-plural-payment"
export * from "./reconcile-plural-payments"
export * from "./record-plural-refund"
export * from "./release-plural-authorization"
