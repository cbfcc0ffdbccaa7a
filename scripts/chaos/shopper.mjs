// The shopper's side of a checkout, over HTTP only, as a browser and a storefront would drive it: the store API
// (through the balancer), the sandbox's hosted page and UPI page (their own form posts), the browser return, and
// the storefront's polling. Builds on the store-API helpers the benchmark and the topology tests use.
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const { adminToken, browserReturn, readyCart, sandboxControl, startSession, storeApi } = require("../lib/store-api.cjs")

const PROVIDER_ID = "pp_plural_plural"
const PAGE_TIMEOUT_MS = 30_000
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" }
const unescapeHtml = (text) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity])
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** The first form of a page: where it posts, and its hidden fields. */
function formOf(html, pageUrl) {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1]
  if (action === undefined) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 200)}`)
  const fields = {}
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(name)] = unescapeHtml(value)
  return { action: new URL(unescapeHtml(action), pageUrl).toString(), fields }
}

/** A session's data for `flow`. */
function sessionData(flow) {
  if (flow === "upi_collect") return { flow, upi_vpa: "shopper@okaxis" }
  if (flow === "upi_qr") return { flow }
  return { flow: "hosted" }
}

/**
 * The shopper and the merchant's admin for one store. `storeUrl` is the balancer (or one instance), `sandboxUrl`
 * Plural's.
 */
export function makeShopper({ storeUrl, sandboxUrl, publishableKey, regionId, admin }) {
  const store = (base = storeUrl) => storeApi(base, publishableKey)
  const control = (method, route, body) => sandboxControl(sandboxUrl, method, route, body)
  let token

  /** The admin's bearer token (one login for the run). */
  const token_ = async () => (token ??= await adminToken(storeUrl, admin))

  /** An admin request to `base` that never throws: `{ status, body }` (status 0 when no answer came). */
  async function adminCall(base, method, route, body) {
    await token_()
    try {
      const response = await fetch(`${base}${route}`, {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      })
      const text = await response.text()
      let parsed
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        parsed = text
      }
      return { status: response.status, body: parsed }
    } catch (error) {
      return { status: 0, body: { message: error.message } }
    }
  }

  /**
   * A cart and a Plural payment session for it. The storefront retries a failed session start (Plural answering
   * 5xx or nothing), as a shopper clicking "Pay" again would. Fills in the checkout record (`newCheckout`).
   */
  async function open(checkout, { variantId, base } = {}) {
    const api = store(base)
    checkout.cartId = await retrying(() => readyCart(api, regionId, { variantId }), 5)
    checkout.session = await startPayment(checkout, api)
    return checkout
  }

  /** A (new) Plural payment session for the checkout's cart, retried up to 8 times. */
  async function startPayment(checkout, api = store()) {
    const session = await retrying(() => startSession(api, checkout.cartId, PROVIDER_ID, sessionData(checkout.flow)), 8, (error) =>
      checkout.notes.push(`session start failed: ${error.message.slice(0, 120)}`)
    )
    checkout.sessionIds.push(session.id)
    checkout.pluralOrderIds.push(session.data.plural_order_id)
    return session
  }

  /**
   * The shopper pays on Plural's page: hosted checkout at `redirect_url`, or the UPI page of a pending collect / QR
   * payment (what approving in the UPI app amounts to). Resolves the browser return the page sends the shopper on
   * with (`{ url, fields }`), and marks when the payment was made.
   */
  async function pay(checkout, session = checkout.session) {
    const pageUrl =
      checkout.flow === "hosted" || checkout.flow === "pre_auth"
        ? session.data.redirect_url
        : `${sandboxUrl}/_sandbox/orders/${session.data.plural_order_id}/page`
    const page = await fetch(pageUrl, { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) })
    const html = await page.text()
    const form = formOf(html, page.url)
    const submitted = await fetch(form.action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ payment_method: "CARD", ...form.fields, action: "pay" }).toString(),
      redirect: "manual",
      signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
    })
    const answer = await submitted.text()
    if (submitted.status !== 200) throw new Error(`the Plural page refused the payment: ${submitted.status} ${answer.slice(0, 200)}`)
    checkout.paidAt ??= Date.now()
    // A UPI payment has no browser return when the order has no callback: the storefront polls instead.
    if (!answer.includes("<form")) return undefined
    const back = formOf(answer, form.action)
    return { url: back.action, fields: back.fields }
  }

  /** The browser return, sent to `base` (an instance, or the balancer); notes the order when it came back with one. */
  async function returnTo(checkout, base, callback) {
    try {
      const location = await browserReturn(base, callback)
      const orderId = location && new URL(location).searchParams.get("order_id")
      if (orderId) seeOrder(checkout, orderId)
      return location
    } catch (error) {
      checkout.notes.push(`return to ${base} failed: ${error.message}`)
      return undefined
    }
  }

  function seeOrder(checkout, orderId) {
    checkout.orderId ??= orderId
    checkout.orderAt ??= Date.now()
  }

  /** One poll of the storefront's settle route; undefined when the store did not answer. */
  async function settle(checkout, base = storeUrl) {
    try {
      const result = await store(base).post(`/store/plural/carts/${checkout.cartId}/settle`)
      if (result.status === "completed") seeOrder(checkout, result.order_id)
      return result
    } catch (error) {
      checkout.notes.push(`settle on ${base}: ${error.status ?? ""} ${error.message.slice(0, 100)}`)
      return undefined
    }
  }

  /** The storefront's complete, as a storefront that does not know better would call it. */
  async function complete(checkout, base = storeUrl) {
    try {
      const result = await store(base).post(`/store/carts/${checkout.cartId}/complete`)
      if (result.type === "order") seeOrder(checkout, result.order.id)
      return result
    } catch (error) {
      return undefined
    }
  }

  /** The storefront polls until the payment is decided (order, refunded, failed) or `timeoutMs` passes. */
  async function awaitOutcome(checkout, { timeoutMs = 90_000, base } = {}) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const result = await settle(checkout, base)
      if (result && result.status !== "pending") {
        checkout.outcome = result.status
        return result.status
      }
      await sleep(500)
    }
    checkout.outcome ??= "pending"
    return "pending"
  }

  return { store, control, adminToken: token_, adminCall, open, startPayment, pay, returnTo, settle, complete, awaitOutcome }
}

/** The record of one checkout that the audit and the report read; the shopper's steps fill it in. */
export function newCheckout(scenario, flow) {
  return { scenario, flow, cartId: undefined, sessionIds: [], pluralOrderIds: [], notes: [], startedAt: Date.now() }
}

/** `fn()`, tried up to `times` times one second apart; the last error is thrown. */
async function retrying(fn, times, onError = () => {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      onError(error)
      if (attempt >= times) throw error
      await sleep(1000)
    }
  }
}
