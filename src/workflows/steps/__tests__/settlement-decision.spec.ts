import type { Order } from "../../../plural"
import type { LedgerOrder } from "../../../modules/plural/types"
import type { SessionContext } from "../session-context"
import { decideSettlement, isSettledAt } from "../settlement-decision"
import { SHOPPER_MESSAGES } from "../shopper-messages"

const now = new Date("2026-12-01T10:00:00Z")
const later = new Date("2026-12-01T11:00:00Z")
const earlier = new Date("2026-12-01T09:00:00Z")

const row = (patch: Partial<LedgerOrder> = {}): LedgerOrder => ({
  id: "plord_1",
  merchant_order_reference: "ref-1",
  plural_order_id: "v1-ord-1",
  session_id: "payses_1",
  payment_collection_id: "paycol_1",
  cart_id: "cart_1",
  medusa_order_id: null,
  amount: 10000,
  currency_code: "inr",
  flow: "hosted",
  pre_auth: false,
  plural_status: "CREATED",
  state: "open",
  reason: null,
  last_error: null,
  attempts: 0,
  paid_at: null,
  checked_at: null,
  next_check_at: null,
  expires_at: later,
  points_consent_id: null,
  created_at: earlier,
  updated_at: earlier,
  ...patch,
})

const plural = (status: Order["status"], patch: Partial<Order> = {}): Order =>
  ({ order_id: "v1-ord-1", merchant_order_reference: "ref-1", type: "CHARGE", status, order_amount: { value: 10000, currency: "INR" }, payments: [], ...patch }) as Order

const session = (patch: Partial<NonNullable<SessionContext["session"]>> = {}): NonNullable<SessionContext["session"]> => ({
  id: "payses_1",
  status: "pending",
  amount: 100,
  currency_code: "inr",
  data: { plural_order_id: "v1-ord-1", amount: 10000, currency_code: "inr" } as never,
  payment: null,
  ...patch,
})

const cartContext = (patch: Partial<SessionContext> = {}): SessionContext => ({ session: session(), payment_collection_id: "paycol_1", cart_id: "cart_1", ...patch })

