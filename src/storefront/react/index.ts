/**
 * React components for a Medusa storefront's checkout (built for Medusa's Next.js starter), on top of
 * `medusa-payment-plural/storefront`. Browser-only code: no server imports; `react` is an optional peer dependency.
 */
export { usePluralChoice, forgetPluralChoice, type PluralChoice } from "./choice"
export { PluralPaymentChoice, DEFAULT_FLOW_LABELS, type PluralPaymentChoiceProps, type PluralFlowLabels } from "./payment-choice"
export { PluralPayButton, type PluralPayButtonProps } from "./pay-button"
export { PluralPointsConsent, type PluralPointsConsentProps } from "./points-consent"
export { PluralReturnStatus, type PluralReturnStatusProps } from "./return-status"
export {
  usePluralSettlement,
  type PluralCompletion,
  type PluralSettlementOptions,
  type PluralSettlementState,
} from "./use-plural-settlement"
