/**
 * The admin widgets' one shared module: the plugin's admin routes through Medusa's JS SDK (session auth, the
 * dashboard's own cookie), their response types, and exact money formatting.
 */
import Medusa from "@medusajs/js-sdk"
import type {
  CheckoutFlow,
  OrderStatus,
  PluralException,
  PluralExceptionKind,
  PluralExceptionList,
  PluralOrderView,
  PluralPaymentLink,
  PluralPaymentView,
  PointsBalance,
  PointsConsentList,
  PointsConsentRecord,
  ReconcileSummary,
} from "../../shared"

export type {
  PluralException,
  PluralExceptionKind,
  PluralOrderView,
  PluralPaymentLink,
  PluralPaymentView,
  PointsBalance,
  PointsConsentRecord,
  ReconcileSummary,
}

export const sdk = new Medusa({
  baseUrl: import.meta.env.VITE_BACKEND_URL || "/",
  auth: { type: "session" },
})

export type PointsConsentFilter = { order_id?: string; customer_id?: string; cart_id?: string }

export const pluralApi = {
  orderView: (orderId: string) =>
    sdk.client.fetch<PluralOrderView>(`/admin/plural/orders/${encodeURIComponent(orderId)}`),
  sync: (orderId: string) =>
    sdk.client.fetch<PluralOrderView>(`/admin/plural/orders/${encodeURIComponent(orderId)}/sync`, { method: "POST" }),
  /** Medusa's own capture route: it calls the provider, which captures in Plural. */
  capture: (paymentId: string) =>
    sdk.client.fetch<unknown>(`/admin/payments/${encodeURIComponent(paymentId)}/capture`, { method: "POST", body: {} }),
  release: (paymentId: string) =>
    sdk.client.fetch<{ payment: { id: string; canceled_at: string | null } }>(
      `/admin/plural/payments/${encodeURIComponent(paymentId)}/cancel`,
      { method: "POST" }
    ),
  /** Newest first. */
  exceptions: (query: { kind?: PluralExceptionKind; limit: number; offset: number }) =>
    sdk.client.fetch<PluralExceptionList>("/admin/plural/exceptions", { query }),
  /** Runs the reconciliation job now, rather than waiting for its schedule. */
  reconcile: () =>
    sdk.client.fetch<{ summary: ReconcileSummary }>("/admin/plural/reconcile", { method: "POST" }),
  /** The Plural link for what the order still owes: the same link again while it can still pay that amount. */
  paymentLink: (orderId: string) =>
    sdk.client.fetch<{ payment_link: PluralPaymentLink }>(`/admin/plural/orders/${encodeURIComponent(orderId)}/payment-link`, {
      method: "POST",
    }),
  pointsBalance: (body: { card_number: string; registered_mobile_number: string; amount: number; currency_code?: string }) =>
    sdk.client.fetch<PointsBalance>("/admin/plural/points-balance", { method: "POST", body }),
  /** Newest first. */
  pointsConsents: (query: PointsConsentFilter & { limit: number; offset: number }) =>
    sdk.client.fetch<PointsConsentList>("/admin/plural/points-consents", { query }),
}

/** The CSV download of the consents matching `filter` (the dashboard's session cookie authenticates it). */
export function pointsConsentsCsvUrl(filter: PointsConsentFilter): string {
  const base = String(import.meta.env.VITE_BACKEND_URL || "").replace(/\/+$/, "")
  const query = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => Boolean(entry[1])))
  return `${base}/admin/plural/points-consents/export${query.size ? `?${query}` : ""}`
}

/** The message Medusa sent back (`{ message }`), else the error's own. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return "Something went wrong; try again."
}

const SYMBOLS: Record<string, string> = { INR: "₹", USD: "$", EUR: "€", GBP: "£" }

function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

function groupDigits(integer: string, currency: string): string {
  // en-IN groups lakhs and crores (1,23,45,678); BigInt keeps every digit exact.
  return new Intl.NumberFormat(currency === "INR" ? "en-IN" : "en-US").format(BigInt(integer))
}

function withSymbol(negative: boolean, number: string, currency: string): string {
  const symbol = SYMBOLS[currency]
  return `${negative ? "−" : ""}${symbol ?? `${currency} `}${number}`
}

/**
 * Integer minor units (e.g. 49950 paise) → "₹499.50", by string arithmetic only: no division, so no float
 * surprises however large the amount.
 */
