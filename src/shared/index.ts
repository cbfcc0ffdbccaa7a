/**
 * The plugin's shared vocabulary, defined once for the server, the storefront helper (and its React components) and
 * the admin widgets. Safe in a browser: nothing here imports server code, and this entry loads no schema library —
 * session data is exported as types (the server parses it with `utils/session-data`). A unit test holds it to that.
 */
export { PLURAL_PROVIDER_ID } from "./plural-provider"
export { CHECKOUT_FLOWS, type CheckoutFlow, isValidUpiVpa, UPI_VPA_PATTERN } from "./checkout-flows"
export { normalizeMobileNumber, POINTS_CARD_NUMBER_PATTERN, REGISTERED_MOBILE_PATTERN } from "./points-card"
export { CAPTURED_STATUSES, HELD_STATUSES, PAID_STATUSES, type PluralSessionStatus, SESSION_STATUS_OF } from "./statuses"
export { orderReference, paymentReference, sessionIdOf } from "./references"
export type { PluralSessionData, RefundRecord, SessionRequest } from "./session-data"
export type { OrderStatus } from "../plural/schemas"
export {
  fillReturnUrl,
  RETURN_URL_PLACEHOLDERS,
  returnUrlTemplateProblem,
  usesPlaceholder,
  type ReturnUrlPlaceholder,
  type ReturnUrlValues,
} from "./return-url"
export {
  EXCEPTION_KINDS,
  type PluralAmount,
  type PluralException,
  type PluralExceptionKind,
  type PluralExceptionList,
  type PluralOrderView,
  type PluralPaymentLink,
  type PluralPaymentView,
  type PointsBalance,
  type PointsConsentList,
  type PointsConsentRecord,
  type ReconcileSummary,
  type SettlementResult,
} from "./answers"
