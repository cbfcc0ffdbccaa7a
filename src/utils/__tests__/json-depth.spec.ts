import { nestsDeeperThan } from "../json-depth"

const nested = (depth: number): unknown => {
  let value: unknown = "leaf"
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { next: value }
  return value
}

describe("nestsDeeperThan", () => {
  it("counts objects and arrays, not scalars", () => {
    expect(nestsDeeperThan("text", 0)).toBe(false)
    expect(nestsDeeperThan(null, 0)).toBe(false)
    expect(nestsDeeperThan({}, 0)).toBe(true)
    expect(nestsDeeperThan({}, 1)).toBe(false)
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false)
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true)
  })

  it("accepts a Plural event and refuses one nested thousands deep without overflowing the stack", () => {
    const event = { event_type: "ORDER_PROCESSED", data: { order_id: "v1-1", payments: [{ payment_option: { card_data: { last4: "1111" } } }] } }
    expect(nestsDeeperThan(event, 32)).toBe(false)
    expect(() => JSON.stringify(nested(200_000))).toThrow(RangeError)
    expect(nestsDeeperThan(nested(200_000), 32)).toBe(true)
    expect(nestsDeeperThan({ wide: Array.from({ length: 10_000 }, () => ({ a: [1] })) }, 32)).toBe(false)
  })
})
