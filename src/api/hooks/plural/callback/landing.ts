/**
 * Where the callback sends the shopper's browser: the storefront's success or failure URL, its `{order_id}`,
 * `{cart_id}` and `{country_code}` placeholders filled, and the same query parameters whatever the template
 * (`order_id`, `cart_id`, `payment_collection_id`, `status=pending`, `code`, `reason`), so `readPluralReturn` reads every return alike.
 */
import { fillReturnUrl, usesPlaceholder, type ReturnUrlValues } from "../../../../shared/return-url"
import type { SettlementResult } from "../../../../shared/answers"

export type StorefrontUrls = { success: string; failure: string }

export function storefrontUrl(template: string, values: ReturnUrlValues, params: Record<string, string | undefined>): string {
  const url = new URL(fillReturnUrl(template, values))
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value)
  return url.toString()
}

/** The landing for a settled return; `country_code` is the cart's (shipping address, else billing). */
export function landingFor(urls: StorefrontUrls, result: SettlementResult, country_code?: string): string {
  const order_id = result.status === "completed" ? result.order_id : undefined
  const values = { order_id, cart_id: result.cart_id, country_code }
  if (result.status === "completed" && order_id) {
    // `payment_collection_id` (no cart): a payment link paid what an existing order owed, rather than a new order.
    return storefrontUrl(urls.success, values, { order_id, cart_id: result.cart_id, payment_collection_id: result.payment_collection_id })
  }
  if (result.status === "pending" && result.last_attempt && !result.paid) {
    // The attempt failed and the shopper is back with us: let them try again from the storefront.
    return storefrontUrl(urls.failure, values, { cart_id: result.cart_id, code: result.last_attempt.code, reason: result.last_attempt.reason })
  }
  if (result.status === "pending" || result.status === "completed") {
    // No order id yet. An order page cannot show without one, so a success URL that needs it gives way to the
    // failure URL (the checkout), where the storefront polls until the order exists.
    const page = usesPlaceholder(urls.success, "order_id") ? urls.failure : urls.success
    return storefrontUrl(page, values, { cart_id: result.cart_id, status: "pending" })
  }
  return storefrontUrl(urls.failure, values, { cart_id: result.cart_id, code: result.code, reason: result.reason })
}
