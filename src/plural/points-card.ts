/**
 * What Plural accepts as a points card: its number and the mobile number registered with it. On their own, with no
 * imports, so that a browser can check a shopper's entry with the very patterns the server and Plural's schema use,
 * without loading the schemas.
 */
export const POINTS_CARD_NUMBER_PATTERN = /^\d{12,19}$/
export const REGISTERED_MOBILE_PATTERN = /^\d{10}$/
