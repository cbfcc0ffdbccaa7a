/**
 * The sandbox's Plural: every order, payment and refund it knows, and the state machine of the API notes.
 *
 *   order   CREATED → PENDING → AUTHORIZED (pre-auth) → PROCESSED (captured) | CANCELLED (released)
 *           CREATED | PENDING → PROCESSED (no pre-auth)
 *           a failed attempt → ATTEMPTED while retries remain, then FAILED; a shopper's cancel → CANCELLED
 *           PROCESSED → PARTIALLY_REFUNDED → FULLY_REFUNDED
 *   payment PENDING → AUTHORIZED | PROCESSED | FAILED | CANCELLED; AUTHORIZED → PROCESSED (capture) | CANCELLED
 *   refund  settled at once: PROCESSED, or FAILED (the bank rejected it: `setRefundOutcome`, or a dashboard refund
 *           with that outcome). A FAILED refund counts for nothing and leaves its parent's status as it was.
 *           Made through the API or from Plural's dashboard (`dashboardRefund`), by the same rules.
 *
 * Every transition that Plural announces hands the event to `announce` (the webhook dispatcher); an illegal one is
 * a 422 OPERATION_NOT_ALLOWED. Records hold the public objects themselves; `view` hands out copies.
 */
import type {
  CaptureRequest,
  CreateOrderRequest,
  Money,
  Order,
  OrderStatus,
  Payment,
  PaymentMethod,
  RefundOrder,
  RefundRequest,
  WebhookEventType,
  CreatePaymentRequest,
} from "../plural/schemas"
import type { z } from "zod"
import { REFUND_REJECTED, SHOPPER_CANCELLED, failureMessage } from "./failures"
import { PluralFailure, invalid, notAllowed, orderNotFound } from "./http"
import type { RuntimeConfig, SandboxMerchant } from "./options"
import { DIGITS, type Random } from "./random"

export type ChargeRecord = {
  kind: "charge"
  order: Order
  merchant: SandboxMerchant
  allowedMethods?: PaymentMethod[]
  /** Opens the hosted checkout page / UPI landing page of this order. */
  checkoutToken: string
  /** A success stays PENDING to get-order until this time (processingDelayMs). */
  visibleAt?: number
}

export type RefundRecord = { kind: "refund"; order: RefundOrder; merchant: SandboxMerchant }

export type OrderRecord = ChargeRecord | RefundRecord

export type Announce = (
  event: WebhookEventType,
  data: Order | RefundOrder,
  merchant: SandboxMerchant,
  options?: { delayMs?: number }
) => void

export type Outcome = "success" | "failure" | "cancel"

export type CompleteInput = {
  outcome: Outcome
  paymentMethod?: PaymentMethod
  errorCode?: string
  announce?: boolean
}

/** What the shopper's browser is told after a payment: the fields of the return to `callback_url`. */
export type PaymentResult = {
  record: ChargeRecord
  succeeded: boolean
  paymentStatus: string
  error?: { code: string; message: string }
}

type ChargeInput = Omit<CreateOrderRequest, "merchant_order_reference"> & {
  merchant_order_reference: string
  integration_mode?: string
}

type PaymentInput = CreatePaymentRequest["payments"][number]

/** How a refund ends at Plural. */
export type RefundOutcome = "processed" | "failed"

/** How the next API refunds end: `failed` for the next `remaining` of them (all, without a count). */
export type RefundOutcomeRule = { outcome: "failed"; remaining?: number } | { outcome: "processed" }

export type RefundOptions = {
  /** Default: the configured API refund outcome (`setRefundOutcome`). */
  outcome?: RefundOutcome
  /** Default true: the refund's REFUND_PROCESSED / REFUND_FAILED webhook. */
  announce?: boolean
}

/** A refund the merchant makes on Plural's dashboard, not through the API. */
export type DashboardRefundInput = {
  /** Paise; default everything still refundable. */
  amount?: number
  /** Default `dashboard-<n>`, never reused while the sandbox runs. */
  reference?: string
  outcome?: RefundOutcome
  announce?: boolean
}

const PAYABLE: OrderStatus[] = ["CREATED", "PENDING", "ATTEMPTED"]

