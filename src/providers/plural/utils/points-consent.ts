/**
 * The pay-by-points consent text the shopper reads and agrees to. Plural's agreements with the banks require the
 * shopper's explicit consent before any points are redeemed; the stored consent keeps this exact text and its
 * version, so a merchant who changes the text gives it a new version.
 */
export const DEFAULT_POINTS_CONSENT = {
  version: "plural-points-2026-11",
  text:
    "I agree to pay for this order, in part or in full, with the reward points of my card. The points and their " +
    "value are shown on Plural's payment page before I confirm, and my bank deducts the points redeemed from my " +
    "card's reward balance.",
} as const

export type PointsConsentText = { version: string; text: string }
