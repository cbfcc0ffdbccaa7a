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
  verifyCallback,
  verifyWebhook,
  type WebhookEvent,
  WebhookEvent as WebhookEventSchema,
} from "../../plural"
import { parsePluralOptions, type PluralOptions, type ResolvedPluralOptions } from "./options"
import { customerOf } from "./utils/customer"
import { fromMinorUnits, toMinorUnits } from "./utils/money"
import { orderReference, paymentReference, sessionIdOf } from "./utils/references"
import {
  parseSessionData,
  parseSessionRequest,
  type PluralSessionData,
  type SessionRequest,
} from "./utils/session-data"
import { PAID_STATUSES, SESSION_STATUS_OF, WEBHOOK_ACTION_OF } from "./utils/status"

type Cradle = { logger: Logger }

export const CALLBACK_PATH = "/hooks/plural/callback"
const RECENT_ORDER_MS = 2_000

export class PluralProviderService extends AbstractPaymentProvider<PluralOptions> {
  static identifier = "plural"

  readonly options: ResolvedPluralOptions
  readonly client: PluralClient
  protected readonly logger: Logger
  private readonly recentOrders = new Map<string, { order: Order; at: number }>()

  static validateOptions(options: Record<string, unknown>): void {
    parsePluralOptions(options)
  }

  constructor(cradle: Cradle, options: PluralOptions) {
    super(cradle, options)
    this.logger = cradle.logger
    this.options = parsePluralOptions(options)
    const o = this.options
    this.client = new PluralClient({
      clientId: o.client_id,
      clientSecret: o.client_secret,
      environment: o.environment,
      baseUrl: o.base_url,
      timeouts: { connectMs: o.timeouts.connect_ms, headersMs: o.timeouts.headers_ms, bodyMs: o.timeouts.body_ms },
      retry: { maxRetries: o.retries.max, baseDelayMs: o.retries.base_delay_ms, maxDelayMs: o.retries.max_delay_ms },
      onRetry: (e) =>
        this.logger.warn(`Plural ${e.operation}: retry ${e.attempt} in ${e.delayMs} ms after ${e.reason} (Request-ID ${e.requestId})`),
    })
  }

