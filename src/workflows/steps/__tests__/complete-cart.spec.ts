import { asValue } from "awilix"
import { ContainerRegistrationKeys, createMedusaContainer, Modules } from "@medusajs/framework/utils"
import { PLURAL_MODULE } from "../../../modules/plural"
import type { LedgerOrder } from "../../../modules/plural/types"
import type { Order } from "../../../plural"
import { completeCartPaidWithPlural } from "../settle-plural-order"
import { retryReturnSeconds } from "../schedule"

const cart = { complete: jest.fn<Promise<{ result: { id: string } }>, []>() }
const capture = { run: jest.fn<Promise<unknown>, []>() }
jest.mock("@medusajs/medusa/core-flows", () => ({
  completeCartWorkflow: () => ({ run: () => cart.complete() }),
  capturePaymentWorkflow: () => ({ run: () => capture.run() }),
}))

/** A paid, captured Plural order whose cart is being completed, and a Medusa payment not captured yet. */
function setup() {
  const updates: Record<string, unknown>[] = []
  const warnings: string[] = []
  const container = createMedusaContainer()
  container.register(PLURAL_MODULE, asValue({ updateOrder: async (_id: string, patch: Record<string, unknown>) => void updates.push(patch) }))
  container.register(Modules.PAYMENT, asValue({ listPayments: async () => [{ id: "pay_1", captured_at: null, canceled_at: null }] }))
  container.register(ContainerRegistrationKeys.LOGGER, asValue({ warn: (line: string) => void warnings.push(line) }))
  const row = { id: "plord_1", state: "paid", attempts: 0, session_id: "payses_1", medusa_order_id: null, last_error: null } as unknown as LedgerOrder
  const plural = { order_id: "v1-1", status: "PROCESSED" } as Order
  const settle = () => completeCartPaidWithPlural(container, { row, plural, context: { cart_id: "cart_1" } })
  return { settle, updates, warnings }
}

describe("completing the cart a Plural payment paid for", () => {
  beforeEach(() => {
    cart.complete.mockReset()
    capture.run.mockReset()
  })

  it("once the order exists, a capture Medusa failed to mirror keeps the order as owner, recorded for a retry — never a give-back", async () => {
    cart.complete.mockResolvedValue({ result: { id: "order_1" } })
    capture.run.mockRejectedValue(new Error("payment row locked"))
    const { settle, updates, warnings } = setup()
    await expect(settle()).resolves.toEqual({ order_id: "order_1" })
    expect(updates).toEqual([
      { state: "owned", medusa_order_id: "order_1" },
      { last_error: "capture not mirrored: payment row locked", attempts: 1, check_in_seconds: retryReturnSeconds(1) },
    ])
    expect(warnings.join("\n")).toContain("order_1")
  })

  it("a mirrored capture ends with the row owned and nothing left to check", async () => {
    cart.complete.mockResolvedValue({ result: { id: "order_1" } })
    capture.run.mockResolvedValue({})
    const { settle, updates } = setup()
    await expect(settle()).resolves.toEqual({ order_id: "order_1" })
    expect(updates.at(-1)).toEqual({ state: "owned", medusa_order_id: "order_1", last_error: null, check_in_seconds: null })
  })

  it("a cart that cannot become an order is answered as an error for the retry-or-give-back step, and nothing is owned", async () => {
    cart.complete.mockRejectedValue(new Error("out of stock"))
    const { settle, updates } = setup()
    await expect(settle()).resolves.toEqual({ error: "out of stock" })
    expect(updates).toEqual([])
    expect(capture.run).not.toHaveBeenCalled()
  })
})