/** The two letters Plural puts into a payment id after the order id (`…-cc-`, `…-up-`). */
const PAYMENT_ID_CODES: Partial<Record<PaymentMethod, string>> = {
  CARD: "cc",
  UPI: "up",
  NETBANKING: "nb",
  WALLET: "wl",
  POINTS: "pt",
}

/** The card every sandbox card payment is made with; only its last four digits ever leave the page. */
export const TEST_CARD = { number: "4111111111111111", last4: "1111", expiry: "12/30", cvv: "123" } as const

export type OrdersDeps = {
  config: () => RuntimeConfig
  now: () => number
  ids: Random
  announce: Announce
  /** Told after every change to an order (the state file saves it); without one, after a reset. */
  changed?: (record?: OrderRecord) => void
}

export class Orders {
  private readonly records = new Map<string, OrderRecord>()
  private readonly byReference = new Map<string, OrderRecord>()
  private readonly byCheckoutToken = new Map<string, ChargeRecord>()
  private refundOutcomeRule: RefundOutcomeRule = { outcome: "processed" }
  /** Numbers the default references of dashboard refunds; not reset, so a reference is never handed out twice. */
  private dashboardRefunds = 0

  constructor(private readonly deps: OrdersDeps) {}

  /** Forgets every order; API refunds settle PROCESSED again. */
  reset(): void {
    this.records.clear()
    this.byReference.clear()
    this.byCheckoutToken.clear()
    this.refundOutcomeRule = { outcome: "processed" }
    this.deps.changed?.()
  }

  /** Puts back orders a previous run kept (the state file), oldest first. */
  restore(records: OrderRecord[]): void {
    for (const record of records) this.remember(record)
  }

  // ---- Lookups --------------------------------------------------------------------------------------------------

  /** An order (charge or refund) by id, of this merchant — or of any, for the control API's `undefined`; else 404. */
  find(merchant: SandboxMerchant | undefined, orderId: string): OrderRecord {
    const record = this.records.get(orderId)
    if (!record || (merchant && record.merchant.merchant_id !== merchant.merchant_id)) throw orderNotFound(orderId)
    return record
  }

  findCharge(merchant: SandboxMerchant | undefined, orderId: string): ChargeRecord {
    const record = this.find(merchant, orderId)
    if (record.kind !== "charge") throw notAllowed(`${orderId} is a refund order`)
    return record
  }

  findByReference(merchant: SandboxMerchant, reference: string): OrderRecord {
    const record = this.byReference.get(referenceKey(merchant, reference))
    if (!record) throw new PluralFailure(404, "ORDER_NOT_FOUND", `No order with merchant_order_reference ${reference}`)
    return record
  }

  findByCheckoutToken(token: string): ChargeRecord | undefined {
    return this.byCheckoutToken.get(token)
  }

  /** Newest first. */
  list(): OrderRecord[] {
    return [...this.records.values()].reverse()
  }

  /** The order as Plural shows it now: a copy, with a success still PENDING during the processing delay. */
  view(record: OrderRecord): Order | RefundOrder {
    const copy = structuredClone(record.order)
    if (record.kind === "charge" && record.visibleAt !== undefined && this.deps.now() < record.visibleAt) {
      const settling = copy as Order
      settling.status = "PENDING"
      const last = settling.payments[settling.payments.length - 1]
      if (last) last.status = "PENDING"
    }
    return copy
  }

  // ---- Charge orders --------------------------------------------------------------------------------------------

  /** A new order (seamless or hosted); a known reference is answered per duplicateMode. */
  createCharge(merchant: SandboxMerchant, input: ChargeInput): ChargeRecord {
    const existing = this.byReference.get(referenceKey(merchant, input.merchant_order_reference))
    if (existing) {
      if (existing.kind === "charge" && this.deps.config().duplicateMode === "return_existing") return existing
      throw duplicate("merchant_order_reference", input.merchant_order_reference)
    }
    const at = this.timestamp()
    const order: Order = {
      order_id: this.orderId(),
      merchant_order_reference: input.merchant_order_reference,
      type: "CHARGE",
      status: "CREATED",
      merchant_id: merchant.merchant_id,
      order_amount: { ...input.order_amount },
      pre_auth: input.pre_auth ?? false,
      ...(input.notes !== undefined && { notes: input.notes }),
      ...(input.callback_url !== undefined && { callback_url: input.callback_url }),
      ...(input.failure_callback_url !== undefined && { failure_callback_url: input.failure_callback_url }),
      ...(input.integration_mode !== undefined && { integration_mode: input.integration_mode }),
      ...(input.purchase_details !== undefined && { purchase_details: structuredClone(input.purchase_details) }),
      payments: [],
      created_at: at,
      updated_at: at,
    }
    const record: ChargeRecord = {
      kind: "charge",
      order,
      merchant,
      allowedMethods: input.allowed_payment_methods,
      checkoutToken: this.deps.ids.string(40),
    }
    this.remember(record)
    return record
  }

