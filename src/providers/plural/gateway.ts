/**
 * The plugin's one way to Plural from Medusa: the provider's hooks, the routes, the workflows and the job all go
 * through the gateway the provider built (one set of options, one token, one connection pool). It keeps the ledger
 * in step with every call that can create or move money — an order is written before Plural is asked to make it, a
 * refund before Plural is asked to pay it — and turns a failed call into a MedusaError in the merchant's words.
 */
import type { Logger } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { type Order, type PaymentOptionResponse, PluralApiError, PluralClient, type RefundOrder, verifyCallback, verifyWebhook } from "../../plural"
import type { PluralModuleService } from "../../modules/plural/service"
import type { LedgerRefund, PointsConsent, RefundStatus } from "../../modules/plural/types"
import type { PluralSessionData, SessionRequest } from "../../shared/session-data"
import { PAID_STATUSES } from "../../shared/statuses"
import { isUnknownOutcome, toMedusaError } from "./errors"
import { clientOptionsOf, type ResolvedPluralOptions } from "./options"
import { type OrderRequestInput, orderRequestPlan } from "./order-request"
import { PluralProviderError, shopperError } from "./utils/shopper-errors"

/** What the gateway writes to the plugin's ledger (the `plural` module's service, or a test's fake). */
export type PluralLedger = Pick<
  PluralModuleService,
  | "recordCreating"
  | "recordCreated"
  | "findOrder"
  | "updateOrder"
  | "recordRefundRequest"
  | "updateRefund"
  | "unresolvedRefunds"
  | "claimRefund"
  | "refundBeingRecorded"
  | "pointsConsentForSession"
  | "linkPointsConsent"
>

/** The job looks at an order whose create call never answered after this long (Plural may have made it). */
const UNANSWERED_CREATE_CHECK_SECONDS = 120

const RECENT_ORDER_MS = 2_000

export type RefundAttempt = { outcome: "made"; refund: RefundOrder; status: RefundStatus } | { outcome: "not_made" | "unknown"; error: string }

export class PluralGateway {
  readonly client: PluralClient
  private readonly recentOrders = new Map<string, { order: Order; at: number }>()

  constructor(
    readonly options: ResolvedPluralOptions,
    private readonly logger: Logger,
    /** Resolved at each use: the ledger lives in the application's container, which a provider sees only later. */
    private readonly ledgerOf: () => PluralLedger
  ) {
    this.client = new PluralClient({
      ...clientOptionsOf(options),
      onRetry: (e) =>
        logger.warn(`Plural ${e.operation}: retry ${e.attempt} in ${e.delayMs} ms after ${e.reason} (Request-ID ${e.requestId})`),
    })
  }

  get ledger(): PluralLedger {
    return this.ledgerOf()
  }

  verifyCallback(fields: Record<string, string>): boolean {
    return verifyCallback(fields, this.options.secret_key)
  }

  verifyWebhook(input: { headers: Record<string, unknown>; rawBody: string | Buffer }): boolean {
    return verifyWebhook(
      { headers: input.headers as Record<string, string | string[] | undefined>, rawBody: input.rawBody },
      this.options.webhook_secret,
      { encoding: this.options.webhook_secret_encoding }
    )
  }

