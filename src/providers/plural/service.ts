/**
 * The Plural payment provider (`pp_plural_plural`): Medusa's payment hooks, each mapped to Plural orders and payments
 * through the provider's gateway. Plural is the source of truth — every status is read from Plural, never taken from
 * a browser or a webhook alone.
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
import { PluralApiError, parseWebhookEvent } from "../../plural"
import { PLURAL_MODULE } from "../../modules/plural"
import type { PluralModuleService } from "../../modules/plural/service"
import { sessionIdOf } from "../../shared/references"
import type { PluralSessionData } from "../../shared/session-data"
import { CAPTURED_STATUSES, HELD_STATUSES, PAID_STATUSES, SESSION_STATUS_OF } from "../../shared/statuses"
import { formatMinor, fromMinorUnits, toMinorUnits } from "../../utils/money"
import { parseSessionData, parseSessionRequest } from "../../utils/session-data"
import { validatesAtBoot } from "./boot"
import { PluralGateway, type PluralLedger } from "./gateway"
import { parsePluralOptions, type PluralOptions } from "./options"
import { PluralProviderError, SHOPPER_ERRORS, shopperError, shopperFacing } from "./utils/shopper-errors"
import { WEBHOOK_ACTION_OF } from "./webhook-actions"

type Cradle = { logger: Logger; pluralLedger?: PluralLedger }

export class PluralProviderService extends AbstractPaymentProvider<PluralOptions> {
  static identifier = "plural"

  /** What the plugin's routes, workflows and jobs use too (see `utils/resolve-plural-gateway`). */
  readonly gateway: PluralGateway
  protected readonly logger: Logger

  static validateOptions(options: Record<string, unknown>): void {
    // `medusa db:migrate` in CI or a pre-deploy step, without secrets: the provider is registered, never used.
    if (validatesAtBoot(options)) parsePluralOptions(options)
  }

  constructor(cradle: Cradle, options: PluralOptions) {
    super(cradle, options)
    this.logger = cradle.logger
    // The payment module's container cannot see other modules: the ledger comes from the application's container.
    const injected = "pluralLedger" in cradle ? cradle.pluralLedger : undefined
    this.gateway = new PluralGateway(parsePluralOptions(options), cradle.logger, () => injected ?? container.resolve<PluralModuleService>(PLURAL_MODULE))
  }

  @shopperFacing
  async initiatePayment({ amount, currency_code, data, context }: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = context?.idempotency_key
    if (!sessionId) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "Plural needs the payment session id (context.idempotency_key) to create an order")
    }
    const request = parseSessionRequest(data)
    const created = await this.gateway.createOrder({
      session_id: sessionId,
      attempt: 1,
      amount: toMinorUnits(amount, currency_code),
      currency_code,
      request,
      customer: context?.customer,
    })
    return { id: created.plural_order_id, data: created, status: "pending" }
  }

  /** A changed amount or currency needs a new Plural order (Plural orders are immutable), under a new reference. */
  @shopperFacing
  async updatePayment({ amount, currency_code, data, context }: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = parseSessionData(data)
    const minor = toMinorUnits(amount, currency_code)
    if (minor === current.amount && currency_code.toLowerCase() === current.currency_code) return { data: current }
    const previous = await this.gateway.readOrder(current.plural_order_id, 0)
    if (HELD_STATUSES.has(previous.status)) {
      throw new PluralProviderError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${previous.order_id} is already paid (${previous.status}) for the old amount; complete the cart, or refund it before changing the amount`,
        shopperError(MedusaError.Types.NOT_ALLOWED, SHOPPER_ERRORS.alreadyPaid)
      )
    }
    const request = parseSessionRequest(data)
    const created = await this.gateway.createOrder({
      session_id: current.session_id,
      attempt: current.attempt + 1,
      amount: minor,
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
    const order = await this.gateway.readOrder(session.plural_order_id, 0)
    if (order.status === "AUTHORIZED" && order.pre_auth) {
      await this.gateway.releaseAuthorization(order.order_id)
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
    const order = await this.gateway.readOrder(session.plural_order_id)
    return { data: { ...session, plural_status: order.status } }
  }

  /**
   * Medusa passes no amount: it captures the whole authorisation. An order Plural already shows as processed counts
   * as captured, so a retried capture (even under a new capture id) never captures twice.
   */
  async capturePayment({ data, context }: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.gateway.readOrder(session.plural_order_id, 0)
    if (CAPTURED_STATUSES.has(order.status)) return { data: { ...session, plural_status: order.status } }
    if (order.status !== "AUTHORIZED") {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Plural order ${order.order_id} is ${order.status}; only an AUTHORIZED (pre-auth) order can be captured`
      )
    }
    const reference = context?.idempotency_key ?? `${session.merchant_order_reference}-capture`
    const captured = await this.gateway.call("capture the payment", async () => {
      try {
        return await this.gateway.client.captureOrder(order.order_id, { merchant_capture_reference: reference })
      } catch (error) {
        // Captured meanwhile (another instance, the Plural dashboard): that is the outcome we wanted.
        const now = error instanceof PluralApiError && error.isOperationNotAllowed ? await this.gateway.client.getOrder(order.order_id) : undefined
        if (now && CAPTURED_STATUSES.has(now.status)) return now
        throw error
      }
    })
    this.gateway.remember(captured)
    return { data: { ...session, plural_status: captured.status, capture_reference: reference } }
  }

  /**
   * Releases an authorisation. Already cancelled, or never paid, is success. A captured order is never silently
   * refunded here: that is a refund, which the merchant decides on.
   */
  async cancelPayment({ data }: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const session = parseSessionData(data)
    const order = await this.gateway.readOrder(session.plural_order_id, 0)
    if (order.status === "AUTHORIZED") {
      const cancelled = await this.gateway.releaseAuthorization(order.order_id)
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
    const ledger = this.gateway.ledger

    // The plugin recording a refund Plural already made (its dashboard, or an answer Medusa never saw).
    if (recording_refund && recording_refund.amount === value) {
      const claimed = await ledger.claimRefund({ plural_order_id: orderId, medusa_refund_id: reference, reference: recording_refund.reference })
      if (!claimed) {
        throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Plural refund ${recording_refund.reference} is already recorded on this payment; nothing was refunded`)
      }
      return { data: withRefund(session, claimed) }
    }

    await this.gateway.resolveRefunds(orderId)
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

    // The plugin is recording a refund of this amount that Plural already made (its mark on this payment's data may
    // have been overwritten by a concurrent write): this call may be that very recording, so nothing is paid out.
    const recording = await ledger.refundBeingRecorded(orderId, value)
    if (recording) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `A refund of ${formatMinor(value, session.currency_code)} that Plural already made (reference ${recording.reference}) is being recorded on this payment right now; once recorded it shows on the order. Nothing was refunded: look at the order again in a minute before refunding more.`
      )
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

    const made = await this.gateway.refundAtPlural(orderId, { reference, amount: value, currency_code: session.currency_code })
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
        ? `Plural did not answer, so we cannot tell yet whether the refund of ${formatMinor(value, session.currency_code)} was made. Do not refund another way: the plugin asks Plural again, and if it was made it appears on this order by itself. Retrying here before it appears is safe: the retry is matched to that refund, so it never refunds twice.`
        : `Plural did not make the refund of ${formatMinor(value, session.currency_code)}: ${made.error}. Nothing was refunded; you can try again.`
    )
  }

  /**
   * For Medusa's built-in `/hooks/payment/plural_plural` route. That route has already answered 200, so a forged
   * or stale event is not an error here: it is logged and changes nothing.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const rawBody = payload.rawData ?? JSON.stringify(payload.data)
    if (!this.gateway.verifyWebhook({ headers: payload.headers, rawBody })) {
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

  /** Plural's status of the session's order, accepted only when Plural's amount and currency are the session's. */
  private async statusFromPlural(session: PluralSessionData): Promise<{ status: PaymentSessionStatus; data: PluralSessionData }> {
    const order = await this.gateway.readOrder(session.plural_order_id)
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
}

function withRefund(session: PluralSessionData, refund: { reference: string; plural_refund_id: string | null; amount: number; status: string }): PluralSessionData {
  // Kept in Plural's words (PROCESSED, PENDING, FAILED), as the webhook records them.
  const record = { reference: refund.reference, plural_refund_id: refund.plural_refund_id ?? "", amount: refund.amount, status: refund.status.toUpperCase() }
  return { ...session, refunds: [...(session.refunds ?? []).filter((r) => r.reference !== record.reference), record] }
}

export default PluralProviderService