  /**
   * Starts a seamless payment. The sandbox takes UPI only: cards need PCI-DSS and go through hosted checkout.
   * A new payment supersedes one still pending (the shopper switched from intent to collect, say).
   */
  startPayment(record: ChargeRecord, input: PaymentInput): { payment: Payment; existing: boolean } {
    const { order } = record
    const known = input.merchant_payment_reference
      ? order.payments.find((p) => p.merchant_payment_reference === input.merchant_payment_reference)
      : undefined
    if (known) {
      if (this.deps.config().duplicateMode === "return_existing") return { payment: known, existing: true }
      throw duplicate("merchant_payment_reference", input.merchant_payment_reference!)
    }
    this.requirePayable(record, "create a payment")
    checkSameMoney("payments.0.payment_amount", input.payment_amount, order.order_amount)
    this.requireAllowed(record, input.payment_method)
    const upi = input.payment_option?.upi_details
    if (input.payment_method !== "UPI" || !upi) {
      throw notAllowed("The sandbox takes seamless payments by UPI only; other methods go through hosted checkout")
    }

    const superseded = this.pendingPayment(record)
    if (superseded) this.fail(superseded, "PAYMENT_SUPERSEDED", "A newer payment replaced this one")

    const payment = this.newPayment(record, "UPI", input.merchant_payment_reference)
    payment.payment_option = {
      upi_details: {
        txn_mode: upi.txn_mode,
        ...(upi.payer && { payer: { ...upi.payer } }),
        ...(upi.upi_qr !== undefined && { upi_qr: upi.upi_qr }),
      },
    }
    this.setStatus(record, "PENDING")
    return { payment, existing: false }
  }

  /** The payment a shopper is still completing, if any. */
  pendingPayment(record: ChargeRecord): Payment | undefined {
    return record.order.payments.find((p) => p.status === "PENDING")
  }

  /**
   * The shopper's answer, from the hosted page, the UPI landing page, an auto-approved collect or the control API.
   * Completes the pending payment, or (hosted checkout) makes one with the chosen method.
   */
  complete(record: ChargeRecord, input: CompleteInput): PaymentResult {
    this.requirePayable(record, "complete a payment")
    const announce = input.announce ?? true
    const { order } = record
    let payment = this.pendingPayment(record)
    if (!payment) {
      const method = input.paymentMethod ?? "CARD"
      this.requireAllowed(record, method)
      payment = this.newPayment(record, method)
      if (method === "CARD") payment.payment_option = { card_data: testCardData() }
    }

    if (input.outcome === "success") {
      const status = order.pre_auth ? "AUTHORIZED" : "PROCESSED"
      payment.status = status
      payment.acquirer_data = {
        approval_code: this.deps.ids.string(6, DIGITS),
        acquirer_reference: this.deps.ids.string(15, DIGITS),
        rrn: this.deps.ids.string(12, DIGITS),
      }
      const upi = payment.payment_option?.upi_details
      if (upi && !upi.payer) upi.payer = { vpa: "shopper@sandbox" }
      this.setStatus(record, status)
      const delayMs = this.deps.config().processingDelayMs
      record.visibleAt = delayMs > 0 ? this.deps.now() + delayMs : undefined
      if (announce) this.announce(status === "AUTHORIZED" ? "ORDER_AUTHORIZED" : "ORDER_PROCESSED", record, delayMs)
      return { record, succeeded: true, paymentStatus: status }
    }

    if (input.outcome === "cancel") {
      this.fail(payment, SHOPPER_CANCELLED.code, SHOPPER_CANCELLED.message, "CANCELLED")
      this.setStatus(record, "CANCELLED")
      if (announce) this.announce("ORDER_CANCELLED", record)
      return { record, succeeded: false, paymentStatus: "CANCELLED", error: { ...SHOPPER_CANCELLED } }
    }

    const code = input.errorCode ?? "PAYMENT_DECLINED"
    const error = { code, message: failureMessage(code) }
    this.fail(payment, code, error.message)
    const remaining = (order.payment_retries_remaining ?? this.deps.config().paymentRetries) - 1
    order.payment_retries_remaining = Math.max(remaining, 0)
    this.setStatus(record, remaining > 0 ? "ATTEMPTED" : "FAILED")
    if (announce) this.announce(remaining > 0 ? "PAYMENT_FAILED" : "ORDER_FAILED", record)
    return { record, succeeded: false, paymentStatus: "FAILED", error }
  }

