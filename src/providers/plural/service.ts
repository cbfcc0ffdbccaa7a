/**
 * The Plural payment provider (`pp_plural_plural`): Medusa's payment hooks mapped to Plural orders and payments.
 * Plural is the source of truth — every status is read from Plural, never taken from a browser or a webhook alone.
 */
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  PaymentCustomerDTO,
  PaymentSessionStatus,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { container } from "@medusajs/framework"
import { AbstractPaymentProvider, MedusaError } from "@medusajs/framework/utils"
import {
  type Order,
  PAYMENT_METHODS,
  type PaymentMethod,
  PluralApiError,
  PluralClient,
  PluralError,
  PluralNetworkError,
  type PaymentOptionResponse,
  type RefundOrder,
  verifyCallback,
  verifyWebhook,
  parseWebhookEvent,
} from "../../plural"
import { PLURAL_MODULE } from "../../modules/plural"
import type { PluralModuleService } from "../../modules/plural/service"
import type { LedgerRefund, PointsConsent, RefundStatus } from "../../modules/plural/types"
import { validatesAtBoot } from "./boot"
import { clientOptionsOf, parsePluralOptions, type PluralOptions, type ResolvedPluralOptions } from "./options"
import { customerOf } from "./utils/customer"
import { PluralProviderError, SHOPPER_ERRORS, shopperError, shopperFacing } from "./utils/shopper-errors"
import { formatMinor, fromMinorUnits, toMinorUnits } from "./utils/money"
import { orderReference, paymentReference, sessionIdOf } from "./utils/references"
import {
  parseSessionData,
  parseSessionRequest,
  type PluralSessionData,
  type SessionRequest,
} from "./utils/session-data"
import { CAPTURED_STATUSES, HELD_STATUSES, PAID_STATUSES, SESSION_STATUS_OF, WEBHOOK_ACTION_OF } from "./utils/status"

/** What the provider writes to the plugin's ledger (the `plural` module's service, or a test's fake). */
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
  | "pointsConsentForSession"
  | "linkPointsConsent"
>

type Cradle = { logger: Logger; pluralLedger?: PluralLedger }

/** The job looks at an order whose create call never answered after this long (Plural may have made it). */
const UNANSWERED_CREATE_CHECK_SECONDS = 120

export const CALLBACK_PATH = "/hooks/plural/callback"
const RECENT_ORDER_MS = 2_000

export class PluralProviderService extends AbstractPaymentProvider<PluralOptions> {
  static identifier = "plural"

  readonly options: ResolvedPluralOptions
  readonly client: PluralClient
  protected readonly logger: Logger
  private readonly recentOrders = new Map<string, { order: Order; at: number }>()
  private readonly injectedLedger?: PluralLedger

  static validateOptions(options: Record<string, unknown>): void {
    // `medusa db:migrate` in CI or a pre-deploy step, without secrets: the provider is registered, never used.
    if (validatesAtBoot(options)) parsePluralOptions(options)
  }

  constructor(cradle: Cradle, options: PluralOptions) {
    super(cradle, options)
    this.logger = cradle.logger
    // The payment module's container cannot see other modules: the ledger comes from the application's container.
    this.injectedLedger = "pluralLedger" in cradle ? cradle.pluralLedger : undefined
    this.options = parsePluralOptions(options)
    const o = this.options
    this.client = new PluralClient({
      ...clientOptionsOf(o),
      onRetry: (e) =>
        this.logger.warn(`Plural ${e.operation}: retry ${e.attempt} in ${e.delayMs} ms after ${e.reason} (Request-ID ${e.requestId})`),
    })
  }

  protected get ledger(): PluralLedger {
    return this.injectedLedger ?? container.resolve<PluralModuleService>(PLURAL_MODULE)
  }

  // ---- Medusa's hooks ------------------------------------------------------------------------------------------