export function formatMinor(value: number | string, currency = "INR"): string {
  const code = currency.toUpperCase()
  const text = String(value).trim()
  if (!/^-?\d+$/.test(text)) return `${text} ${code}`
  const negative = text.startsWith("-")
  const digits = fractionDigits(code)
  const padded = text.replace("-", "").padStart(digits + 1, "0")
  const integer = padded.slice(0, padded.length - digits)
  const fraction = digits ? `.${padded.slice(-digits)}` : ""
  return withSymbol(negative, groupDigits(integer, code) + fraction, code)
}

/** An amount in the main unit (rupees, as Medusa keeps it) → "₹35.00". */
export function formatMajor(value: number, currency = "INR"): string {
  const code = currency.toUpperCase()
  const digits = fractionDigits(code)
  const number = new Intl.NumberFormat(code === "INR" ? "en-IN" : "en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Math.abs(value))
  return withSymbol(value < 0, number, code)
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—"
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat("en-IN", { dateStyle: "medium", timeStyle: "short" }).format(date)
}

export type BadgeColor = "green" | "red" | "blue" | "orange" | "grey" | "purple"

export const STATUS_COLORS: Record<OrderStatus, BadgeColor> = {
  CREATED: "grey",
  PENDING: "orange",
  ATTEMPTED: "orange",
  AUTHORIZED: "blue",
  PROCESSED: "green",
  CANCELLED: "grey",
  FAILED: "red",
  PARTIALLY_REFUNDED: "purple",
  FULLY_REFUNDED: "purple",
}

export const REFUND_COLORS: Record<string, BadgeColor> = {
  CREATED: "grey",
  PENDING: "orange",
  PROCESSED: "green",
  FAILED: "red",
}

/** "PARTIALLY_REFUNDED" → "Partially refunded". */
export function humanize(status: string): string {
  const text = status.replace(/_/g, " ").toLowerCase()
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * Each exception kind's one label and colour, for the Plural page and the order widget alike. Red wants the
 * merchant; orange is money the plugin is still placing; purple and grey were settled by the plugin itself.
 * In this order, most urgent first, the page lists them.
 */
export const EXCEPTION_BADGES: Record<PluralExceptionKind, { label: string; color: BadgeColor }> = {
  refund_failed: { label: "Refund failed", color: "red" },
  refund_unknown: { label: "Refund unconfirmed", color: "red" },
  webhook_failing: { label: "Webhook failing", color: "red" },
  paid_without_order: { label: "Paid, no order", color: "orange" },
  refunded_automatically: { label: "Refunded automatically", color: "purple" },
  released_automatically: { label: "Released automatically", color: "grey" },
}

/** A kind this build does not know yet still shows, in grey, under its own name. */
export function exceptionKind(kind: string): { label: string; color: BadgeColor } {
  return EXCEPTION_BADGES[kind as PluralExceptionKind] ?? { label: humanize(kind), color: "grey" }
}

export function formatExceptionAmount(exception: PluralException): string {
  return exception.amount === null ? "—" : formatMinor(exception.amount, exception.currency_code ?? "INR")
}

export const FLOW_LABELS: Record<CheckoutFlow, string> = {
  hosted: "Hosted checkout",
  upi_intent: "UPI intent",
  upi_collect: "UPI collect",
  upi_qr: "UPI QR",
}

/** How the shopper paid: "VISA credit •••• 1112", "UPI", or the flow when Plural has no attempt yet. */
export function describeMethod(payment: PluralPaymentView): string {
  const { card, payment_method } = payment.plural
  if (card && (card.network || card.last4)) {
    const name = [card.network, card.type?.toLowerCase()].filter(Boolean).join(" ") || "Card"
    return card.last4 ? `${name} •••• ${card.last4}` : name
  }
  if (payment_method) return payment_method.toUpperCase().startsWith("UPI") ? "UPI" : humanize(payment_method)
  return FLOW_LABELS[payment.flow] ?? payment.flow
}
