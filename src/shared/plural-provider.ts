/**
 * The payment provider id a store registers Plural under: Medusa's `pp_<identifier>_<id>`, with the provider's
 * identifier `plural` and `id: "plural"` in medusa-config (as the README installs it).
 */
export const PLURAL_PROVIDER_ID = "pp_plural_plural"
