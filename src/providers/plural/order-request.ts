/**
 * What Plural is asked to make for a payment session, decided without calling anything: the reference (from
 * Medusa's session id), the amount in paise, pre-auth or not, the methods offered, and the requests themselves —
 * a hosted checkout, or an order and its UPI payment. The gateway sends them; this module only decides.
 */
import type { PaymentCustomerDTO } from "@medusajs/framework/types"
import { type CreateOrderRequest, type CreatePaymentRequest, type HostedCheckoutRequest, PAYMENT_METHODS, type PaymentMethod } from "../../plural"
import { orderReference, paymentReference } from "../../shared/references"
import type { PluralSessionData, SessionRequest } from "../../shared/session-data"
import type { ResolvedPluralOptions } from "./options"
import { customerOf } from "./utils/customer"

/** Where Plural sends the shopper's browser back, on this Medusa server. */
export const CALLBACK_PATH = "/hooks/plural/callback"

export type OrderRequestInput = {
  session_id: string
  /** 1 for a session's first Plural order; a changed amount makes the next. */
  attempt: number
  /** Integer minor units (paise). */
  amount: number
  /** Lower-case ISO 4217. */
  currency_code: string
  request: SessionRequest
  customer?: PaymentCustomerDTO
  /** The shopper's stored pay-by-points consent, when this session may offer POINTS. */
  points_consent?: { consented_at: Date | string }
  options: Pick<ResolvedPluralOptions, "pre_auth" | "backend_url" | "allowed_payment_methods">
}

export type OrderRequestPlan = {
  reference: string
  pre_auth: boolean
  /** The session's data before Plural answered: `plural_order_id` and where to send the shopper come from Plural. */
  session: PluralSessionData
} & (
  | { kind: "hosted"; checkout: HostedCheckoutRequest }
  | { kind: "upi"; order: CreateOrderRequest; payment: CreatePaymentRequest }
)

export function orderRequestPlan(input: OrderRequestInput): OrderRequestPlan {
  const { request, options } = input
  const reference = orderReference(input.session_id, input.attempt)
  const currency = input.currency_code.toLowerCase()
  const amount = { value: input.amount, currency: currency.toUpperCase() }
  // UPI has no pre-authorisation on Plural: only hosted (card) orders are pre-auth.
  const preAuth = options.pre_auth && request.flow === "hosted"
  const callback = `${options.backend_url.replace(/\/+$/, "")}${CALLBACK_PATH}`
  const common = {
    merchant_order_reference: reference,
    order_amount: amount,
    pre_auth: preAuth,
    callback_url: callback,
    failure_callback_url: callback,
    purchase_details: {
      customer: customerOf(input.customer),
      merchant_metadata: { medusa_session_id: input.session_id },
    },
  }
  const consentAt = input.points_consent && new Date(input.points_consent.consented_at).toISOString()
  const session: PluralSessionData = {
    ...request,
    session_id: input.session_id,
    plural_order_id: "",
    merchant_order_reference: reference,
    attempt: input.attempt,
    amount: amount.value,
    currency_code: currency,
    pre_auth: preAuth,
    ...(consentAt ? { points_consent_at: consentAt } : {}),
  }

  if (request.flow === "hosted") {
    // POINTS only with the shopper's consent, so the list is always explicit.
    const methods: PaymentMethod[] = options.allowed_payment_methods ?? PAYMENT_METHODS.filter((m) => m !== "POINTS")
    const allowed = input.points_consent ? [...methods, "POINTS" as const] : methods
    return { kind: "hosted", reference, pre_auth: preAuth, session, checkout: { ...common, allowed_payment_methods: allowed } }
  }

  const upi =
    request.flow === "upi_collect"
      ? { txn_mode: "COLLECT" as const, payer: { vpa: request.upi_vpa! } }
      : { txn_mode: "INTENT" as const, ...(request.flow === "upi_qr" ? { upi_qr: true } : {}) }
  return {
    kind: "upi",
    reference,
    pre_auth: preAuth,
    session,
    order: { ...common, allowed_payment_methods: ["UPI"] },
    payment: {
      payments: [
        {
          merchant_payment_reference: paymentReference(reference),
          payment_method: "UPI",
          payment_amount: amount,
          payment_option: { upi_details: upi },
        },
      ],
    },
  }
}
