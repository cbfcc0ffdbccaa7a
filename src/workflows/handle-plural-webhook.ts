import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { WebhookEvent } from "../plural"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { processPluralWebhookWorkflow } from "./process-plural-webhook"

/** Emitted once a verified event is stored; the subscriber (on the worker, in a server/worker deployment) processes it. */
export const PLURAL_WEBHOOK_RECEIVED = "plural.webhook_received"

/** A failed event is retried by the plugin after 1, 2, 4… minutes, at most hourly: Plural itself retries only thrice. */
export const webhookRetrySeconds = (attempts: number) => Math.min(60 * 2 ** Math.max(0, attempts - 1), 60 * 60)

/**
 * A verified delivery, stored in the inbox by its `webhook-id` and queued for processing — all the webhook route
 * waits for, so Plural's delivery is acknowledged in milliseconds whatever the settlement costs. Nothing is lost if
 * the process dies right after: the job processes a stored event nobody picked up.
 */
export async function receivePluralWebhook(
  container: MedusaContainer,
  delivery: { webhook_id: string; event_type: string; event?: WebhookEvent }
): Promise<"stored" | "duplicate"> {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const { webhook_id, event } = delivery
  const stored = await inbox.receiveEvent({ webhook_id, event_type: delivery.event_type, plural_order_id: event?.data.order_id, payload: event })
  if (stored === "stored") {
    await container
      .resolve(Modules.EVENT_BUS)
      .emit({ name: PLURAL_WEBHOOK_RECEIVED, data: { webhook_id } })
      .catch((error: Error) =>
        container.resolve(ContainerRegistrationKeys.LOGGER).warn(`Plural webhook ${webhook_id} stored; the job will process it (${error.message})`)
      )
  }
  return stored
}

/**
 * Processes a stored event exactly once across instances (the subscriber and the job's retries race for it through
 * one conditional update) and records the outcome; a failure is scheduled for the plugin's own retry.
 */
export async function processPluralInboxEvent(container: MedusaContainer, webhookId: string): Promise<"processed" | "ignored" | "failed" | "skipped"> {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const claimed = await inbox.claimEvent(webhookId)
  if (!claimed) return "skipped"
  const event = claimed.payload as WebhookEvent
  try {
    const { result } = await processPluralWebhookWorkflow(container).run({ input: { event } })
    await inbox.finishEvent(webhookId, { status: result })
    return result
  } catch (error) {
    const message = (error as Error).message
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .error(`Plural webhook ${webhookId} (${claimed.event_type}) failed; the plugin retries it: ${message}`)
    await inbox.finishEvent(webhookId, { status: "failed", error: message, retry_in_seconds: webhookRetrySeconds(claimed.attempts) })
    return "failed"
  }
}
