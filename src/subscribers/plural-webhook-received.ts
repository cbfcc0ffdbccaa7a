import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { concurrencyLimit } from "../utils/concurrency-limit"
import { PLURAL_WEBHOOK_RECEIVED, processPluralWebhookWorkflow } from "../workflows/process-plural-webhook"

/**
 * A burst of events must not take every database connection from the requests acknowledging the next ones: a few are
 * processed at a time per process (Medusa's local event bus would start them all at once).
 */
const processing = concurrencyLimit(4)

/** Processes a Plural event the webhook route stored and acknowledged (on the worker, in a server/worker deployment). */
export default async function pluralWebhookReceived({ event, container }: SubscriberArgs<{ webhook_id: string }>) {
  await processing(() => processPluralWebhookWorkflow(container).run({ input: { webhook_id: event.data.webhook_id } }))
}

export const config: SubscriberConfig = {
  event: PLURAL_WEBHOOK_RECEIVED,
  context: { subscriberId: "plural-webhook-received" },
}