  @shopperFacing
  async initiatePayment({ amount, currency_code, data, context }: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = context?.idempotency_key
    if (!sessionId) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "Plural needs the payment session id (context.idempotency_key) to create an order")
    }
    const request = parseSessionRequest(data)
    const created = await this.createPluralOrder({ sessionId, attempt: 1, amount, currency_code, request, customer: context?.customer })
    return { id: created.plural_order_id, data: created, status: "pending" }
  }

  /** A changed amount or currency needs a new Plural order (Plural orders are immutable), under a new reference. */
  @shopperFacing
  async updatePayment({ amount, currency_code, data, context }: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = parseSessionData(data)
    const minor = toMinorUnits(amount, currency_code)
    if (minor === current.amount && currency_code.toLowerCase() === current.currency_code) return { data: current }
    const previous = await this.readOrder(current.plural_order_id, 0)
    if (HELD_STATUSES.has(previous.status)) {
      throw new PluralProviderError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${previous.order_id} is already paid (${previous.status}) for the old amount; complete the cart, or refund it before changing the amount`,
        shopperError(MedusaError.Types.NOT_ALLOWED, SHOPPER_ERRORS.alreadyPaid)
      )
    }
    const request = parseSessionRequest(data)
    const created = await this.createPluralOrder({
      sessionId: current.session_id,
      attempt: current.attempt + 1,
      amount,
      currency_code,
      request,
      customer: context?.customer,
    })
    return { data: created, status: "pending" }
  }

  /**
   * An unpaid Plural order simply expires (the ledger keeps checking it until then); an authorisation is released.
   * A session whose order holds the shopper's money is not deleted — complete the cart instead. A refunded one may
   * go: whatever remains with Plural is given back by the ledger.
   */
  @shopperFacing
  async deletePayment({ data }: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.readOrder(session.plural_order_id, 0)
    if (order.status === "AUTHORIZED" && order.pre_auth) {
      await this.releaseAuthorization(order.order_id)
    } else if (HELD_STATUSES.has(order.status)) {
      throw new PluralProviderError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${order.order_id} is already paid (${order.status}); complete the cart instead of deleting its payment session`,
        shopperError(MedusaError.Types.NOT_ALLOWED, SHOPPER_ERRORS.alreadyPaid)
      )
    }
    return { data: { ...session, plural_status: order.status } }
  }

  @shopperFacing
  async authorizePayment({ data }: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.statusFromPlural(parseSessionData(data))
  }

  async getPaymentStatus({ data }: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return this.statusFromPlural(parseSessionData(data))
  }

  async retrievePayment({ data }: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.readOrder(session.plural_order_id)
    return { data: { ...session, plural_status: order.status } }
  }

  /**
   * Medusa passes no amount: it captures the whole authorisation. An order Plural already shows as processed counts
   * as captured, so a retried capture (even under a new capture id) never captures twice.
   */
  async capturePayment({ data, context }: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.readOrder(session.plural_order_id, 0)
    if (CAPTURED_STATUSES.has(order.status)) return { data: { ...session, plural_status: order.status } }
    if (order.status !== "AUTHORIZED") {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${order.order_id} is ${order.status}; only an AUTHORIZED (pre-auth) order can be captured`
      )
    }
    const reference = context?.idempotency_key ?? `${session.merchant_order_reference}-capture`
    const captured = await this.plural("capture the payment", async () => {
      try {
        return await this.client.captureOrder(order.order_id, { merchant_capture_reference: reference })
      } catch (error) {
        // Captured meanwhile (another instance, the Plural dashboard): that is the outcome we wanted.
        const now = error instanceof PluralApiError && error.isOperationNotAllowed ? await this.client.getOrder(order.order_id) : undefined
        if (now && CAPTURED_STATUSES.has(now.status)) return now
        throw error
      }
    })
    this.remember(captured)
    return { data: { ...session, plural_status: captured.status, capture_reference: reference } }
  }

  /**
   * Releases an authorisation. Already cancelled, or never paid, is success. A captured order is never silently
   * refunded here: that is a refund, which the merchant decides on.
   */
  async cancelPayment({ data }: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.readOrder(session.plural_order_id, 0)
    if (order.status === "AUTHORIZED") {
      const cancelled = await this.releaseAuthorization(order.order_id)
      return { data: { ...session, plural_status: cancelled.status } }
    }
    if (PAID_STATUSES.has(order.status)) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${order.order_id} is ${order.status}: the money was captured and cannot be cancelled. Refund it instead.`
      )
    }
    return { data: { ...session, plural_status: order.status } }
  }

  /**
   * Each refund goes under its own reference — Medusa's refund id — and is written to the ledger first, so that it
   * is paid out exactly once: a lost answer is read back by that reference before anything is reported; an admin
   * retrying after an error (under a new refund id) is matched to the refund Plural already made; and a refund whose
   * outcome nobody knows yet blocks new ones instead of risking a second payout.
   */
  async refundPayment({ amount, data, context }: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const { recording_refund, ...session } = parseSessionData(data)
    const reference = context?.idempotency_key
    if (!reference) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "Plural refunds need Medusa's refund id (context.idempotency_key) as their reference")
    }
    const value = toMinorUnits(amount, session.currency_code)
    const orderId = session.plural_order_id
    const ledger = this.ledger

    // The plugin recording a refund Plural already made (its dashboard, or an answer Medusa never saw).
    if (recording_refund && recording_refund.amount === value) {
      const claimed = await ledger.claimRefund({ plural_order_id: orderId, medusa_refund_id: reference, reference: recording_refund.reference })
      if (!claimed) {
        throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Plural refund ${recording_refund.reference} is already recorded on this payment; nothing was refunded`)
      }
      return { data: withRefund(session, claimed) }
    }

    await this.resolveRefunds(orderId)
    const unresolved = await ledger.unresolvedRefunds(orderId)
    if (unresolved.length) {
      const earlier = unresolved[0]
      throw new MedusaError(
        MedusaError.Types.UNEXPECTED_STATE,
        `An earlier refund of ${formatMinor(earlier.amount, earlier.currency_code)} on this payment (reference ${earlier.reference}) is not confirmed by Plural yet, so we cannot tell whether it was paid. Nothing was refunded now. Try again in a few minutes: if Plural made that refund, it is recorded on this order instead of paying twice.`
      )
    }

    // An admin retrying after an error: Plural made the refund although Medusa was told it failed.
    const lost = await ledger.claimRefund({ plural_order_id: orderId, medusa_refund_id: reference, amount: value })
    if (lost) {
      this.logger.info(`Plural refund ${lost.reference} of order ${orderId} had been made already; recorded as Medusa refund ${reference} instead of refunding again`)
      return { data: withRefund(session, lost) }
    }

    const { refund: row, created } = await ledger.recordRefundRequest({
      plural_order_id: orderId,
      reference,
      amount: value,
      currency_code: session.currency_code,
      source: "medusa",
      medusa_refund_id: reference,
    })
    if (!created && (row.status === "processed" || row.status === "pending")) return { data: withRefund(session, row) }

    const made = await this.refundAtPlural(orderId, { reference, amount: value, currency_code: session.currency_code })
    this.recentOrders.delete(orderId)
    if (made.outcome === "made") {
      await ledger.updateRefund(reference, { status: made.status, plural_refund_id: made.refund.order_id, last_error: null })
      if (made.status === "failed") {
        await ledger.updateRefund(reference, { reported_error: true, medusa_refund_id: null })
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `Plural could not refund ${formatMinor(value, session.currency_code)} (refund ${made.refund.order_id} FAILED). Nothing was paid out: refund the shopper another way, or try again later.`
        )
      }
      return { data: withRefund(session, { reference, plural_refund_id: made.refund.order_id, amount: value, status: made.status }) }
    }
    const unknown = made.outcome === "unknown"
    await ledger.updateRefund(reference, { status: unknown ? "unknown" : "not_made", last_error: made.error, reported_error: true, medusa_refund_id: null })
    throw new MedusaError(
      MedusaError.Types.UNEXPECTED_STATE,
      unknown
        ? `Plural did not answer, so we cannot tell yet whether the refund of ${formatMinor(value, session.currency_code)} was made. Do not refund another way: the plugin asks Plural again, and if it was made it appears on this order by itself. Retrying here is safe — it never refunds twice.`
        : `Plural did not make the refund of ${formatMinor(value, session.currency_code)}: ${made.error}. Nothing was refunded; you can try again.`
    )
  }

  /**
   * Asks Plural for a refund under `reference`; a lost answer is read back by that reference. `unknown` only when
   * Plural could not be asked at all; `not_made` when Plural refused it or has no such refund.
   */
  async refundAtPlural(
    orderId: string,
    input: { reference: string; amount: number; currency_code: string }
  ): Promise<{ outcome: "made"; refund: RefundOrder; status: RefundStatus } | { outcome: "not_made" | "unknown"; error: string }> {
    try {
      const refund = await this.client.refundOrder(orderId, {
        merchant_order_reference: input.reference,
        order_amount: { value: input.amount, currency: input.currency_code.toUpperCase() },
      })
      return { outcome: "made", refund, status: refundStatusOf(refund) }
    } catch (error) {
      const message = this.medusaError("refund the payment", error).message
      if (!isUnknownOutcome(error)) return { outcome: "not_made", error: message }
      return this.readRefund(input.reference, message)
    }
  }

  /** What Plural says about a refund reference: made, never made (404), or still unknown. */
  private async readRefund(reference: string, unknownError: string) {
    try {
      const refund = await this.client.getRefundByReference(reference)
      return { outcome: "made" as const, refund, status: refundStatusOf(refund) }
    } catch (error) {
      if (error instanceof PluralApiError && error.status === 404) return { outcome: "not_made" as const, error: "Plural has no such refund" }
      return { outcome: "unknown" as const, error: unknownError }
    }
  }

  /** Earlier refunds of this order whose outcome was unknown are read back from Plural and recorded. */
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

  /**
   * For Medusa's built-in `/hooks/payment/plural_plural` route. That route has already answered 200, so a forged
   * or stale event is not an error here: it is logged and changes nothing.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const rawBody = payload.rawData ?? JSON.stringify(payload.data)
    if (!this.verifyWebhook({ headers: payload.headers, rawBody })) {
      this.logger.warn("Plural webhook with a missing, wrong or stale signature ignored")
      return { action: "not_supported" }
    }
    const event = parseWebhookEvent(rawBody)
    if (!event || event.data.type !== "CHARGE") return { action: "not_supported" }
    return {
      action: WEBHOOK_ACTION_OF[event.event_type],
      data: {
        session_id: sessionIdOf(event.data),
        amount: fromMinorUnits(event.data.order_amount.value, event.data.order_amount.currency),
      },
    }
  }

  // ---- What the plugin's routes, workflows and jobs use ------------------------------------------------------

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

  /**
   * Plural's current view of an order. A paid order read in the last two seconds is reused: a browser return or
   * webhook reads the order to find its session, and the settlement that follows must not ask Plural the same
   * question again. Unpaid reads are never reused, so polling always sees a payment the moment Plural has it.
   */
  async readOrder(orderId: string, maxAgeMs = RECENT_ORDER_MS): Promise<Order> {
    const recent = this.recentOrders.get(orderId)
    if (recent && Date.now() - recent.at < maxAgeMs) return recent.order
    const order = await this.plural("read the order", () => this.client.getOrder(orderId))
    this.remember(order)
    return order
  }

  private remember(order: Order): void {
    if (!PAID_STATUSES.has(order.status)) return
    if (this.recentOrders.size >= 1000) this.recentOrders.clear()
    this.recentOrders.set(order.order_id, { order, at: Date.now() })
  }

  sessionIdOf(order: Order): string {
    return sessionIdOf(order)
  }

  async checkPointsBalance(input: { card_number: string; registered_mobile_number: string; amount: number; currency_code: string }): Promise<PaymentOptionResponse> {
    return this.plural("check the points balance", () =>
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

  // ---- Internals ---------------------------------------------------------------------------------------------

  private async createPluralOrder(input: {
    sessionId: string
    attempt: number
    amount: InitiatePaymentInput["amount"]
    currency_code: string
    request: SessionRequest
    customer?: PaymentCustomerDTO
  }): Promise<PluralSessionData> {
    const currency = input.currency_code.toLowerCase()
    if (!this.options.currencies.includes(currency)) {
      const accepted = this.options.currencies.map((c) => c.toUpperCase()).join(", ")
      const advice = `Plural cannot take payments in ${currency.toUpperCase()}: this store's Plural provider accepts ${accepted}. Use an INR region for Plural, or add the currency to the provider's "currencies" option if your Plural account settles it.`
      this.logger.warn(advice)
      throw new PluralProviderError(
        MedusaError.Types.INVALID_DATA,
        advice,
        shopperError(MedusaError.Types.INVALID_DATA, `Payment by Plural is available in ${accepted} only, and this cart is in ${currency.toUpperCase()}. Please choose another payment method.`)
      )
    }
    const { request } = input
    const reference = orderReference(input.sessionId, input.attempt)
    const amount = { value: toMinorUnits(input.amount, currency), currency: currency.toUpperCase() }
    const consent = await this.pointsConsentOf(input.sessionId, request)
    // UPI has no pre-authorisation on Plural: only hosted (card) orders are pre-auth.
    const preAuth = this.options.pre_auth && request.flow === "hosted"
    const common = {
      merchant_order_reference: reference,
      order_amount: amount,
      pre_auth: preAuth,
      callback_url: `${this.options.backend_url.replace(/\/+$/, "")}${CALLBACK_PATH}`,
      failure_callback_url: `${this.options.backend_url.replace(/\/+$/, "")}${CALLBACK_PATH}`,
      purchase_details: {
        customer: customerOf(input.customer),
        merchant_metadata: { medusa_session_id: input.sessionId },
      },
    }
    const base: PluralSessionData = {
      ...request,
      session_id: input.sessionId,
      plural_order_id: "",
      merchant_order_reference: reference,
      attempt: input.attempt,
      amount: amount.value,
      currency_code: currency,
      pre_auth: preAuth,
      ...(consent ? { points_consent_at: new Date(consent.consented_at).toISOString() } : {}),
    }

    // Written before Plural is called: if this process dies before the session stores the order, the ledger still
    // knows the reference, and the job finds out from Plural what became of it.
    await this.ledger.recordCreating({
      merchant_order_reference: reference,
      session_id: input.sessionId,
      amount: amount.value,
      currency_code: currency,
      flow: request.flow,
      pre_auth: preAuth,
      check_after_seconds: UNANSWERED_CREATE_CHECK_SECONDS,
      expires_after_seconds: this.options.expire_after_minutes * 60,
      points_consent_id: consent?.id,
    })
    const created = (plural_order_id: string, plural_status: string) =>
      this.ledger.recordCreated({
        merchant_order_reference: reference,
        plural_order_id,
        plural_status,
        check_after_seconds: this.options.reconcile_after_minutes * 60,
      })

    if (request.flow === "hosted") {
      // POINTS only with the shopper's consent, so the list is always explicit.
      const methods: PaymentMethod[] = this.options.allowed_payment_methods ?? PAYMENT_METHODS.filter((m) => m !== "POINTS")
      const checkout = await this.creating(reference, "create the hosted checkout", () =>
        this.client.createHostedCheckout({
          ...common,
          allowed_payment_methods: consent ? [...methods, "POINTS"] : methods,
        })
      )
      await created(checkout.order_id, "CREATED")
      if (consent) {
        await this.ledger.linkPointsConsent(consent.id, { session_id: input.sessionId, merchant_order_reference: reference, plural_order_id: checkout.order_id })
      }
      return { ...base, plural_order_id: checkout.order_id, redirect_url: checkout.redirect_url, plural_status: "CREATED" }
    }

    const order = await this.creating(reference, "create the order", () =>
      this.client.createOrder({ ...common, allowed_payment_methods: ["UPI"] })
    )
    await created(order.order_id, order.status)
    const upi =
      request.flow === "upi_collect"
        ? { txn_mode: "COLLECT" as const, payer: { vpa: request.upi_vpa! } }
        : { txn_mode: "INTENT" as const, ...(request.flow === "upi_qr" ? { upi_qr: true } : {}) }
    const payment = await this.plural("start the UPI payment", () =>
      this.client.createPayment(order.order_id, {
        payments: [
          {
            merchant_payment_reference: paymentReference(reference),
            payment_method: "UPI",
            payment_amount: amount,
            payment_option: { upi_details: upi },
          },
        ],
      })
    )
    return {
      ...base,
      plural_order_id: order.order_id,
      challenge_url: payment.challenge_url,
      image_url: payment.image_url,
      plural_status: payment.order?.status ?? "PENDING",
    }
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
      throw this.medusaError(action, error)
    }
  }

  /** Plural's status of the session's order, accepted only when Plural's amount and currency are the session's. */
  private async statusFromPlural(session: PluralSessionData): Promise<{ status: PaymentSessionStatus; data: PluralSessionData }> {
    const order = await this.readOrder(session.plural_order_id)
    const data: PluralSessionData = { ...session, plural_status: order.status }
    const status = SESSION_STATUS_OF[order.status]
    const { value, currency } = order.order_amount
    if ((status === "authorized" || status === "captured") && (value !== session.amount || currency.toLowerCase() !== session.currency_code)) {
      this.logger.error(
        `Plural order ${order.order_id} reports ${value} ${currency} but the session expects ${session.amount} ${session.currency_code.toUpperCase()}; not authorized`
      )
      return { status: "error", data: { ...data, failure: { code: "AMOUNT_MISMATCH", message: "Plural reports a different amount than the cart's" } } }
    }
    // A failed attempt (ATTEMPTED, still payable) is reported too, so the storefront can tell the shopper why.
    const detail = order.payments.at(-1)?.error_detail
    if (status === "error" || status === "canceled" || detail?.code) {
      const failure = { code: detail?.code ?? order.status, message: detail?.message ?? `Plural order ${order.status}` }
      return { status, data: { ...data, failure } }
    }
    return { status, data }
  }

  /** Cancel, and when the answer is lost, read back whether it happened rather than guess. */
  async releaseAuthorization(orderId: string): Promise<Order> {
    this.recentOrders.delete(orderId)
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
      throw this.medusaError("cancel the authorisation", error)
    }
  }

  /** Runs a Plural call; its failure becomes a MedusaError that tells the merchant what happened and what to do. */
  private async plural<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw this.medusaError(action, error)
    }
  }

  private medusaError(action: string, error: unknown): MedusaError {
    if (error instanceof MedusaError) return error
    const { UNEXPECTED_STATE, NOT_ALLOWED, INVALID_DATA } = MedusaError.Types
    if (!(error instanceof PluralError)) {
      this.logger.error(`Plural: could not ${action}: ${(error as Error)?.message}`)
      return new PluralProviderError(UNEXPECTED_STATE, `Plural: could not ${action}`, shopperError(UNEXPECTED_STATE, SHOPPER_ERRORS.unavailable))
    }
    const ref = error.requestId ? ` (Request-ID ${error.requestId})` : ""
    this.logger.warn(`Plural: could not ${action}: ${error.message}${ref}`)
    if (error instanceof PluralNetworkError || (error instanceof PluralApiError && (error.status ?? 500) >= 500)) {
      return new PluralProviderError(
        UNEXPECTED_STATE,
        `Plural is not answering right now, so we could not ${action}${ref}. Nothing was done twice: try again in a minute — the retry is keyed to the same Medusa id.`,
        shopperError(UNEXPECTED_STATE, SHOPPER_ERRORS.notAnswering, error.requestId)
      )
    }
    if (error instanceof PluralApiError && error.status === 422) {
      return new PluralProviderError(NOT_ALLOWED, `Plural refused to ${action}: ${error.message}${ref}`, shopperError(NOT_ALLOWED, SHOPPER_ERRORS.refused, error.requestId))
    }
    // Credentials refused, a request or answer Plural's API does not document: the merchant's to fix, not the shopper's.
    return new PluralProviderError(INVALID_DATA, `Plural: could not ${action}: ${error.message}${ref}`, shopperError(UNEXPECTED_STATE, SHOPPER_ERRORS.unavailable, error.requestId))
  }
}

/** The call may or may not have reached Plural: no answer, or a server error. */
export function isUnknownOutcome(error: unknown): boolean {
  return error instanceof PluralNetworkError || (error instanceof PluralApiError && ((error.status ?? 500) >= 500 || error.status === 429))
}

function refundStatusOf(refund: RefundOrder): RefundStatus {
  return refund.status === "PROCESSED" ? "processed" : refund.status === "FAILED" ? "failed" : "pending"
}

function withRefund(session: PluralSessionData, refund: { reference: string; plural_refund_id: string | null; amount: number; status: string }): PluralSessionData {
  // Kept in Plural's words (PROCESSED, PENDING, FAILED), as the webhook records them.
  const record = { reference: refund.reference, plural_refund_id: refund.plural_refund_id ?? "", amount: refund.amount, status: refund.status.toUpperCase() }
  return { ...session, refunds: [...(session.refunds ?? []).filter((r) => r.reference !== record.reference), record] }
}

export default PluralProviderService