  /** Runs a Plural call; its failure becomes a MedusaError that tells the merchant what happened and what to do. */
  async call<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw toMedusaError(action, error, this.logger)
    }
  }

  /**
   * Plural's current view of an order. A paid order read in the last two seconds is reused: a browser return or
   * webhook reads the order to find its session, and the settlement that follows must not ask Plural the same
   * question again. Unpaid reads are never reused, so polling always sees a payment the moment Plural has it.
   */
  async readOrder(orderId: string, maxAgeMs = RECENT_ORDER_MS): Promise<Order> {
    const recent = this.recentOrders.get(orderId)
    if (recent && Date.now() - recent.at < maxAgeMs) return recent.order
    const order = await this.call("read the order", () => this.client.getOrder(orderId))
    this.remember(order)
    return order
  }

  /** Keeps a paid order's latest view for `readOrder`; anything that moves its money forgets it first. */
  remember(order: Order): void {
    if (!PAID_STATUSES.has(order.status)) return
    if (this.recentOrders.size >= 1000) this.recentOrders.clear()
    this.recentOrders.set(order.order_id, { order, at: Date.now() })
  }

  forget(orderId: string): void {
    this.recentOrders.delete(orderId)
  }

  async checkPointsBalance(input: { card_number: string; registered_mobile_number: string; amount: number; currency_code: string }): Promise<PaymentOptionResponse> {
    return this.call("check the points balance", () =>
      this.client.checkPointsBalance({
        payment_option: {
          points_card_details: {
            card_number: input.card_number,
            card_last4: input.card_number.slice(-4),
            registered_mobile_number: input.registered_mobile_number,
          },
        },
        order_details: { order_amount: { value: input.amount, currency: input.currency_code.toUpperCase() } },
      })
    )
  }

  /**
   * A new Plural order for a payment session (and, for UPI, its payment), recorded in the ledger before Plural is
   * asked: if this process dies before the session stores the order, the ledger still knows the reference, and the
   * job finds out from Plural what became of it.
   */
  async createOrder(input: Omit<OrderRequestInput, "options" | "points_consent">): Promise<PluralSessionData> {
    this.assertAcceptedCurrency(input.currency_code)
    const consent = await this.pointsConsentOf(input.session_id, input.request)
    const plan = orderRequestPlan({ ...input, points_consent: consent, options: this.options })
    const { reference, session } = plan
    const ledger = this.ledger
    await ledger.recordCreating({
      merchant_order_reference: reference,
      session_id: input.session_id,
      amount: session.amount,
      currency_code: session.currency_code,
      flow: input.request.flow,
      pre_auth: plan.pre_auth,
      check_after_seconds: UNANSWERED_CREATE_CHECK_SECONDS,
      expires_after_seconds: this.options.expire_after_minutes * 60,
      points_consent_id: consent?.id,
    })
    const created = (plural_order_id: string, plural_status: string) =>
      ledger.recordCreated({
        merchant_order_reference: reference,
        plural_order_id,
        plural_status,
        check_after_seconds: this.options.reconcile_after_minutes * 60,
      })

    if (plan.kind === "hosted") {
      const checkout = await this.creating(reference, "create the hosted checkout", () => this.client.createHostedCheckout(plan.checkout))
      await created(checkout.order_id, "CREATED")
      if (consent) {
        await ledger.linkPointsConsent(consent.id, { session_id: input.session_id, merchant_order_reference: reference, plural_order_id: checkout.order_id })
      }
      return { ...session, plural_order_id: checkout.order_id, redirect_url: checkout.redirect_url, plural_status: "CREATED" }
    }

    const order = await this.creating(reference, "create the order", () => this.client.createOrder(plan.order))
    await created(order.order_id, order.status)
    const payment = await this.call("start the UPI payment", () => this.client.createPayment(order.order_id, plan.payment))
    return {
      ...session,
      plural_order_id: order.order_id,
      challenge_url: payment.challenge_url,
      image_url: payment.image_url,
      plural_status: payment.order?.status ?? "PENDING",
    }
  }

  private assertAcceptedCurrency(currencyCode: string): void {
    const currency = currencyCode.toLowerCase()
    if (this.options.currencies.includes(currency)) return
    const accepted = this.options.currencies.map((c) => c.toUpperCase()).join(", ")
    const advice = `Plural cannot take payments in ${currency.toUpperCase()}: this store's Plural provider accepts ${accepted}. Use an INR region for Plural, or add the currency to the provider's "currencies" option if your Plural account settles it.`
    this.logger.warn(advice)
    throw new PluralProviderError(
      MedusaError.Types.INVALID_DATA,
      advice,
      shopperError(MedusaError.Types.INVALID_DATA, `Payment by Plural is available in ${accepted} only, and this cart is in ${currency.toUpperCase()}. Please choose another payment method.`)
    )
  }

  /**
   * The stored consent a hosted checkout may offer POINTS under: only when the merchant offers pay by points and the
   * session names a consent stored for this session's own cart. A named consent that is not stored is refused before
   * anything is written (the shopper believes they are paying with points); none named means no POINTS.
   */
  private async pointsConsentOf(sessionId: string, request: SessionRequest): Promise<PointsConsent | undefined> {
    if (!this.options.pay_by_points || request.flow !== "hosted" || !request.points_consent_id) return undefined
    const consent = await this.ledger.pointsConsentForSession(request.points_consent_id, sessionId)
    if (consent) return consent
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      "points_consent_id: no pay-by-points consent is stored for this cart. Ask the shopper to agree to the points consent again (POST /store/plural/carts/:id/points-consent) and start the payment with the id it answers."
    )
  }

  /**
   * A create call: a refusal closes the ledger row (nothing exists at Plural); an unknown outcome leaves it for the
   * job, which reads the reference back.
   */
  private async creating<T>(reference: string, action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (!isUnknownOutcome(error)) {
        const row = await this.ledger.findOrder({ merchant_order_reference: reference })
        if (row) await this.ledger.updateOrder(row.id, { state: "closed", reason: `Plural refused to create the order: ${(error as Error).message}`, check_in_seconds: null })
      }
      throw toMedusaError(action, error, this.logger)
    }
  }

  /** Cancel, and when the answer is lost, read back whether it happened rather than guess. */
  async releaseAuthorization(orderId: string): Promise<Order> {
    this.forget(orderId)
    try {
      const cancelled = await this.client.cancelOrder(orderId)
      this.remember(cancelled)
      return cancelled
    } catch (error) {
      // The answer was lost (network, 5xx) or Plural says "not now": read back whether the release happened.
      if (isUnknownOutcome(error) || (error instanceof PluralApiError && error.isOperationNotAllowed)) {
        const order = await this.readOrder(orderId, 0)
        if (order.status === "CANCELLED") return order
      }
      throw toMedusaError("cancel the authorisation", error, this.logger)
    }
  }

  /**
   * Asks Plural for a refund under `reference`; a lost answer is read back by that reference. `unknown` only when
   * Plural could not be asked at all; `not_made` when Plural refused it or has no such refund.
   */
  async refundAtPlural(orderId: string, input: { reference: string; amount: number; currency_code: string }): Promise<RefundAttempt> {
    try {
      const refund = await this.client.refundOrder(orderId, {
        merchant_order_reference: input.reference,
        order_amount: { value: input.amount, currency: input.currency_code.toUpperCase() },
      })
      return { outcome: "made", refund, status: refundStatusOf(refund) }
    } catch (error) {
      const message = toMedusaError("refund the payment", error, this.logger).message
      if (!isUnknownOutcome(error)) return { outcome: "not_made", error: message }
      return this.readRefund(input.reference, message)
    } finally {
      // A paid view read before or during the refund must not answer for the order afterwards.
      this.forget(orderId)
    }
  }

  /** What Plural says about a refund reference: made, never made (404), or still unknown. */
  private async readRefund(reference: string, unknownError: string): Promise<RefundAttempt> {
    try {
      const refund = await this.client.getRefundByReference(reference)
      return { outcome: "made", refund, status: refundStatusOf(refund) }
    } catch (error) {
      if (error instanceof PluralApiError && error.status === 404) return { outcome: "not_made", error: "Plural has no such refund" }
      return { outcome: "unknown", error: unknownError }
    }
  }

  /** Earlier refunds (of one order, or all) whose outcome was unknown are read back from Plural and recorded. */
  async resolveRefunds(orderId?: string): Promise<LedgerRefund[]> {
    const ledger = this.ledger
    const resolved: LedgerRefund[] = []
    for (const refund of await ledger.unresolvedRefunds(orderId)) {
      const read = await this.readRefund(refund.reference, refund.last_error ?? "Plural did not answer")
      if (read.outcome === "unknown") continue
      const status: RefundStatus = read.outcome === "made" ? read.status : "not_made"
      await ledger.updateRefund(refund.reference, { status, plural_refund_id: read.outcome === "made" ? read.refund.order_id : undefined })
      resolved.push({ ...refund, status })
    }
    return resolved
  }
}

function refundStatusOf(refund: RefundOrder): RefundStatus {
  return refund.status === "PROCESSED" ? "processed" : refund.status === "FAILED" ? "failed" : "pending"
}