  /** The shopper never finished: the pending payment (if any) expires and the order fails for good. */
  expire(record: ChargeRecord): void {
    this.requirePayable(record, "expire")
    const payment = this.pendingPayment(record)
    if (payment) this.fail(payment, "PAYMENT_EXPIRED", failureMessage("PAYMENT_EXPIRED"))
    record.order.payment_retries_remaining = 0
    this.setStatus(record, "FAILED")
    this.announce("ORDER_FAILED", record)
  }

  /** Captures a pre-authorisation in full or once in part; the same capture reference again is the same capture. */
  capture(record: ChargeRecord, input: CaptureRequest): void {
    const payment = this.authorizedPayment(record, "captured")
    const previous = payment?.capture_data?.find((c) => c.merchant_capture_reference === input.merchant_capture_reference)
    if (previous) return
    if (!payment || record.order.status !== "AUTHORIZED") throw this.notPreAuthorized(record, "captured")

    const amount = input.capture_amount ?? payment.payment_amount
    checkCurrency("capture_amount.currency", amount, payment.payment_amount)
    if (amount.value > payment.payment_amount.value) {
      throw notAllowed(`capture_amount ${amount.value} exceeds the authorised ${payment.payment_amount.value}`)
    }
    const at = this.timestamp()
    payment.capture_data = [{ merchant_capture_reference: input.merchant_capture_reference, capture_amount: { ...amount }, created_at: at }]
    payment.status = "PROCESSED"
    payment.updated_at = at
    this.setStatus(record, "PROCESSED")
    this.announce("ORDER_PROCESSED", record)
  }

  /** Releases a pre-authorisation. */
  cancel(record: ChargeRecord): void {
    const payment = this.authorizedPayment(record, "cancelled")
    if (!payment || record.order.status !== "AUTHORIZED") throw this.notPreAuthorized(record, "cancelled")
    payment.status = "CANCELLED"
    payment.updated_at = this.timestamp()
    this.setStatus(record, "CANCELLED")
    this.announce("ORDER_CANCELLED", record)
  }

  /**
   * A refund order of its own, settled at once (PROCESSED, or FAILED per `options.outcome` / the configured API
   * refund outcome); several partial refunds, never more than was captured. A known reference is answered per
   * duplicateMode, a FAILED refund too: retrying it with the same reference does not refund again.
   */
  refund(parent: ChargeRecord, input: z.output<typeof RefundRequest>, options: RefundOptions = {}): RefundRecord {
    const existing = this.byReference.get(referenceKey(parent.merchant, input.merchant_order_reference))
    if (existing) {
      const sameRefund = existing.kind === "refund" && existing.order.parent_order_id === parent.order.order_id
      if (sameRefund && this.deps.config().duplicateMode === "return_existing") return existing
      throw duplicate("merchant_order_reference", input.merchant_order_reference)
    }
    const { order } = parent
    if (order.status !== "PROCESSED" && order.status !== "PARTIALLY_REFUNDED") {
      throw notAllowed(`Order ${order.order_id} is ${order.status}; only a PROCESSED order can be refunded`)
    }
    const paid = order.payments.find((p) => p.status === "PROCESSED")!
    const remaining = this.refundableAmount(parent)
    const amount = input.order_amount ?? { value: remaining, currency: order.order_amount.currency }
    checkCurrency("order_amount.currency", amount, order.order_amount)
    if (remaining <= 0 || amount.value > remaining) {
      throw notAllowed(`Refund of ${amount.value} exceeds the refundable ${remaining} of order ${order.order_id}`)
    }

    const failed = (options.outcome ?? this.takeRefundOutcome()) === "failed"
    const status = failed ? "FAILED" : "PROCESSED"
    const at = this.timestamp()
    const refundId = this.orderId()
    const refund: RefundOrder = {
      order_id: refundId,
      parent_order_id: order.order_id,
      merchant_order_reference: input.merchant_order_reference,
      type: "REFUND",
      status,
      merchant_id: parent.merchant.merchant_id,
      order_amount: { ...amount },
      ...(input.merchant_metadata && { purchase_details: { merchant_metadata: { ...input.merchant_metadata } } }),
      payments: [
        {
          id: `${refundId}-rf-A`,
          status,
          payment_amount: { ...amount },
          payment_method: paid.payment_method,
          ...(failed && { error_detail: { ...REFUND_REJECTED } }),
          created_at: at,
          updated_at: at,
        },
      ],
      created_at: at,
      updated_at: at,
    }
    const record: RefundRecord = { kind: "refund", order: refund, merchant: parent.merchant }
    this.remember(record)
    if (!failed) this.setStatus(parent, amount.value === remaining ? "FULLY_REFUNDED" : "PARTIALLY_REFUNDED")
    if (options.announce ?? true) {
      this.deps.announce(failed ? "REFUND_FAILED" : "REFUND_PROCESSED", structuredClone(refund), parent.merchant)
    }
    return record
  }