  // ---- Medusa's hooks ------------------------------------------------------------------------------------------

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
  async updatePayment({ amount, currency_code, data, context }: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = parseSessionData(data)
    const minor = toMinorUnits(amount, currency_code)
    if (minor === current.amount && currency_code.toLowerCase() === current.currency_code) return { data: current }
    const previous = await this.readOrder(current.plural_order_id, 0)
    if (PAID_STATUSES.has(previous.status)) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${previous.order_id} is already paid (${previous.status}) for the old amount; complete the cart, or refund it before changing the amount`
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
   * An unpaid Plural order simply expires; an authorisation is released. A session whose order is already paid is
   * not deleted: that would lose the shopper's money — complete the cart instead.
   */
  async deletePayment({ data }: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.readOrder(session.plural_order_id, 0)
    if (order.status === "AUTHORIZED" && order.pre_auth) {
      await this.releaseAuthorization(order.order_id)
    } else if (PAID_STATUSES.has(order.status)) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${order.order_id} is already paid (${order.status}); complete the cart instead of deleting its payment session`
      )
    }
    return { data: { ...session, plural_status: order.status } }
  }

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
    if (SESSION_STATUS_OF[order.status] === "captured") return { data: { ...session, plural_status: order.status } }
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
        if (now && SESSION_STATUS_OF[now.status] === "captured") return now
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

  /** Each refund goes under its own reference — Medusa's refund id — so a retried refund is the same refund. */
  async refundPayment({ amount, data, context }: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const session = parseSessionData(data)
    const reference = context?.idempotency_key
    if (!reference) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "Plural refunds need Medusa's refund id (context.idempotency_key) as their reference")
    }
    const value = toMinorUnits(amount, session.currency_code)
    const refund = await this.plural("refund the payment", () =>
      this.client.refundOrder(session.plural_order_id, {
        merchant_order_reference: reference,
        order_amount: { value, currency: session.currency_code.toUpperCase() },
      })
    )
    this.recentOrders.delete(session.plural_order_id)
    const record = { reference, plural_refund_id: refund.order_id, amount: value, status: refund.status }
    const refunds = [...(session.refunds ?? []).filter((r) => r.reference !== reference), record]
    return { data: { ...session, refunds } }
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
    const event = this.parseWebhookEvent(rawBody)
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

  /** A verified body as a Plural event; undefined for event types the plugin does not act on. */
  parseWebhookEvent(rawBody: string | Buffer): WebhookEvent | undefined {
    let json: unknown
    try {
      json = JSON.parse(rawBody.toString())
    } catch {
      return undefined
    }
    const event = WebhookEventSchema.safeParse(json)
    return event.success ? event.data : undefined
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
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `Plural cannot take payments in ${currency.toUpperCase()}: this store's Plural provider accepts ${this.options.currencies
          .map((c) => c.toUpperCase())
          .join(", ")}. Use an INR region for Plural, or add the currency to the provider's "currencies" option if your Plural account settles it.`
      )
    }
    const { request } = input
    const reference = orderReference(input.sessionId, input.attempt)
    const amount = { value: toMinorUnits(input.amount, currency), currency: currency.toUpperCase() }
    const pointsConsented = this.options.pay_by_points && request.pay_by_points_consent === true
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
      ...(pointsConsented ? { points_consent_at: new Date().toISOString() } : {}),
    }

    if (request.flow === "hosted") {
      // POINTS only with the shopper's consent, so the list is always explicit.
      const methods: PaymentMethod[] = this.options.allowed_payment_methods ?? PAYMENT_METHODS.filter((m) => m !== "POINTS")
      const checkout = await this.plural("create the hosted checkout", () =>
        this.client.createHostedCheckout({
          ...common,
          allowed_payment_methods: pointsConsented ? [...methods, "POINTS"] : methods,
        })
      )
      return { ...base, plural_order_id: checkout.order_id, redirect_url: checkout.redirect_url, plural_status: "CREATED" }
    }

    const order = await this.plural("create the order", () =>
      this.client.createOrder({ ...common, allowed_payment_methods: ["UPI"] })
    )
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
  private async releaseAuthorization(orderId: string): Promise<Order> {
    this.recentOrders.delete(orderId)
    try {
      const cancelled = await this.client.cancelOrder(orderId)
      this.remember(cancelled)
      return cancelled
    } catch (error) {
      // The answer was lost (network, 5xx) or Plural says "not now": read back whether the release happened.
      const unknownOutcome = error instanceof PluralNetworkError || (error instanceof PluralApiError && (error.isOperationNotAllowed || (error.status ?? 0) >= 500))
      if (unknownOutcome) {
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
    if (!(error instanceof PluralError)) {
      this.logger.error(`Plural: could not ${action}: ${(error as Error)?.message}`)
      return new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Plural: could not ${action}`)
    }
    const ref = error.requestId ? ` (Request-ID ${error.requestId})` : ""
    this.logger.warn(`Plural: could not ${action}: ${error.message}${ref}`)
    if (error instanceof PluralNetworkError || (error instanceof PluralApiError && (error.status ?? 500) >= 500)) {
      return new MedusaError(
        MedusaError.Types.UNEXPECTED_STATE,
        `Plural is not answering right now, so we could not ${action}${ref}. Nothing was done twice: try again in a minute — the retry is keyed to the same Medusa id.`
      )
    }
    if (error instanceof PluralApiError && error.status === 422) {
      return new MedusaError(MedusaError.Types.NOT_ALLOWED, `Plural refused to ${action}: ${error.message}${ref}`)
    }
    return new MedusaError(MedusaError.Types.INVALID_DATA, `Plural: could not ${action}: ${error.message}${ref}`)
  }
}

export default PluralProviderService
