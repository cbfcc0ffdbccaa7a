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
