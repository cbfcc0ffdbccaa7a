"use client"
/**
 * Waiting for the plugin to turn a paid cart into an order (polling its settle route), then finishing: the
 * merchant's `onCompleted` (the Next.js starter forgets its cart cookie there) and the confirmation page.
 * Shared by the pay button (UPI) and the return handling (a browser return Plural had not confirmed yet).
 */
import { useCallback, useEffect, useRef, useState } from "react"
import { pollPluralPayment, PluralStorefrontError, type PluralStoreClient, type PollPluralPaymentInput } from "../index"
import { fillReturnUrl, usesPlaceholder } from "../../shared"
import { forgetPluralChoice } from "./choice"

export type PluralCompletion = { orderId: string; cartId: string }

export type PluralSettlementOptions = {
  /** How to reach the Medusa store API (a JS SDK instance, or `{ baseUrl, publishableKey }`). */
  client: PluralStoreClient
  /**
   * Where a paid cart goes: a URL or path with `{order_id}`, `{cart_id}`, `{country_code}` placeholders, e.g. the
   * Next.js starter's `/{country_code}/order/{order_id}/confirmed`.
   */
  confirmationUrl: string
  /** Fills `{country_code}`, e.g. the starter's `countryCode` route parameter. */
  countryCode?: string
  /** Called once the cart is an order, before leaving the page (e.g. a server action clearing the cart cookie). */
  onCompleted?: (completion: PluralCompletion) => void | Promise<void>
  /** Default `window.location.assign`; pass the router's `push` to stay in the app. */
  navigate?: (url: string) => void
  /** Polling settings (`maxAttempts`, delays); see `pollPluralPayment`. */
  polling?: Pick<PollPluralPaymentInput, "maxAttempts" | "initialDelayMs" | "maxDelayMs" | "factor">
}

export type PluralSettlementState =
  | { status: "idle" }
  | { status: "waiting"; attempts: number }
  | { status: "completed"; orderId: string }
  /** `reason` is for the shopper. */
  | { status: "failed"; reason: string; code?: string }
  /** Every poll said pending: Plural has not confirmed yet. `wait` again to keep checking. */
  | { status: "unconfirmed" }

const UNREACHABLE = "We could not reach the store to confirm your payment. Check your connection and try again."

/** Leaves the page for `url` the merchant's way (`navigate`), or the browser's. */
export function leaveFor(url: string, navigate?: (url: string) => void) {
  ;(navigate ?? ((to: string) => window.location.assign(to)))(url)
}

/** A message a shopper may read: the store's own words for a refused request, never a raw network error. */
export function shopperMessage(error: unknown, unreachable = UNREACHABLE): string {
  return error instanceof PluralStorefrontError && error.status !== undefined && error.status < 500 ? error.message : unreachable
}

export function usePluralSettlement(options: PluralSettlementOptions) {
  const [state, setState] = useState<PluralSettlementState>({ status: "idle" })
  const latest = useRef(options)
  latest.current = options
  const polling = useRef<AbortController | null>(null)
  useEffect(() => () => polling.current?.abort(), [])

  /** The cart is an order: tell the merchant's code, then show the confirmation page. */
  const complete = useCallback(async ({ orderId, cartId }: PluralCompletion, leave = true) => {
    const { onCompleted, confirmationUrl, countryCode, navigate } = latest.current
    forgetPluralChoice(cartId)
    setState({ status: "completed", orderId })
    try {
      await onCompleted?.({ orderId, cartId })
    } catch {
      // The order exists whatever the merchant's hook did: the shopper still goes to its page.
    }
    if (leave && (orderId || !usesPlaceholder(confirmationUrl, "order_id"))) {
      leaveFor(fillReturnUrl(confirmationUrl, { order_id: orderId, cart_id: cartId, country_code: countryCode }), navigate)
    }
  }, [])

  /** Polls the settle route for `cartId` until the order exists, the payment failed, or polling gives up. */
  const wait = useCallback(
    async (cartId: string, failOnAttempt = true) => {
      polling.current?.abort()
      const controller = new AbortController()
      polling.current = controller
      setState({ status: "waiting", attempts: 0 })
      try {
        const result = await pollPluralPayment(latest.current.client, {
          ...latest.current.polling,
          cartId,
          failOnAttempt,
          signal: controller.signal,
          onAttempt: (_, attempts) => setState({ status: "waiting", attempts }),
        })
        if (controller.signal.aborted) return
        if (result.status === "completed") return await complete({ orderId: result.order_id ?? "", cartId })
        if (result.status === "pending") return setState({ status: "unconfirmed" })
        setState({ status: "failed", reason: result.reason, code: result.code })
      } catch (error) {
        if (!controller.signal.aborted) setState({ status: "failed", reason: shopperMessage(error) })
      }
    },
    [complete]
  )

  const stop = useCallback(() => {
    polling.current?.abort()
    setState({ status: "idle" })
  }, [])

  return { state, setState, wait, complete, stop }
}
