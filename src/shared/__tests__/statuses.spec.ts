import { ORDER_STATUSES } from "../../plural/schemas"
import { CAPTURED_STATUSES, HELD_STATUSES, PAID_STATUSES, SESSION_STATUS_OF } from "../statuses"

describe("status mapping", () => {
  it.each([
    ["CREATED", "pending"],
    ["PENDING", "pending"],
    ["ATTEMPTED", "pending"],
    ["AUTHORIZED", "authorized"],
    ["PROCESSED", "captured"],
    // Refunded before the cart became an order: never authorizes the cart (no free order).
    ["PARTIALLY_REFUNDED", "canceled"],
    ["FULLY_REFUNDED", "canceled"],
    ["CANCELLED", "canceled"],
    ["FAILED", "error"],
  ] as const)("Plural order %s is a %s Medusa session", (plural, medusa) => {
    expect(SESSION_STATUS_OF[plural]).toBe(medusa)
  })

  it("covers every Plural order status, and nothing else", () => {
    expect(Object.keys(SESSION_STATUS_OF).sort()).toEqual([...ORDER_STATUSES].sort())
  })

  it("paid statuses are exactly those after which money was taken", () => {
    expect([...PAID_STATUSES].sort()).toEqual(["AUTHORIZED", "FULLY_REFUNDED", "PARTIALLY_REFUNDED", "PROCESSED"])
  })

  it("only statuses in which Plural holds the whole amount authorize a session", () => {
    expect([...HELD_STATUSES].sort()).toEqual(["AUTHORIZED", "PROCESSED"])
    for (const status of ORDER_STATUSES) {
      const session = SESSION_STATUS_OF[status]
      expect(HELD_STATUSES.has(status)).toBe(session === "authorized" || session === "captured")
    }
  })

  it("captured statuses are those after a capture, refunded ones included", () => {
    expect([...CAPTURED_STATUSES].sort()).toEqual(["FULLY_REFUNDED", "PARTIALLY_REFUNDED", "PROCESSED"])
  })
})
