/**
 * Return URL templates: `{order_id}`, `{cart_id}` and `{country_code}` in the path of a storefront URL, so the shopper
 * can land on a page such as Medusa's Next.js starter's `/{country_code}/order/{order_id}/confirmed`.
 *
 * Pure and browser-safe: the callback route fills the provider's options with it, the options schema validates them
 * with it, and the React components fill their confirmation URL with it.
 */

export const RETURN_URL_PLACEHOLDERS = ["order_id", "cart_id", "country_code"] as const

export type ReturnUrlPlaceholder = (typeof RETURN_URL_PLACEHOLDERS)[number]

export type ReturnUrlValues = Partial<Record<ReturnUrlPlaceholder, string | null | undefined>>

const PLACEHOLDER = /\{([^{}]*)\}/g

/** A template's origin (`https://shop.in`, or nothing for a relative one), its path, and the rest (`?…#…`). */
function partsOf(template: string): { origin: string; path: string; rest: string } {
  const [, origin = "", path = "", rest = ""] = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(.*)$/is.exec(template) ?? []
  return { origin, path, rest }
}

function namesIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1])
}

/** Whether the template's path holds `{name}`. */
export function usesPlaceholder(template: string, name: ReturnUrlPlaceholder): boolean {
  return namesIn(partsOf(template).path).includes(name)
}

/**
 * What is wrong with a template's placeholders, for a boot-time error; undefined when nothing is.
 * `allowed` lists the placeholders this URL may hold (a failure URL never has an order to name).
 */
export function returnUrlTemplateProblem(
  template: string,
  allowed: readonly ReturnUrlPlaceholder[] = RETURN_URL_PLACEHOLDERS
): string | undefined {
  const { origin, path, rest } = partsOf(template)
  if (namesIn(origin).length || namesIn(rest).length) {
    return "placeholders such as {order_id} go in the path only (the plugin adds its query parameters itself)"
  }
  const unknown = namesIn(path).filter((name) => !(allowed as readonly string[]).includes(name))
  if (unknown.length) return `unknown placeholder {${unknown[0]}}: use ${allowed.map((name) => `{${name}}`).join(", ")}`
  return undefined
}

/**
 * Fills the path's placeholders, URL-encoded. A path segment whose placeholder has no value is left out:
 * `/{country_code}/checkout` without a country is `/checkout` (the starter's middleware then adds the shopper's
 * region). Callers that cannot do without a value (an order page without an order id) check `usesPlaceholder` first.
 */
export function fillReturnUrl(template: string, values: ReturnUrlValues): string {
  const { origin, path, rest } = partsOf(template)
  const segments = path.split("/").flatMap((segment) => {
    const names = namesIn(segment)
    if (!names.length) return [segment]
    if (names.some((name) => !values[name as ReturnUrlPlaceholder])) return []
    return [segment.replace(PLACEHOLDER, (_, name: ReturnUrlPlaceholder) => encodeURIComponent(values[name]!))]
  })
  return `${origin}${segments.join("/") || "/"}${rest}`
}