describe("what a settlement does", () => {
  it("answers from the ledger when Plural was not read: settled at the observed status, or throttled", () => {
    expect(decideSettlement({ row: row({ state: "owned", medusa_order_id: "order_1" }), now })).toEqual({
      action: "answer",
      result: { status: "completed", cart_id: "cart_1", order_id: "order_1" },
    })
    expect(decideSettlement({ row: row({ cart_id: null }), context: cartContext({ cart_id: "cart_2" }), now })).toEqual({
      action: "answer",
      result: { status: "pending", cart_id: "cart_2" },
    })
  })

  it("answers from the ledger for money already given back, whatever Plural says", () => {
    const decision = decideSettlement({ row: row({ state: "refunded" }), context: cartContext(), plural: plural("PROCESSED"), now })
    expect(decision).toEqual({ action: "answer", result: { status: "refunded", cart_id: "cart_1", code: "REFUNDED", reason: SHOPPER_MESSAGES.refunded } })
  })

  it("keeps waiting for an unpaid order, showing the last failed try", () => {
    const attempted = plural("ATTEMPTED", { payments: [{ error_detail: { code: "DECLINED", message: "Card declined" } }] as never })
    expect(decideSettlement({ row: row(), context: cartContext(), plural: attempted, now })).toEqual({
      action: "keep-waiting",
      result: { status: "pending", cart_id: "cart_1", last_attempt: { code: "DECLINED", reason: "Card declined" } },
    })
  })

  it("expires an unpaid order past its expiry, marking the shopper's session only when it is the current checkout", () => {
    const expired = row({ expires_at: earlier })
    const result = { status: "failed", cart_id: "cart_1", code: "EXPIRED", reason: SHOPPER_MESSAGES.expired }
    const close = { state: "closed", reason: "Plural never reported it paid before it expired" }
    expect(decideSettlement({ row: expired, context: cartContext(), plural: plural("CREATED"), now })).toEqual({
      action: "expire",
      close,
      mark_session: { failure: { code: "EXPIRED", message: SHOPPER_MESSAGES.expired }, status: "canceled" },
      result,
    })
    const replaced = cartContext({ session: session({ data: { plural_order_id: "v1-ord-2", amount: 10000 } as never }) })
    expect(decideSettlement({ row: expired, context: replaced, plural: plural("CREATED"), now })).toMatchObject({ action: "expire", mark_session: undefined, result })
  })

  it("closes a failed order with Plural's reason, or releases one whose money was being given back", () => {
    const failed = plural("FAILED", { payments: [{ error_detail: { code: "RISK", message: "Blocked by risk" } }] as never })
    expect(decideSettlement({ row: row(), context: cartContext(), plural: failed, now })).toEqual({
      action: "fail",
      close: { state: "closed", reason: "Blocked by risk" },
      mark_session: { failure: { code: "RISK", message: "Blocked by risk" }, status: "error" },
      result: { status: "failed", cart_id: "cart_1", code: "RISK", reason: "Blocked by risk" },
    })
    expect(decideSettlement({ row: row({ state: "returning", reason: "cart gone" }), context: cartContext(), plural: plural("CANCELLED"), now })).toEqual({
      action: "fail",
      close: { state: "released", reason: "cart gone" },
      result: { status: "refunded", cart_id: "cart_1", code: "RELEASED", reason: SHOPPER_MESSAGES.released },
    })
  })

  it("completes the cart a paid order belongs to, recording when it was first seen paid", () => {
    expect(decideSettlement({ row: row(), context: cartContext(), plural: plural("PROCESSED"), now })).toEqual({ action: "complete-cart", current: true, record_paid: true })
    expect(decideSettlement({ row: row({ state: "paid", paid_at: earlier }), context: cartContext(), plural: plural("AUTHORIZED"), now })).toEqual({
      action: "complete-cart",
      current: true,
      record_paid: false,
    })
  })

  it("owns an order the cart already became with this payment, and an owned row again", () => {
    const made = cartContext({ order_id: "order_1", session: session({ payment: { id: "pay_1" } }) })
    expect(decideSettlement({ row: row(), context: made, plural: plural("PROCESSED"), now })).toEqual({
      action: "own",
      order_id: "order_1",
      result: { status: "completed", cart_id: "cart_1", order_id: "order_1" },
    })
    expect(decideSettlement({ row: row({ state: "owned", medusa_order_id: "order_1" }), context: cartContext(), plural: plural("PARTIALLY_REFUNDED"), now })).toMatchObject({
      action: "own",
      order_id: "order_1",
    })
  })

  it("gives the money back when no Medusa order may hold it", () => {
    const giveBack = (context: SessionContext, order = plural("PROCESSED")) => decideSettlement({ row: row(), context, plural: order, now })
    expect(giveBack(cartContext(), plural("PARTIALLY_REFUNDED"))).toMatchObject({ action: "give-back", reason: "Plural shows it PARTIALLY_REFUNDED before any Medusa order held it" })
    expect(giveBack(cartContext({ session: undefined }))).toMatchObject({ action: "give-back", current: false, record_paid: true })
    expect(giveBack(cartContext({ session: session({ data: { plural_order_id: "v1-ord-2", amount: 10000 } as never }) }))).toMatchObject({
      action: "give-back",
      reason: "the cart's checkout was replaced by a newer one after this payment started",
    })
    expect(giveBack(cartContext(), plural("PROCESSED", { order_amount: { value: 9000, currency: "INR" } }))).toMatchObject({
      action: "give-back",
      reason: "Plural reports 9000 INR but the session expects 10000 INR",
    })
    expect(giveBack(cartContext({ order_id: "order_9" }))).toMatchObject({ action: "give-back", reason: "the cart already became order order_9 with another payment" })
  })

  it("pays what an order owes through its link, unless the order changed or was paid another way", () => {
    const link = (collection: SessionContext["collection"], patch: Partial<SessionContext> = {}) =>
      decideSettlement({ row: row({ cart_id: null }), context: { session: session(), payment_collection_id: "paycol_1", order_id: "order_1", collection, ...patch }, plural: plural("PROCESSED"), now })
    expect(link({ status: "not_paid", amount: 10000, order_status: "pending" })).toEqual({ action: "pay-order-collection", record_paid: true })
    expect(link({ status: "not_paid", amount: 12000, order_status: "pending" })).toMatchObject({ action: "give-back", reason: expect.stringContaining("order order_1 now owes") })
    expect(link({ status: "completed", amount: 10000, order_status: "pending" })).toMatchObject({ action: "give-back", reason: "order order_1's payment collection is completed: it was paid another way" })
    expect(link({ status: "not_paid", amount: 10000, order_status: "canceled" })).toMatchObject({ action: "give-back", reason: "order order_1 was canceled" })
    // Authorized there before and not yet recorded as paid: finished, not given back.
    expect(link({ status: "authorized", amount: 10000, order_status: "pending" }, { session: session({ payment: { id: "pay_1" } }) })).toEqual({
      action: "pay-order-collection",
      record_paid: false,
    })
  })

  it("pays a cart's order that Medusa made but never paid (the process died before authorising), never gives it back", () => {
    // Loaded only in that case: the cart became an order, and the current session has no payment.
    const unpaidOrder = (collection: SessionContext["collection"], order = plural("AUTHORIZED")) =>
      decideSettlement({ row: row(), context: cartContext({ order_id: "order_1", collection }), plural: order, now })
    expect(unpaidOrder({ status: "not_paid", amount: 10000, order_status: "pending" })).toEqual({ action: "pay-order-collection", record_paid: true })
    expect(unpaidOrder({ status: "not_paid", amount: 10000, order_status: "pending" }, plural("PROCESSED"))).toEqual({ action: "pay-order-collection", record_paid: true })
    // Its order canceled meanwhile, or paid another way: the money goes back.
    expect(unpaidOrder({ status: "not_paid", amount: 10000, order_status: "canceled" })).toMatchObject({ action: "give-back", reason: "order order_1 was canceled" })
    expect(unpaidOrder({ status: "authorized", amount: 10000, order_status: "pending" })).toMatchObject({ action: "give-back", reason: expect.stringContaining("paid another way") })
  })
})

describe("whether the ledger already settled an order at a reported status", () => {
  it("only for a settled row at that very status and without an error to mirror", () => {
    expect(isSettledAt({ state: "owned", plural_status: "PROCESSED", last_error: null }, "PROCESSED")).toBe(true)
    expect(isSettledAt({ state: "owned", plural_status: "AUTHORIZED", last_error: null }, "PROCESSED")).toBe(false)
    expect(isSettledAt({ state: "owned", plural_status: "PROCESSED", last_error: "capture not mirrored" }, "PROCESSED")).toBe(false)
    expect(isSettledAt({ state: "paid", plural_status: "PROCESSED", last_error: null }, "PROCESSED")).toBe(false)
    expect(isSettledAt({ state: "closed", plural_status: "FAILED", last_error: null }, undefined)).toBe(false)
  })
})
