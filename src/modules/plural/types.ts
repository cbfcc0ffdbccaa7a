/** The ledger's rows as the rest of the plugin reads them (plain SQL rows: dates are Date, amounts integer paise). */
export type LedgerState = "creating" | "open" | "paid" | "owned" | "returning" | "released" | "refunded" | "closed"
export type RefundStatus = "requested" | "processed" | "pending" | "failed" | "not_made" | "unknown"
export type RefundSource = "medusa" | "automatic" | "plural"

export type LedgerOrder = {
  id: string
  merchant_order_reference: string
  plural_order_id: string | null
  session_id: string
  payment_collection_id: string | null
  cart_id: string | null
  medusa_order_id: string | null
  amount: number
  currency_code: string
  flow: string
  pre_auth: boolean
  plural_status: string | null
  state: LedgerState
  reason: string | null
  last_error: string | null
  attempts: number
  paid_at: Date | null
  checked_at: Date | null
  next_check_at: Date | null
  expires_at: Date | null
  points_consent_id: string | null
  created_at: Date
  updated_at: Date
}

export type NewLedgerOrder = {
  merchant_order_reference: string
  session_id: string
  payment_collection_id?: string | null
  amount: number
  currency_code: string
  flow: string
  pre_auth: boolean
  /** When the job should first look, should nobody else (Plural never answered the create call, say). */
  check_after_seconds: number
  expires_after_seconds: number
  /** Set when the order offers POINTS: the stored consent it offers them under. */
  points_consent_id?: string | null
}

export type LedgerRefund = {
  id: string
  plural_order_id: string
  reference: string
  plural_refund_id: string | null
  amount: number
  currency_code: string
  source: RefundSource
  status: RefundStatus
  medusa_refund_id: string | null
  reported_error: boolean
  last_error: string | null
  recording_until: Date | null
  created_at: Date
  updated_at: Date
}

export type NewLedgerRefund = {
  plural_order_id: string
  reference: string
  amount: number
  currency_code: string
  source: RefundSource
  status?: RefundStatus
  plural_refund_id?: string | null
  medusa_refund_id?: string | null
}

/** A shopper's stored pay-by-points consent (see the `plural_points_consent` model). */
export type PointsConsent = {
  id: string
  cart_id: string
  customer_id: string | null
  text_version: string
  text: string
  consented_at: Date
  session_id: string | null
  merchant_order_reference: string | null
  plural_order_id: string | null
  created_at: Date
  updated_at: Date
}

export type NewPointsConsent = Pick<PointsConsent, "cart_id" | "customer_id" | "text_version" | "text">

/** A consent as the admin lists it: with the Medusa order its Plural order became, when there is one. */
export type PointsConsentRow = PointsConsent & { order_id: string | null }

export type PointsConsentFilter = { cart_id?: string; customer_id?: string; order_id?: string; plural_order_id?: string }
