import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { PLURAL_WEBHOOK_RECEIVED, processPluralInboxEvent } from "../workflows/handle-plural-webhook"

/** Processes a Plural event the webhook route stored and acknowledged (on the worker, in a server/worker deployment). */
export default async function pluralWebhookReceived({ event, container }: SubscriberArgs<{ webhook_id: string }>) {
  await processPluralInboxEvent(container, event.data.webhook_id)
}

export const config: SubscriberConfig = {
  event: PLURAL_WEBHOOK_RECEIVED,
  context: { subscriberId: "plural-webhook-received" },
}
