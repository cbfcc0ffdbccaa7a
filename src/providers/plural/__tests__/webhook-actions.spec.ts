import { WebhookEvent } from "../../../plural/schemas"
import { WEBHOOK_ACTION_OF } from "../webhook-actions"

describe("webhook actions for Medusa's built-in route", () => {
  it.each([
    ["ORDER_AUTHORIZED", "authorized"],
    ["ORDER_PROCESSED", "captured"],
    ["ORDER_FAILED", "failed"],
    ["PAYMENT_FAILED", "failed"],
    ["ORDER_CANCELLED", "canceled"],
    ["REFUND_PROCESSED", "not_supported"],
    ["REFUND_FAILED", "not_supported"],
  ] as const)("webhook %s is Medusa action %s", (event, action) => {
    expect(WEBHOOK_ACTION_OF[event]).toBe(action)
  })

  it("covers every webhook event type", () => {
    // Every event type the schema parses, read from the schema itself.
    const eventTypes = WebhookEvent.options.flatMap((option) => option.shape.event_type.options)
    expect(Object.keys(WEBHOOK_ACTION_OF).sort()).toEqual([...eventTypes].sort())
  })
})
