/**
 * Storefront helper for Plural payments: framework-agnostic, no React, no Medusa server code.
 *
 * It talks to the Medusa store API either through a `@medusajs/js-sdk` instance (`{ sdk }`) or through plain
 * `fetch` (`{ baseUrl, publishableKey }`), and does three things:
 *
 * - `startPluralPayment` creates the Plural payment session for a cart and tells the page what to do next
 *   (redirect to hosted checkout, open a UPI app, show a QR code, or wait for a UPI collect approval);
 * - `pollPluralPayment` asks the plugin's idempotent settle route until the cart is an order or the payment failed
 *   (UPI collect / QR have no browser return);
 * - `readPluralReturn` reads the parameters the plugin puts on the success / failure return URLs;
 * - pay by points: `getPointsConsent` (the text to show), `givePointsConsent` (the shopper agreed; its id goes to
 *   `startPluralPayment` as `pointsConsentId`) and `checkPointsBalance` (what the card's points can pay).
 *
 * It never completes the cart itself: the plugin settles the payment once, on the server, whichever of the browser
 * return, the webhook or the settle route arrives first.
 */

import {
  CHECKOUT_FLOWS,
  isValidUpiVpa,
  normalizeMobileNumber,
  PLURAL_PROVIDER_ID,
  POINTS_CARD_NUMBER_PATTERN,
  REGISTERED_MOBILE_PATTERN,
  type CheckoutFlow,
  type PluralSessionData,
  type PointsBalance,
  type SettlementResult,
} from "../shared"

export { PLURAL_PROVIDER_ID, isValidUpiVpa, normalizeMobileNumber }
export type { PluralSessionData, PointsBalance, SettlementResult }

/** How the shopper pays: Plural's hosted checkout (cards and every method), or UPI without leaving the store. */
export type PluralFlow = CheckoutFlow

export const PLURAL_FLOWS: readonly PluralFlow[] = CHECKOUT_FLOWS

/** The part of a `@medusajs/js-sdk` instance this helper uses (`sdk.client.fetch`): a `Medusa` instance fits. */
export type MedusaSdkLike = {
  client: {
    // What the helper passes, typed so that the SDK's own `fetch` (body: a JSON object) is assignable to it.
    fetch<T = unknown>(path: string, init?: { method?: string; body?: Record<string, unknown> }): Promise<T>
  }
}

/** Plain `fetch` to the store API. */
export type PluralFetchClient = {
  baseUrl: string
  publishableKey: string
  fetch?: typeof fetch
  headers?: Record<string, string>
}

/** How to reach the Medusa store API: a JS SDK instance (as is, or as `{ sdk }`), or a base URL and a publishable key. */
export type PluralStoreClient = MedusaSdkLike | { sdk: MedusaSdkLike } | PluralFetchClient

/**
 * What `startPluralPayment` needs to know about the cart; a full store cart object fits. Its currency is the
 * store's to judge: a currency the provider does not accept is refused by the store, in words for the shopper.
 */
export type PluralCartLike = {
  id: string
  payment_collection?: { id: string } | null
}

export type PluralPaymentSession = {
  id: string
  provider_id: string
  status?: string
  data: PluralSessionData
}

export type PluralAction =
  /** Hosted checkout: send the browser to `url`. */
  | { action: "redirect"; url: string; session: PluralPaymentSession }
  /** UPI intent: open `url` (a `upi://` link or a landing page), then poll. */
  | { action: "open_upi_app"; url: string; session: PluralPaymentSession }
  /** UPI QR: show the image at `imageUrl`, then poll. */
  | { action: "show_qr"; imageUrl: string; session: PluralPaymentSession }
  /** UPI collect: the shopper approves the request in their UPI app; poll meanwhile. */
  | { action: "await_approval"; session: PluralPaymentSession }

export type StartPluralPaymentInput = {
  cart: PluralCartLike
  /** Default `"hosted"`. */
  flow?: PluralFlow
  /** Required for `upi_collect`: the shopper's UPI id, such as `name@bank`. */
  upiVpa?: string
  /**
   * Pay by points: the id `givePointsConsent` answered after the shopper agreed to the consent text. Hosted checkout
   * then offers POINTS (when the store offers pay by points); without it, it never does.
   */
  pointsConsentId?: string
  /** Default `PLURAL_PROVIDER_ID`. */
  providerId?: string
}

