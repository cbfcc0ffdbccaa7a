import { asValue } from "awilix"
import { createMedusaContainer, MedusaError, Modules } from "@medusajs/framework/utils"
import { PLURAL_MODULE } from "../../../modules/plural"
import type { LedgerOrder } from "../../../modules/plural/types"
import type { OrderStatus } from "../../../plural"
import { payOrderCollection } from "../settle-plural-order"
import { retryReturnSeconds } from "../schedule"

const captures = { run: jest.fn<Promise<unknown>, []>() }
jest.mock("@medusajs/medusa/core-flows", () => ({ capturePaymentWorkflow: () => ({ run: () => captures.run() }) }))

/** A ledger row that two earlier tries already failed on, and a payment module whose authorisation answers as told. */
function setup(authorize: () => Promise<unknown>, options: { cart_id?: string; status?: OrderStatus; completedMeanwhile?: boolean } = {}) {
  const updates: Record<string, unknown>[] = []
  const locks: string[] = []
  const container = createMedusaContainer()
  container.register(PLURAL_MODULE, asValue({ updateOrder: async (_id: string, patch: Record<string, unknown>) => void updates.push(patch) }))
  container.register(
    Modules.PAYMENT,
    asValue({
      authorizePaymentSession: authorize,
      // What the session looks like once the lock is held: paid by Medusa's own cart completion, or not.
      listPaymentSessions: async () => [{ id: "payses_1", payment: options.completedMeanwhile ? { id: "pay_1" } : null }],
      listPayments: async () => [{ id: "pay_1", captured_at: new Date(), canceled_at: null }],
    })
  )
  container.register(Modules.LOCKING, asValue({ execute: async (key: string, job: () => Promise<unknown>) => (locks.push(key), job()) }))
  const row = { id: "plord_1", attempts: 2, state: "paid", medusa_order_id: null, last_error: null } as unknown as LedgerOrder
  const context = { session: { id: "payses_1" } as never, payment_collection_id: "paycol_1", order_id: "order_1", cart_id: options.cart_id }
  return { pay: () => payOrderCollection(container, row, context, { status: options.status ?? "PROCESSED" }), updates, locks }
}

beforeEach(() => captures.run.mockReset().mockResolvedValue({}))

describe("paying an order's collection through a Plural link", () => {
  it("records a failed authorisation on the ledger with a next check, and still fails", async () => {
    const { pay, updates } = setup(async () => {
      throw new Error("session is not payable")
    })
    await expect(pay()).rejects.toThrow("session is not payable")
    expect(updates).toEqual([{ last_error: "order collection not paid: session is not payable", attempts: 3, check_in_seconds: retryReturnSeconds(3) }])
  })

  it("records an authorisation that answered no payment the same way", async () => {
    const { pay, updates } = setup(async () => undefined)
    await expect(pay()).rejects.toMatchObject({ type: MedusaError.Types.UNEXPECTED_STATE })
    expect(updates).toEqual([{ last_error: "order collection not paid: Payment session payses_1 was not authorized", attempts: 3, check_in_seconds: retryReturnSeconds(3) }])
  })

  it("a link's payment is captured on the order's collection, and the answer names the collection", async () => {
    const { pay, updates } = setup(async () => ({ id: "pay_1" }), { status: "AUTHORIZED" })
    await expect(pay()).resolves.toEqual({ status: "completed", order_id: "order_1", payment_collection_id: "paycol_1" })
    expect(captures.run).toHaveBeenCalledTimes(1)
    expect(updates).toEqual([{ state: "owned", medusa_order_id: "order_1", last_error: null, check_in_seconds: null }])
  })
})

describe("a cart's order that Medusa made but never paid (the process died before it authorised the session)", () => {
  it("gets the payment Plural holds, under the lock Medusa's cart completion takes; a pre-authorisation stays for the merchant", async () => {
    const authorize = jest.fn(async () => ({ id: "pay_1" }))
    const { pay, updates, locks } = setup(authorize, { cart_id: "cart_1", status: "AUTHORIZED" })
    await expect(pay()).resolves.toEqual({ status: "completed", cart_id: "cart_1", order_id: "order_1" })
    expect(locks).toEqual(["cart_1"])
    expect(authorize).toHaveBeenCalledTimes(1)
    expect(captures.run).not.toHaveBeenCalled()
    expect(updates).toEqual([{ state: "owned", medusa_order_id: "order_1", last_error: null, check_in_seconds: null }])
  })

  it("a cart completion that finished while it waited for the lock left its payment: owned as it is, never authorised twice", async () => {
    const authorize = jest.fn(async () => ({ id: "pay_2" }))
    const { pay, updates } = setup(authorize, { cart_id: "cart_1", status: "PROCESSED", completedMeanwhile: true })
    await expect(pay()).resolves.toEqual({ status: "completed", cart_id: "cart_1", order_id: "order_1" })
    expect(authorize).not.toHaveBeenCalled()
    expect(captures.run).not.toHaveBeenCalled()
    expect(updates).toEqual([{ state: "owned", medusa_order_id: "order_1", last_error: null, check_in_seconds: null }])
  })

  it("a payment Plural captured is recorded as captured on the order", async () => {
    const { pay } = setup(async () => ({ id: "pay_1" }), { cart_id: "cart_1", status: "PROCESSED" })
    await expect(pay()).resolves.toMatchObject({ status: "completed", order_id: "order_1" })
    expect(captures.run).toHaveBeenCalledTimes(1)
  })
})
