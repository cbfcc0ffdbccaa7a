// @ts-check
// A shopper and Plural's side of a checkout, over HTTP only: what the benchmark and the multi-instance tests drive
// against a running demo store. CommonJS so that both the .mjs scripts and Jest's TypeScript tests can load it.
"use strict"

/**
 * The parsed JSON answer of `url` (undefined when empty); a failed status throws an error carrying it as `status`.
 * The caller knows the answer's shape.
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
async function json(url, init = {}) {
  // Bounded: a store killed mid-request must not hang its caller.
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000), ...init })
  const text = await response.text()
  if (!response.ok) {
    const error = Object.assign(new Error(`${init.method ?? "GET"} ${url}: ${response.status} ${text.slice(0, 300)}`), { status: response.status })
    throw error
  }
  return text ? JSON.parse(text) : undefined
}

/**
 * The store API of the store at `base`, with a publishable key.
 * @typedef {{ base: string, get: (route: string) => Promise<any>, post: (route: string, body?: unknown) => Promise<any> }} StoreApi
 */

/**
 * @param {string} base
 * @param {string} publishableKey
 * @returns {StoreApi}
 */
function storeApi(base, publishableKey) {
  const headers = { "content-type": "application/json", "x-publishable-api-key": publishableKey }
  return {
    base,
    get: (route) => json(`${base}${route}`, { headers }),
    post: (route, body = {}) => json(`${base}${route}`, { method: "POST", headers, body: JSON.stringify(body) }),
  }
}

/**
 * A cart ready to pay: one item (of `variantId`, default the region's first product), an Indian address, the first
 * shipping option. Resolves the cart's id.
 * @param {StoreApi} api
 * @param {string} regionId
 * @param {{ variantId?: string }} [options]
 * @returns {Promise<string>}
 */
async function readyCart(api, regionId, { variantId } = {}) {
  if (!variantId) {
    const { products } = await api.get(`/store/products?region_id=${regionId}&fields=id,variants.id&limit=1`)
    variantId = products[0].variants[0].id
  }
  const { cart } = await api.post("/store/carts", {
    region_id: regionId,
    email: "shopper@example.in",
    items: [{ variant_id: variantId, quantity: 1 }],
    shipping_address: { first_name: "Asha", last_name: "Rao", address_1: "1 MG Road", city: "Bengaluru", postal_code: "560001", country_code: "in", phone: "+919876543210" },
  })
  const { shipping_options } = await api.get(`/store/shipping-options?cart_id=${cart.id}`)
  await api.post(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id })
  return cart.id
}

/**
 * A payment session of `providerId` for the cart (Plural's `data`: flow, upi_vpa…).
 * @param {StoreApi} api
 * @param {string} cartId
 * @param {string} providerId
 * @param {Record<string, unknown>} [data]
 * @returns {Promise<{ id: string, provider_id: string, data: Record<string, any> }>}
 */
async function startSession(api, cartId, providerId, data = {}) {
  const { payment_collection } = await api.post("/store/payment-collections", { cart_id: cartId })
  const created = await api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: providerId, data })
  return created.payment_collection.payment_sessions.find((/** @type {{ provider_id: string }} */ s) => s.provider_id === providerId)
}

/**
 * A call to the sandbox's control API.
 * @param {string} sandboxUrl
 * @param {string} method
 * @param {string} route
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
function sandboxControl(sandboxUrl, method, route, body) {
  return json(`${sandboxUrl}/_sandbox${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

/**
 * The shopper's browser returns to the store at `base` with Plural's signed fields; resolves the redirect target.
 * @param {string} base
 * @param {{ fields: Record<string, string> }} callback
 */
async function browserReturn(base, callback) {
  const response = await fetch(`${base}/hooks/plural/callback`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(callback.fields).toString(),
    redirect: "manual",
    signal: AbortSignal.timeout(60_000),
  })
  await response.arrayBuffer()
  return response.headers.get("location")
}

/**
 * An admin's bearer token for the demo's admin user.
 * @param {string} base
 * @param {{ email: string, password: string }} admin
 * @returns {Promise<string>}
 */
async function adminToken(base, admin) {
  const { token } = await json(`${base}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
  })
  return token
}

module.exports = { json, storeApi, readyCart, startSession, sandboxControl, browserReturn, adminToken }
