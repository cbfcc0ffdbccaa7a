/**
 * The one definition of every Plural object. The client parses responses and checks its own requests with these;
 * the sandbox validates incoming requests and builds its responses with them. Objects are non-strict: unknown
 * fields Plural adds later are dropped, never an error.
 */
import { z } from "zod"
import { POINTS_CARD_NUMBER_PATTERN, REGISTERED_MOBILE_PATTERN } from "./points-card"
import { UPI_VPA_PATTERN } from "./vpa"

/** Plural's documented limits. Where the docs give none, the value is our decision, kept generous. */
export const PLURAL_LIMITS = {
  minAmountPaise: 100,
  maxAmountPaise: 100_000_000,
  referenceMaxLength: 50,
  nameMaxLength: 50,
  emailMaxLength: 50,
  customerIdMaxLength: 50,
  addressLineMaxLength: 100,
  pincodeMaxLength: 10,
  placeMaxLength: 50,
  notesMaxLength: 500,
} as const

export const ORDER_STATUSES = [
  "CREATED",
  "PENDING",
  "ATTEMPTED",
  "AUTHORIZED",
  "PROCESSED",
  "CANCELLED",
  "FAILED",
  "PARTIALLY_REFUNDED",
  "FULLY_REFUNDED",
] as const
export const OrderStatus = z.enum(ORDER_STATUSES)
export type OrderStatus = z.infer<typeof OrderStatus>

export const PaymentStatus = z.enum(["INITIATED", "PENDING", "AUTHORIZED", "PROCESSED", "CANCELLED", "FAILED"])
export type PaymentStatus = z.infer<typeof PaymentStatus>

export const RefundStatus = z.enum(["CREATED", "PENDING", "PROCESSED", "FAILED"])
export type RefundStatus = z.infer<typeof RefundStatus>

export const PAYMENT_METHODS = [
  "CARD",
  "UPI",
  "NETBANKING",
  "POINTS",
  "WALLET",
  "CREDIT_EMI",
  "DEBIT_EMI",
  "BNPL",
  "CARDLESS_EMI",
] as const
export const PaymentMethod = z.enum(PAYMENT_METHODS)
export type PaymentMethod = z.infer<typeof PaymentMethod>

/** `merchant_order_reference` and friends: 1–50 of `A-Z a-z 0-9 - _`. Seed 001 sends a number; it is a string. */
export const MerchantReference = z.coerce
  .string()
  .min(1)
  .max(PLURAL_LIMITS.referenceMaxLength)
  .regex(/^[A-Za-z0-9_-]+$/, "only letters, digits, '-' and '_' are allowed")

/** Money is always integer paise. */
export const Money = z.object({
  value: z.int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, "an upper-case ISO 4217 code"),
})
export type Money = z.infer<typeof Money>

/** An amount a request may ask for: ₹1 to ₹10,00,000. */
export const RequestedMoney = Money.extend({
  value: z.int().min(PLURAL_LIMITS.minAmountPaise).max(PLURAL_LIMITS.maxAmountPaise),
})

const text = (max: number) => z.string().max(max)

export const Address = z.object({
  address1: text(PLURAL_LIMITS.addressLineMaxLength).optional(),
  address2: text(PLURAL_LIMITS.addressLineMaxLength).optional(),
  address3: text(PLURAL_LIMITS.addressLineMaxLength).optional(),
  pincode: text(PLURAL_LIMITS.pincodeMaxLength).optional(),
  city: text(PLURAL_LIMITS.placeMaxLength).optional(),
  state: text(PLURAL_LIMITS.placeMaxLength).optional(),
  country: text(PLURAL_LIMITS.placeMaxLength).optional(),
})
export type Address = z.infer<typeof Address>

export const Customer = z.object({
  email_id: text(PLURAL_LIMITS.emailMaxLength).optional(),
  first_name: text(PLURAL_LIMITS.nameMaxLength).optional(),
  last_name: text(PLURAL_LIMITS.nameMaxLength).optional(),
  customer_id: text(PLURAL_LIMITS.customerIdMaxLength).optional(),
  mobile_number: z.string().regex(/^\d{6,15}$/, "digits only, 6 to 15 of them").optional(),
  country_code: z.string().regex(/^\d{1,4}$/, "digits only, e.g. 91").optional(),
  billing_address: Address.optional(),
  shipping_address: Address.optional(),
})
export type Customer = z.infer<typeof Customer>

export const PurchaseDetails = z.object({
  customer: Customer.optional(),
  merchant_metadata: z.record(z.string(), z.string()).optional(),
})
export type PurchaseDetails = z.infer<typeof PurchaseDetails>

export const CardData = z.object({
  card_type: z.string().optional(),
  network_name: z.string().optional(),
  issuer_name: z.string().optional(),
  card_category: z.string().optional(),
  country_code: z.string().optional(),
  token_txn_type: z.string().optional(),
  last4_digit: z.string().optional(),
})

export const UpiTxnMode = z.enum(["INTENT", "COLLECT"])
export type UpiTxnMode = z.infer<typeof UpiTxnMode>