  /**
   * The merchant refunds on Plural's dashboard: the same rules and webhooks as an API refund, but the reference is
   * Plural's (`dashboard-<n>` unless given; a used one is 422 DUPLICATE_REQUEST, as the dashboard makes a new refund
   * every time) and the outcome is PROCESSED unless asked otherwise — the API refund outcome does not apply.
   */
  dashboardRefund(parent: ChargeRecord, input: DashboardRefundInput): RefundRecord {
    const reference = input.reference ?? this.dashboardReference(parent.merchant)
    if (this.byReference.has(referenceKey(parent.merchant, reference))) throw duplicate("merchant_order_reference", reference)
    const currency = parent.order.order_amount.currency
    return this.refund(
      parent,
      { merchant_order_reference: reference, order_amount: input.amount === undefined ? undefined : { value: input.amount, currency } },
      { outcome: input.outcome ?? "processed", announce: input.announce }
    )
  }

  /** How the next API refunds end: `failed` for the next `count` (all until set back, without one), or `processed`. */
  setRefundOutcome(outcome: RefundOutcome, count?: number): RefundOutcomeRule {
    this.refundOutcomeRule = outcome === "failed" ? { outcome, remaining: count } : { outcome }
    return this.refundOutcome()
  }

  refundOutcome(): RefundOutcomeRule {
    return { ...this.refundOutcomeRule }
  }

  /** What has been refunded of a charge, in paise: every refund of it but the FAILED ones. */
  refundedAmount(parent: ChargeRecord): number {
    let sum = 0
    for (const record of this.records.values()) {
      if (record.kind === "refund" && record.order.parent_order_id === parent.order.order_id && record.order.status !== "FAILED") {
        sum += record.order.order_amount.value
      }
    }
    return sum
  }

  /** What may still be refunded of a charge, in paise: what was captured less what was refunded (0 if unpaid). */
  refundableAmount(parent: ChargeRecord): number {
    const paid = parent.order.payments.find((p) => p.status === "PROCESSED")
    if (!paid) return 0
    const captured = paid.capture_data?.reduce((sum, c) => sum + c.capture_amount.value, 0) ?? paid.payment_amount.value
    return captured - this.refundedAmount(parent)
  }

  // ---- Helpers --------------------------------------------------------------------------------------------------

  private remember(record: OrderRecord): void {
    this.records.set(record.order.order_id, record)
    this.byReference.set(referenceKey(record.merchant, record.order.merchant_order_reference), record)
    if (record.kind === "charge") this.byCheckoutToken.set(record.checkoutToken, record)
    this.deps.changed?.(record)
  }

  /** The outcome of a new API refund; a counted `failed` is used up by it. */
  private takeRefundOutcome(): RefundOutcome {
    const rule = this.refundOutcomeRule
    if (rule.outcome === "failed" && rule.remaining !== undefined && --rule.remaining <= 0) {
      this.refundOutcomeRule = { outcome: "processed" }
    }
    return rule.outcome
  }

