/** What a pay-by-points card entry must look like, for the storefront helper, the admin and the server alike. */
import { POINTS_CARD_NUMBER_PATTERN, REGISTERED_MOBILE_PATTERN } from "../plural/points-card"

export { POINTS_CARD_NUMBER_PATTERN, REGISTERED_MOBILE_PATTERN }

/** A +91 or 0 in front of what is otherwise a registered mobile number. */
const MOBILE_PREFIX = new RegExp(`^(91|0)(?=${REGISTERED_MOBILE_PATTERN.source.replace(/^\^/, "")})`)

/** Digits only; a +91 or 0 prefix before a 10-digit mobile number is dropped. */
export function normalizeMobileNumber(value: string): string {
  return value.replace(/\D/g, "").replace(MOBILE_PREFIX, "")
}