/**
 * The settle route's answer, or the failed attempt `pollPluralPayment` stopped on: `retryable` says only that attempt
 * failed (see `failOnAttempt`), so starting the payment again is the way on.
 */
export type SettleResult = SettlementResult | (Extract<SettlementResult, { status: "failed" }> & { retryable: true })

export type PollPluralPaymentInput = {
  cartId: string
  /** Stop after this many settle calls and resolve `{status: "pending"}`. Default 60. */
  maxAttempts?: number
  /** Wait before the first call; doubles by `factor` up to `maxDelayMs`. Default 1000 ms. */
  initialDelayMs?: number
  /** Default 5000 ms. */
  maxDelayMs?: number
  /** Default 1.5. */
  factor?: number
  /** Aborting rejects the promise with the signal's reason. */
  signal?: AbortSignal
  /**
   * Treat a failed attempt as the end (default true): with UPI collect / QR nobody is on Plural's page to try again,
   * so the shopper has to start a new payment. False keeps polling until Plural gives up on the order.
   */
  failOnAttempt?: boolean
  /** Called after every settle call (for a progress display). */
  onAttempt?: (result: SettleResult, attempt: number) => void
}

export type PluralReturn =
  | { status: "completed"; orderId: string; cartId?: string }
  /** Plural has not confirmed the payment yet (some wallets lag): poll with `pollPluralPayment`. */
  | { status: "pending"; cartId: string }
  | { status: "failed"; cartId?: string; reason: string; code?: string }

/** A problem the page should show to the shopper (`message`) or handle (`status`, `code`). */
export class PluralStorefrontError extends Error {
  readonly status?: number
  readonly code?: string
  constructor(message: string, options: { status?: number; code?: string; cause?: unknown } = {}) {
    super(message)
    this.name = "PluralStorefrontError"
    this.status = options.status
    this.code = options.code
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause
  }
}

type RequestInit = { method?: string; body?: Record<string, unknown> }

async function storeRequest<T>(client: PluralStoreClient, path: string, init: RequestInit = {}): Promise<T> {
  const sdk = "sdk" in client ? client.sdk : "client" in client ? client : undefined
  if (!sdk) return fetchRequest<T>(client as PluralFetchClient, path, init)
  try {
    return await sdk.client.fetch<T>(path, { method: init.method ?? "GET", body: init.body })
  } catch (error) {
    const e = error as { status?: number; message?: string }
    throw new PluralStorefrontError(e?.message || "The store did not answer", { status: e?.status, cause: error })
  }
}