/** A UPI VPA such as `name@bank`: what NPCI allows, checked before Plural sees it. */
export const Vpa = z.string().max(100).regex(UPI_VPA_PATTERN, "a UPI id such as name@bank")

export const UpiDetails = z.object({
  txn_mode: UpiTxnMode,
  payer: z.object({ vpa: Vpa }).optional(),
  upi_qr: z.boolean().optional(),
})

export const CaptureData = z.object({
  merchant_capture_reference: z.string(),
  capture_amount: Money,
  created_at: z.string().optional(),
})

export const ErrorDetail = z.object({ code: z.string().optional(), message: z.string().optional() })

export const Payment = z.object({
  id: z.string(),
  merchant_payment_reference: z.string().optional(),
  status: PaymentStatus,
  payment_amount: Money,
  payment_method: z.string(),
  payment_option: z
    .object({ card_data: CardData.optional(), upi_details: UpiDetails.partial().optional() })
    .optional(),
  acquirer_data: z
    .object({
      approval_code: z.string().optional(),
      acquirer_reference: z.string().optional(),
      rrn: z.string().optional(),
    })
    .optional(),
  error_detail: ErrorDetail.optional(),
  capture_data: z.array(CaptureData).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
})
export type Payment = z.infer<typeof Payment>

const orderFields = {
  order_id: z.string(),
  merchant_order_reference: z.coerce.string(),
  merchant_id: z.coerce.string().optional(),
  order_amount: Money,
  pre_auth: z.boolean().optional(),
  notes: z.string().optional(),
  callback_url: z.string().optional(),
  failure_callback_url: z.string().optional(),
  challenge_url: z.string().optional(),
  image_url: z.string().optional(),
  integration_mode: z.string().optional(),
  payment_retries_remaining: z.int().optional(),
  purchase_details: PurchaseDetails.optional(),
  payments: z.array(Payment).default([]),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
}

/** A charge order: what every `/api/pay/v1/orders*` call returns inside `data`. */
export const Order = z.object({
  ...orderFields,
  type: z.literal("CHARGE").default("CHARGE"),
  status: OrderStatus,
})
export type Order = z.infer<typeof Order>

/** A refund is an order of its own, pointing at the order it refunds. */
export const RefundOrder = z.object({
  ...orderFields,
  type: z.literal("REFUND"),
  parent_order_id: z.string(),
  status: RefundStatus,
})
export type RefundOrder = z.infer<typeof RefundOrder>

const envelopes = new WeakMap<z.ZodType, z.ZodType>()

/**
 * `{data: inner}`: how `/api/pay/v1/*` answers. One schema per inner schema, built once: a zod object compiles its
 * parser on first use, so a schema made per call costs that compilation on every call.
 */
export const wrapped = <T extends z.ZodType>(inner: T): z.ZodObject<{ data: T }> => {
  let envelope = envelopes.get(inner) as z.ZodObject<{ data: T }> | undefined
  if (!envelope) envelopes.set(inner, (envelope = z.object({ data: inner })))
  return envelope
}

// ---- Requests -------------------------------------------------------------------------------------------------

export const TokenRequest = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  grant_type: z.literal("client_credentials"),
})
export type TokenRequest = z.infer<typeof TokenRequest>

/** Decision 1 (docs/decisions.md): the seeds send `expires_in` (seconds), current docs `expires_at` (ISO time). Either is accepted. */
export const TokenResponse = z
  .object({
    access_token: z.string().min(1),
    expires_in: z.number().positive().optional(),
    expires_at: z.string().optional(),
  })
  .refine((t) => t.expires_in !== undefined || t.expires_at !== undefined, {
    message: "the token response has neither expires_in nor expires_at",
  })
export type TokenResponse = z.infer<typeof TokenResponse>

const orderRequestFields = {
  merchant_order_reference: MerchantReference,
  order_amount: RequestedMoney,
  pre_auth: z.boolean().optional(),
  notes: text(PLURAL_LIMITS.notesMaxLength).optional(),
  callback_url: z.url().optional(),
  failure_callback_url: z.url().optional(),
  allowed_payment_methods: z.array(PaymentMethod).optional(),
  purchase_details: PurchaseDetails.optional(),
}

export const CreateOrderRequest = z.object(orderRequestFields)
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>

/**
 * Seed 000's sample puts `merchant_order_reference` inside `order_amount` (a documentation slip). The top-level
 * field is what the client sends; the nested one is accepted so the seed's own sample is a valid request.
 */
export const HostedCheckoutRequest = z
  .object({
    ...orderRequestFields,
    merchant_order_reference: MerchantReference.optional(),
    order_amount: RequestedMoney.extend({ merchant_order_reference: MerchantReference.optional() }),
    integration_mode: z.enum(["REDIRECT", "IFRAME"]).optional(),
  })
  .transform(({ order_amount: { merchant_order_reference: nested, ...amount }, ...rest }, ctx) => {
    const reference = rest.merchant_order_reference ?? nested
    if (!reference) {
      ctx.addIssue({ code: "custom", path: ["merchant_order_reference"], message: "is required" })
      return z.NEVER
    }
    return { ...rest, merchant_order_reference: reference, order_amount: amount }
  })
