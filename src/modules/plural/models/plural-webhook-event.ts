import { model } from "@medusajs/framework/utils"

/**
 * One Plural webhook delivery, by its `webhook-id`: the inbox that makes a redelivery a no-op. The verified event is
 * kept (`payload`): the route acknowledges once it is stored (`received`), processing happens asynchronously, and a
 * failed event is retried by the plugin itself — Plural retries only three times.
 */
export const PluralWebhookEvent = model
  .define("plural_webhook_event", {
    id: model.id({ prefix: "plwh" }).primaryKey(),
    webhook_id: model.text().unique(),
    event_type: model.text(),
    plural_order_id: model.text().nullable(),
    status: model.enum(["received", "processing", "processed", "failed", "ignored"]).default("received"),
    /** Processing attempts so far. */
    attempts: model.number().default(0),
    last_error: model.text().nullable(),
    payload: model.json().nullable(),
    next_attempt_at: model.dateTime().nullable(),
    processed_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["next_attempt_at"], where: "next_attempt_at IS NOT NULL" }])