async function fetchRequest<T>(client: PluralFetchClient, path: string, init: RequestInit): Promise<T> {
  const doFetch = client.fetch ?? globalThis.fetch
  const url = `${client.baseUrl.replace(/\/+$/, "")}${path}`
  let response: Response
  try {
    response = await doFetch(url, {
      method: init.method ?? "GET",
      headers: {
        accept: "application/json",
        "x-publishable-api-key": client.publishableKey,
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        ...client.headers,
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      credentials: "include",
    })
  } catch (error) {
    throw new PluralStorefrontError("Could not reach the store", { cause: error })
  }
  const text = await response.text()
  let body: unknown = undefined
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  if (!response.ok) {
    const { message, code } = (body ?? {}) as { message?: string; code?: string }
    throw new PluralStorefrontError(message || `The store answered ${response.status}`, { status: response.status, code })
  }
  return body as T
}

type PaymentCollectionResponse = {
  payment_collection: { id: string; payment_sessions?: PluralPaymentSession[] | null }
}

/**
 * Creates the Plural payment session for a cart and returns what the page should do next.
 * Calling it again (e.g. after a failed attempt) replaces the cart's session with a new Plural order.
 */
export async function startPluralPayment(client: PluralStoreClient, input: StartPluralPaymentInput): Promise<PluralAction> {
  const flow = input.flow ?? "hosted"
  const providerId = input.providerId ?? PLURAL_PROVIDER_ID
  if (!PLURAL_FLOWS.includes(flow)) {
    throw new PluralStorefrontError(`Unknown Plural flow "${flow}" (use ${PLURAL_FLOWS.join(", ")})`)
  }
  const data: Record<string, unknown> = { flow }
  if (flow === "upi_collect") {
    const vpa = input.upiVpa?.trim() ?? ""
    if (!isValidUpiVpa(vpa)) {
      throw new PluralStorefrontError("Enter your UPI id, such as name@bank", { code: "INVALID_UPI_VPA" })
    }
    data.upi_vpa = vpa
  }
  if (input.pointsConsentId) data.points_consent_id = input.pointsConsentId

  let collectionId = input.cart.payment_collection?.id
  if (!collectionId) {
    const created = await storeRequest<PaymentCollectionResponse>(client, "/store/payment-collections", {
      method: "POST",
      body: { cart_id: input.cart.id },
    })
    collectionId = created.payment_collection.id
  }
  const { payment_collection } = await storeRequest<PaymentCollectionResponse>(
    client,
    `/store/payment-collections/${encodeURIComponent(collectionId)}/payment-sessions`,
    { method: "POST", body: { provider_id: providerId, data } }
  )
  const session = payment_collection.payment_sessions?.find((s) => s.provider_id === providerId)
  if (!session) throw new PluralStorefrontError("The store did not create a Plural payment session")
  return actionFor(session, flow)
}

function actionFor(session: PluralPaymentSession, requested: PluralFlow): PluralAction {
  const data = session.data ?? ({} as PluralSessionData)
  const flow = data.flow ?? requested
  const missing = (field: string) =>
    new PluralStorefrontError(`The Plural session for the ${flow} flow has no ${field}`, { code: "INCOMPLETE_SESSION" })
  switch (flow) {
    case "hosted":
      if (!data.redirect_url) throw missing("redirect_url")
      return { action: "redirect", url: data.redirect_url, session }
    case "upi_intent":
      if (!data.challenge_url) throw missing("challenge_url")
      return { action: "open_upi_app", url: data.challenge_url, session }
    case "upi_qr":
      if (!data.image_url) throw missing("image_url")
      return { action: "show_qr", imageUrl: data.image_url, session }
    case "upi_collect":
      return { action: "await_approval", session }
    default:
      throw new PluralStorefrontError(`Unknown Plural flow "${String(flow)}" in the payment session`)
  }
}

/** One call of the plugin's settle route: idempotent, safe to repeat. */
export async function settlePluralCart(client: PluralStoreClient, cartId: string): Promise<SettlementResult> {
  return storeRequest<SettlementResult>(client, `/store/plural/carts/${encodeURIComponent(cartId)}/settle`, {
    method: "POST",
  })
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener("abort", onAbort, { once: true })
  })
}

/** Network errors, 429 and 5xx are worth another try; other answers are final. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof PluralStorefrontError)) return false
  return error.status === undefined || error.status === 429 || error.status >= 500
}

/**
 * Polls the settle route with backoff until the cart became an order (`completed`) or the payment `failed`.
 * Resolves `{status: "pending"}` when `maxAttempts` calls all said pending; rejects when `signal` aborts or the store
 * answers with a non-transient error.
 */
export async function pollPluralPayment(client: PluralStoreClient, input: PollPluralPaymentInput): Promise<SettleResult> {
  const maxAttempts = input.maxAttempts ?? 60
  const maxDelay = input.maxDelayMs ?? 5000
  const factor = input.factor ?? 1.5
  let delay = input.initialDelayMs ?? 1000
  let lastError: unknown
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await sleep(delay, input.signal)
    delay = Math.min(maxDelay, Math.round(delay * factor))
    let result: SettleResult
    try {
      result = await settlePluralCart(client, input.cartId)
    } catch (error) {
      if (!isTransient(error)) throw error
      lastError = error
      continue
    }
    lastError = undefined
    input.onAttempt?.(result, attempt)
    if (result.status !== "pending") return result
    if (result.last_attempt && !result.paid && (input.failOnAttempt ?? true)) {
      const { code, reason } = result.last_attempt
      return { status: "failed", cart_id: result.cart_id, reason, code, retryable: true }
    }
  }
  if (lastError) throw lastError
  return { status: "pending" }
}