export type HostedCheckoutRequest = z.input<typeof HostedCheckoutRequest>

export const HostedCheckoutResponse = z.object({
  token: z.string(),
  order_id: z.string(),
  redirect_url: z.string(),
  response_code: z.number().optional(),
  response_message: z.string().optional(),
})
export type HostedCheckoutResponse = z.infer<typeof HostedCheckoutResponse>

export const PaymentRequest = z
  .object({
    merchant_payment_reference: MerchantReference.optional(),
    payment_method: PaymentMethod,
    payment_amount: RequestedMoney,
    payment_option: z.object({ upi_details: UpiDetails.optional() }).optional(),
  })
  .superRefine((p, ctx) => {
    const upi = p.payment_option?.upi_details
    if (p.payment_method === "UPI" && !upi) {
      ctx.addIssue({ code: "custom", path: ["payment_option", "upi_details"], message: "is required for UPI" })
    }
    if (upi?.txn_mode === "COLLECT" && !upi.payer?.vpa) {
      ctx.addIssue({
        code: "custom",
        path: ["payment_option", "upi_details", "payer", "vpa"],
        message: "is required for a UPI collect",
      })
    }
  })

export const CreatePaymentRequest = z.object({ payments: z.array(PaymentRequest).length(1) })
export type CreatePaymentRequest = z.infer<typeof CreatePaymentRequest>

/** Decision 6 (docs/decisions.md): seed 001's QR sample answers with this unwrapped shape instead of the order. */
export const QrPaymentResponse = z.object({
  payment_id: z.string(),
  status: z.string(),
  challenge_url: z.string().optional(),
  image_url: z.string(),
})
export type QrPaymentResponse = z.infer<typeof QrPaymentResponse>

export const CreatePaymentResponse = z.union([wrapped(Order), QrPaymentResponse])

export const CaptureRequest = z.object({
  merchant_capture_reference: MerchantReference,
  capture_amount: RequestedMoney.optional(),
})
export type CaptureRequest = z.infer<typeof CaptureRequest>

/** Decision 2 (docs/decisions.md): the docs' `order_amount`; Plural's own plugins send `refund_amount`, accepted as an alias. */
export const RefundRequest = z
  .object({
    merchant_order_reference: MerchantReference,
    order_amount: RequestedMoney.optional(),
    refund_amount: RequestedMoney.optional(),
    merchant_metadata: z.record(z.string(), z.string()).optional(),
  })
  .transform(({ refund_amount, ...r }) => ({ ...r, order_amount: r.order_amount ?? refund_amount }))
export type RefundRequest = z.input<typeof RefundRequest>

export const PointsCardDetails = z.object({
  card_last4: z.string().regex(/^\d{4}$/, "the last four digits"),
  card_number: z.string().regex(POINTS_CARD_NUMBER_PATTERN, "12 to 19 digits"),
  registered_mobile_number: z.string().regex(REGISTERED_MOBILE_PATTERN, "a 10-digit mobile number"),
})

export const PaymentOptionRequest = z.object({
  payment_option: z.object({ points_card_details: PointsCardDetails }),
  order_details: z.object({ order_amount: RequestedMoney }),
})
export type PaymentOptionRequest = z.infer<typeof PaymentOptionRequest>

export const PaymentOptionResponse = z.object({
  balance: Money,
  redeemable_amount: Money,
  redeemable_points: z.number(),
  is_eligible: z.boolean(),
})
export type PaymentOptionResponse = z.infer<typeof PaymentOptionResponse>

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string().optional(),
  additional_error_details: z.unknown().optional(),
  additionalErrorPayload: z.unknown().optional(),
})
export type ErrorBody = z.infer<typeof ErrorBody>

// ---- What Plural sends to the merchant --------------------------------------------------------------------------

/** Events the plugin acts on; any other `event_type` (customer, token, subscription…) is acknowledged and ignored. */
export const WebhookEvent = z.discriminatedUnion("event_type", [
  z.object({
    event_type: z.enum(["ORDER_AUTHORIZED", "ORDER_PROCESSED", "ORDER_CANCELLED", "ORDER_FAILED", "PAYMENT_FAILED"]),
    data: Order,
  }),
  z.object({ event_type: z.enum(["REFUND_PROCESSED", "REFUND_FAILED"]), data: RefundOrder }),
])
export type WebhookEvent = z.infer<typeof WebhookEvent>
export type WebhookEventType = WebhookEvent["event_type"]

/**
 * The browser return. Decision 3 (docs/decisions.md): the status arrives as `payment_status` (seeds' JSON) or `status` (their
 * signature example); both are kept verbatim because the signature covers every field that arrived.
 */
export const CallbackFields = z
  .record(z.string(), z.string())
  .refine((f) => typeof f.order_id === "string" && f.order_id.length > 0, { message: "order_id is required" })
  .refine((f) => typeof f.signature === "string" && f.signature.length > 0, { message: "signature is required" })
export type CallbackFields = z.infer<typeof CallbackFields>
