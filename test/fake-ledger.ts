/**
 * The ledger in memory, for unit tests of the provider: the same contract as the `plural` module's service (one
 * row per reference, claims that succeed once), without a database.
 */
import type { PluralLedger } from "../src/providers/plural/gateway"
import type { LedgerOrder, LedgerRefund, NewLedgerOrder, NewLedgerRefund, PointsConsent } from "../src/modules/plural/types"

export class FakeLedger implements PluralLedger {
  readonly orders: LedgerOrder[] = []
  readonly refunds: LedgerRefund[] = []
  readonly consents: PointsConsent[] = []
  /** Payment session id → its cart id: Medusa's cart ↔ payment collection link, as the real ledger joins it. */
  readonly sessionCarts = new Map<string, string>()

  async recordCreating(input: NewLedgerOrder): Promise<LedgerOrder> {
    const existing = this.orders.find((o) => o.merchant_order_reference === input.merchant_order_reference)
    if (existing) return existing
    const now = new Date()
    const row: LedgerOrder = {
      id: `plord_${this.orders.length + 1}`,
      merchant_order_reference: input.merchant_order_reference,
      plural_order_id: null,
      session_id: input.session_id,
      payment_collection_id: input.payment_collection_id ?? null,
      cart_id: null,
      medusa_order_id: null,
      amount: input.amount,
      currency_code: input.currency_code,
      flow: input.flow,
      pre_auth: input.pre_auth,
      plural_status: null,
      state: "creating",
      reason: null,
      last_error: null,
      attempts: 0,
      paid_at: null,
      checked_at: null,
      next_check_at: new Date(now.getTime() + input.check_after_seconds * 1000),
      expires_at: new Date(now.getTime() + input.expires_after_seconds * 1000),
      points_consent_id: input.points_consent_id ?? null,
      created_at: now,
      updated_at: now,
    }
    this.orders.push(row)
    return row
  }

  async recordCreated(input: { merchant_order_reference: string; plural_order_id: string; plural_status: string }): Promise<void> {
    const row = this.orders.find((o) => o.merchant_order_reference === input.merchant_order_reference)
    if (row) Object.assign(row, { plural_order_id: input.plural_order_id, plural_status: input.plural_status, state: "open" })
  }

  async findOrder(by: Record<string, string>): Promise<LedgerOrder | undefined> {
    const [key, value] = Object.entries(by)[0]
    return this.orders.find((o) => (o as unknown as Record<string, unknown>)[key] === value)
  }

  async updateOrder(id: string, patch: Partial<LedgerOrder> & { check_in_seconds?: number | null }): Promise<void> {
    const { check_in_seconds: _schedule, ...fields } = patch
    const row = this.orders.find((o) => o.id === id)
    if (row) Object.assign(row, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)))
  }

  async recordRefundRequest(input: NewLedgerRefund): Promise<{ refund: LedgerRefund; created: boolean }> {
    const existing = this.refunds.find((r) => r.reference === input.reference)
    if (existing) return { refund: existing, created: false }
    const now = new Date()
    const refund: LedgerRefund = {
      id: `plref_${this.refunds.length + 1}`,
      plural_refund_id: input.plural_refund_id ?? null,
      medusa_refund_id: input.medusa_refund_id ?? null,
      status: input.status ?? "requested",
      reported_error: false,
      last_error: null,
      recording_until: null,
      created_at: now,
      updated_at: now,
      plural_order_id: input.plural_order_id,
      reference: input.reference,
      amount: input.amount,
      currency_code: input.currency_code,
      source: input.source,
    }
    this.refunds.push(refund)
    return { refund, created: true }
  }

  async updateRefund(reference: string, patch: Partial<LedgerRefund>): Promise<void> {
    const row = this.refunds.find((r) => r.reference === reference)
    if (row) Object.assign(row, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)))
  }

  async unresolvedRefunds(pluralOrderId?: string): Promise<LedgerRefund[]> {
    return this.refunds.filter((r) => (!pluralOrderId || r.plural_order_id === pluralOrderId) && r.status === "unknown")
  }

  async refundBeingRecorded(pluralOrderId: string, amount: number): Promise<LedgerRefund | undefined> {
    const now = Date.now()
    return this.refunds.find((r) => r.plural_order_id === pluralOrderId && r.amount === amount && r.recording_until && r.recording_until.getTime() > now)
  }

  async claimRefund(
    input: { plural_order_id: string; medusa_refund_id: string } & ({ reference: string } | { amount: number })
  ): Promise<LedgerRefund | undefined> {
    const row = this.refunds.find(
      (r) =>
        r.plural_order_id === input.plural_order_id &&
        !r.medusa_refund_id &&
        (r.status === "processed" || r.status === "pending") &&
        ("reference" in input ? r.reference === input.reference : r.amount === input.amount && r.source === "medusa" && r.reported_error)
    )
    if (row) row.medusa_refund_id = input.medusa_refund_id
    return row
  }

  /** Stores a consent for `cartId`, as the store's consent route does, and returns it. */
  addConsent(cartId: string, customerId: string | null = null): PointsConsent {
    const now = new Date()
    const consent: PointsConsent = {
      id: `plcon_${this.consents.length + 1}`,
      cart_id: cartId,
      customer_id: customerId,
      text_version: "v1",
      text: "I agree",
      consented_at: now,
      session_id: null,
      merchant_order_reference: null,
      plural_order_id: null,
      created_at: now,
      updated_at: now,
    }
    this.consents.push(consent)
    return consent
  }

  async pointsConsentForSession(consentId: string, sessionId: string): Promise<PointsConsent | undefined> {
    return this.consents.find((c) => c.id === consentId && c.cart_id === this.sessionCarts.get(sessionId))
  }

  async linkPointsConsent(consentId: string, order: { session_id: string; merchant_order_reference: string; plural_order_id: string }): Promise<void> {
    const consent = this.consents.find((c) => c.id === consentId)
    if (consent) Object.assign(consent, order)
  }
}