/**
 * Reads the plugin's return URL parameters: `?order_id=&cart_id=` after a payment, `?cart_id=&status=pending` while
 * Plural has not confirmed it yet, `?cart_id=&reason=&code=` after a failure. Returns null when the URL carries none.
 */
export function readPluralReturn(location: string | URL | { search: string }): PluralReturn | null {
  const search =
    typeof location === "string" ? new URL(location, "http://localhost").search : (location as { search: string }).search
  const params = new URLSearchParams(search)
  const cartId = params.get("cart_id") || undefined
  const orderId = params.get("order_id")
  if (orderId) return { status: "completed", orderId, cartId }
  if (params.get("status") === "pending" && cartId) return { status: "pending", cartId }
  const reason = params.get("reason")
  const code = params.get("code") || undefined
  if (reason || code) return { status: "failed", cartId, reason: reason || "The payment did not go through", code }
  return null
}

// ---------------------------------------------------------------------------------------------------------------
// Pay by points

/** The consent text the shopper must read and agree to before paying with points, and the cart's latest consent. */
export type PointsConsentInfo = {
  text_version: string
  text: string
  consent: PointsConsent | null
}

/** A stored consent: pass its `id` to `startPluralPayment` as `pointsConsentId`. */
export type PointsConsent = { id: string; text_version: string; consented_at: string }

const cartPath = (cartId: string, route: string) => `/store/plural/carts/${encodeURIComponent(cartId)}/${route}`

/** The store's pay-by-points consent text (show it in full), and whether this cart already has a consent. */
export function getPointsConsent(client: PluralStoreClient, cartId: string): Promise<PointsConsentInfo> {
  return storeRequest<PointsConsentInfo>(client, cartPath(cartId, "points-consent"))
}

/**
 * Records that the shopper agreed to the consent text of `textVersion` (the version they were shown). Call it only on
 * the shopper's own explicit action, such as ticking an unticked box. A store whose text changed meanwhile answers
 * 409: show the new text and ask again.
 */
export async function givePointsConsent(client: PluralStoreClient, cartId: string, textVersion: string): Promise<PointsConsent> {
  const { consent } = await storeRequest<{ consent: PointsConsent }>(client, cartPath(cartId, "points-consent"), {
    method: "POST",
    body: { text_version: textVersion },
  })
  return consent
}

/**
 * Asks the store what the card's reward points can pay for the cart. The card number goes to the store once and is
 * kept nowhere; clear the field afterwards. Refusals carry `code`: `INVALID_CARD_NUMBER`, `INVALID_MOBILE_NUMBER`
 * (checked here, before sending), `POINTS_CARD_NOT_VERIFIED` (the mobile number is not the card's), and status 429
 * when the cart checked too often.
 */
export function checkPointsBalance(
  client: PluralStoreClient,
  input: { cartId: string; cardNumber: string; mobileNumber: string }
): Promise<PointsBalance> {
  const card_number = input.cardNumber.replace(/[\s-]/g, "")
  const registered_mobile_number = normalizeMobileNumber(input.mobileNumber)
  if (!POINTS_CARD_NUMBER_PATTERN.test(card_number)) {
    return Promise.reject(new PluralStorefrontError("Enter the card number (12 to 19 digits)", { code: "INVALID_CARD_NUMBER" }))
  }
  if (!REGISTERED_MOBILE_PATTERN.test(registered_mobile_number)) {
    return Promise.reject(
      new PluralStorefrontError("Enter the 10-digit mobile number registered with the card", { code: "INVALID_MOBILE_NUMBER" })
    )
  }
  return storeRequest<PointsBalance>(client, cartPath(input.cartId, "points-balance"), {
    method: "POST",
    body: { card_number, registered_mobile_number },
  })
}
