import { asValue } from "awilix"
import { createMedusaContainer, MedusaError, Modules } from "@medusajs/framework/utils"
import { PLURAL_MODULE } from "../../../modules/plural"
import type { LedgerOrder } from "../../../modules/plural/types"
import { payOrderCollection } from "../settle-plural-order"
import { retryReturnSeconds } from "../schedule"

/** A ledger row that two earlier tries already failed on, and a payment module whose authorisation fails as told. */
function setup(authorize: () => Promise<unknown>) {
  const updates: Record<string, unknown>[] = []
  const container = createMedusaContainer()
  container.register(PLURAL_MODULE, asValue({ updateOrder: async (_id: string, patch: Record<string, unknown>) => void updates.push(patch) }))
  container.register(Modules.PAYMENT, asValue({ authorizePaymentSession: authorize }))
  const row = { id: "plord_1", attempts: 2 } as LedgerOrder
  const context = { session: { id: "payses_1" } as never, payment_collection_id: "paycol_1", order_id: "order_1" }
  return { pay: () => payOrderCollection(container, row, context), updates }
}

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
})
