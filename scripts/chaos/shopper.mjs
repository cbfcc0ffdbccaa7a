// @ts-check
// The shopper's side of a checkout, over HTTP only, as a browser and a storefront would drive it: the store API
// (through the balancer), the sandbox's hosted page and UPI page (their own form posts), the browser return, and
// the storefront's polling. Builds on the store-API helpers the benchmark and the topology tests use.
import { createRequire } from "node:module"
import { setTimeout as sleep } from "node:timers/promises"

const require = createRequire(import.meta.url)
const { adminToken, browserReturn, readyCart, sandboxControl, startSession, storeApi } = require("../lib/store-api.cjs")

/** @typedef {import("../../src/shared/answers.js").SettlementResult} SettlementResult */

/** How the shopper pays: Plural's checkout flows, and `pre_auth` (hosted, against a store set to pre-authorise). */
/** @typedef {"hosted" | "upi_collect" | "upi_qr" | "pre_auth"} Flow */

/** A Plural payment session: what the shopper reads of its data (Plural's order, and its hosted page). */
/** @typedef {{ id: string, data: { plural_order_id: string, redirect_url?: string } }} Session */

/** A browser return: where Plural's page sends the shopper, with its signed fields. */
/** @typedef {{ url: string, fields: Record<string, string> }} Callback */

/**
 * One of the admin's actions on a checkout: how many attempts it took, whether it was done, and whether the last
 * attempt came after Plural recovered.
 * @typedef {{ what: string, attempts: number, ok: boolean, afterFaults: boolean }} AdminAction
 */

/**
 * The record of one checkout that the audit and the report read; the shopper's steps fill it in.
 * @typedef {{
 *   scenario: string,
 *   flow: Flow,
 *   cartId?: string,
 *   session?: Session,
 *   sessionIds: string[],
 *   pluralOrderIds: string[],
 *   notes: string[],
 *   startedAt: number,
 *   paidAt?: number,
 *   orderId?: string,
 *   orderAt?: number,
 *   outcome?: string,
 *   admin?: AdminAction[],
 * }} Checkout
 */

/** An admin request's answer: its status (0 when none came) and its body (parsed when JSON). */
/** @typedef {{ status: number, body: unknown }} AdminAnswer */

const PROVIDER_ID = "pp_plural_plural"
const PAGE_TIMEOUT_MS = 30_000
/** @type {Record<string, string>} */
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" }
/** @param {string} text */
const unescapeHtml = (text) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity])

/** @param {unknown} error */
const messageOf = (error) => /** @type {Error} */ (error).message

/**
 * The first form of a page: where it posts, and its hidden fields.
 * @param {string} html
 * @param {string} pageUrl
 * @returns {Callback}
 */