  /** The next unused `dashboard-<n>` of this merchant. */
  private dashboardReference(merchant: SandboxMerchant): string {
    let reference: string
    do reference = `dashboard-${++this.dashboardRefunds}`
    while (this.byReference.has(referenceKey(merchant, reference)))
    return reference
  }

  private requirePayable(record: ChargeRecord, action: string): void {
    if (!PAYABLE.includes(record.order.status)) {
      throw notAllowed(`Cannot ${action}: order ${record.order.order_id} is ${record.order.status}`)
    }
  }

  private requireAllowed(record: ChargeRecord, method: PaymentMethod): void {
    if (record.allowedMethods && !record.allowedMethods.includes(method)) {
      throw notAllowed(`${method} is not among this order's allowed_payment_methods`)
    }
  }

  private authorizedPayment(record: ChargeRecord, action: string): Payment | undefined {
    if (!record.order.pre_auth) throw notAllowed(`Order ${record.order.order_id} is not a pre-auth order and cannot be ${action}`)
    return record.order.payments.find((p) => p.status === "AUTHORIZED" || p.capture_data !== undefined)
  }

  private notPreAuthorized(record: ChargeRecord, action: string): PluralFailure {
    return notAllowed(`Order ${record.order.order_id} is ${record.order.status}; only an AUTHORIZED order can be ${action}`)
  }

  private newPayment(record: ChargeRecord, method: PaymentMethod, reference?: string): Payment {
    const { order } = record
    const at = this.timestamp()
    const attempt = String.fromCharCode(65 + (order.payments.length % 26))
    const payment: Payment = {
      id: `${order.order_id}-${PAYMENT_ID_CODES[method] ?? "xx"}-${attempt}`,
      ...(reference !== undefined && { merchant_payment_reference: reference }),
      status: "PENDING",
      payment_amount: { ...order.order_amount },
      payment_method: method,
      acquirer_data: { approval_code: "", acquirer_reference: "", rrn: "" },
      created_at: at,
      updated_at: at,
    }
    order.payments.push(payment)
    return payment
  }

  private fail(payment: Payment, code: string, message: string, status: "FAILED" | "CANCELLED" = "FAILED"): void {
    payment.status = status
    payment.error_detail = { code, message }
    payment.updated_at = this.timestamp()
  }

  private setStatus(record: OrderRecord, status: OrderStatus): void {
    ;(record.order as Order).status = status
    record.order.updated_at = this.timestamp()
    const last = record.order.payments[record.order.payments.length - 1]
    if (last) last.updated_at = record.order.updated_at
    this.deps.changed?.(record)
  }

  private announce(event: WebhookEventType, record: ChargeRecord, delayMs = 0): void {
    this.deps.announce(event, structuredClone(record.order), record.merchant, { delayMs })
  }

  /** Plural's shape: `v1-<10 digits>-aa-<6 letters>`. */
  private orderId(): string {
    return `v1-${this.deps.ids.string(10, DIGITS)}-aa-${this.deps.ids.string(6)}`
  }

  private timestamp(): string {
    return new Date(this.deps.now()).toISOString()
  }
}

/** What a card payment's `card_data` says about the sandbox test card. */
function testCardData(): NonNullable<NonNullable<Payment["payment_option"]>["card_data"]> {
  return {
    card_type: "CREDIT",
    network_name: "VISA",
    issuer_name: "NONE",
    card_category: "CONSUMER",
    country_code: "IND",
    token_txn_type: "ALT_TOKEN",
    last4_digit: TEST_CARD.last4,
  }
}

function referenceKey(merchant: SandboxMerchant, reference: string): string {
  return `${merchant.merchant_id}:${reference}`
}

function duplicate(field: string, reference: string): PluralFailure {
  return new PluralFailure(422, "DUPLICATE_REQUEST", `${field} ${reference} was already used`, { field })
}

function checkCurrency(field: string, amount: Money, expected: Money): void {
  if (amount.currency !== expected.currency) throw invalid(field, `must be ${expected.currency}`)
}

function checkSameMoney(field: string, amount: Money, expected: Money): void {
  checkCurrency(`${field}.currency`, amount, expected)
  if (amount.value !== expected.value) throw invalid(`${field}.value`, `must equal the order amount ${expected.value}`)
}