function formOf(html, pageUrl) {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1]
  if (action === undefined) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 200)}`)
  /** @type {Record<string, string>} */
  const fields = {}
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeHtml(name)] = unescapeHtml(value)
  return { url: new URL(unescapeHtml(action), pageUrl).toString(), fields }
}

/**
 * A session's data for `flow`.
 * @param {Flow} flow
 */
function sessionData(flow) {
  if (flow === "upi_collect") return { flow, upi_vpa: "shopper@okaxis" }
  if (flow === "upi_qr") return { flow }
  return { flow: "hosted" }
}

/**
 * What the shopper reads of a session the store answered; throws when it has no Plural order.
 * @param {{ id: string, data: Record<string, unknown> }} session
 * @returns {Session}
 */
function pluralSession({ id, data }) {
  const { plural_order_id, redirect_url } = data
  if (typeof plural_order_id !== "string") throw new Error(`session ${id} has no Plural order: ${JSON.stringify(data).slice(0, 200)}`)
  return { id, data: { plural_order_id, redirect_url: typeof redirect_url === "string" ? redirect_url : undefined } }
}

/**
 * The shopper and the merchant's admin for one store. `storeUrl` is the balancer (or one instance), `sandboxUrl`
 * Plural's.
 * @param {{ storeUrl: string, sandboxUrl: string, publishableKey: string, regionId: string, admin: { email: string, password: string } }} store
 */
export function makeShopper({ storeUrl, sandboxUrl, publishableKey, regionId, admin }) {
  /** @returns {import("../lib/store-api.cjs").StoreApi} */
  const store = (base = storeUrl) => storeApi(base, publishableKey)
  /**
   * A call to the sandbox's control API; the caller knows the answer's shape.
   * @param {string} method
   * @param {string} route
   * @param {unknown} [body]
   */
  const control = (method, route, body) => sandboxControl(sandboxUrl, method, route, body)
  /** @type {string | undefined} */
  let token

  /** The admin's bearer token (one login for the run). */
  const token_ = async () => (token ??= await adminToken(storeUrl, admin))

  /**
   * An admin request to `base` that never throws (status 0 when no answer came).
   * @param {string} base
   * @param {string} method
   * @param {string} route
   * @param {unknown} [body]
   * @returns {Promise<AdminAnswer>}
   */
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
      /** @type {unknown} */
      let parsed
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        parsed = text
      }
      return { status: response.status, body: parsed }
    } catch (error) {
      return { status: 0, body: { message: messageOf(error) } }
    }
  }

  /**
   * A cart and a Plural payment session for it. The storefront retries a failed session start (Plural answering
   * 5xx or nothing), as a shopper clicking "Pay" again would. Fills in the checkout record (`newCheckout`) and
   * resolves the cart's id and the session.
   * @param {Checkout} checkout
   * @param {{ variantId?: string, base?: string }} [options]
   * @returns {Promise<{ cartId: string, session: Session }>}
   */
  async function open(checkout, { variantId, base } = {}) {
    const api = store(base)
    const cartId = await retrying(() => readyCart(api, regionId, { variantId }), 5)
    checkout.cartId = cartId
    const session = await startPayment(checkout, api)
    checkout.session = session
    return { cartId, session }
  }

  /**
   * A (new) Plural payment session for the checkout's cart, retried up to 8 times.
   * @param {Checkout} checkout
   * @returns {Promise<Session>}
   */
  async function startPayment(checkout, api = store()) {
    const cartId = /** @type {string} */ (checkout.cartId)
    const session = pluralSession(
      await retrying(() => startSession(api, cartId, PROVIDER_ID, sessionData(checkout.flow)), 8, (error) =>
        checkout.notes.push(`session start failed: ${messageOf(error).slice(0, 120)}`)
      )
    )
    checkout.sessionIds.push(session.id)
    checkout.pluralOrderIds.push(session.data.plural_order_id)
    return session
  }

  /**
   * The shopper pays on Plural's page: hosted checkout at `redirect_url`, or the UPI page of a pending collect / QR
   * payment (what approving in the UPI app amounts to). Resolves the browser return the page sends the shopper on
   * with, and marks when the payment was made.
   * @param {Checkout} checkout
   * @returns {Promise<Callback | undefined>}
   */
  async function pay(checkout, session = /** @type {Session} */ (checkout.session)) {
    const pageUrl =
      checkout.flow === "hosted" || checkout.flow === "pre_auth"
        ? /** @type {string} */ (session.data.redirect_url)
        : `${sandboxUrl}/_sandbox/orders/${session.data.plural_order_id}/page`
    const page = await fetch(pageUrl, { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) })
    const html = await page.text()
    const form = formOf(html, page.url)
    const submitted = await fetch(form.url, {
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
    return formOf(answer, form.url)
  }

  /**
   * The browser return, sent to `base` (an instance, or the balancer); notes the order when it came back with one.
   * @param {Checkout} checkout
   * @param {string} base
   * @param {Callback} callback
   */
  async function returnTo(checkout, base, callback) {
    try {
      const location = await browserReturn(base, callback)
      const orderId = location && new URL(location).searchParams.get("order_id")
      if (orderId) seeOrder(checkout, orderId)
      return location
    } catch (error) {
      checkout.notes.push(`return to ${base} failed: ${messageOf(error)}`)
      return undefined
    }
  }

  /**
   * The order the checkout became, and when it was seen (the first time).
   * @param {Checkout} checkout
   * @param {string | undefined} orderId
   */
  function seeOrder(checkout, orderId) {
    checkout.orderId ??= orderId
    checkout.orderAt ??= Date.now()
  }

  /**
   * One poll of the storefront's settle route; undefined when the store did not answer.
   * @param {Checkout} checkout
   * @returns {Promise<SettlementResult | undefined>}
   */
  async function settle(checkout, base = storeUrl) {
    try {
      /** @type {SettlementResult} */
      const result = await store(base).post(`/store/plural/carts/${checkout.cartId}/settle`)
      if (result.status === "completed") seeOrder(checkout, result.order_id)
      return result
    } catch (error) {
      checkout.notes.push(`settle on ${base}: ${/** @type {{ status?: number }} */ (error).status ?? ""} ${messageOf(error).slice(0, 100)}`)
      return undefined
    }
  }

  /**
   * The storefront's complete, as a storefront that does not know better would call it.
   * @param {Checkout} checkout
   */
  async function complete(checkout, base = storeUrl) {
    try {
      /** @type {{ type: "order", order: { id: string } } | { type: "cart" }} */
      const result = await store(base).post(`/store/carts/${checkout.cartId}/complete`)
      if (result.type === "order") seeOrder(checkout, result.order.id)
      return result
    } catch {
      return undefined
    }
  }

  /**
   * The storefront polls until the payment is decided (order, refunded, failed) or `timeoutMs` passes.
   * @param {Checkout} checkout
   * @param {{ timeoutMs?: number, base?: string }} [options]
   */
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

/** @typedef {ReturnType<typeof makeShopper>} Shopper */

/**
 * A new checkout record (see `Checkout`).
 * @param {string} scenario
 * @param {Flow} flow
 * @returns {Checkout}
 */
export function newCheckout(scenario, flow) {
  return { scenario, flow, cartId: undefined, sessionIds: [], pluralOrderIds: [], notes: [], startedAt: Date.now() }
}

/**
 * `fn()`, tried up to `times` times one second apart; the last error is thrown.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {number} times
 * @param {(error: unknown) => void} [onError]
 * @returns {Promise<T>}
 */
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
