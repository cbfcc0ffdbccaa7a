import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { WebhookEvent } from "../plural"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { processPluralWebhookWorkflow } from "./process-plural-webhook"

export type DeliveryOutcome = "processed" | "ignored" | "duplicate" | "busy" | "failed"

/** A failed event is retried by the plugin after 1, 2, 4… minutes, at most hourly: Plural itself retries only thrice. */
export const webhookRetrySeconds = (attempts: number) => Math.min(60 * 2 ** Math.max(0, attempts - 1), 60 * 60)

/**
 * One delivery of a verified event through the inbox: claimed by its `webhook-id` (stored with the event, so the
 * plugin can retry it), processed, and finished — exactly once across instances and redeliveries. Used by the
 * webhook route and by the job's retry of failed events.
 */
export async function handlePluralWebhook(
  container: MedusaContainer,
  delivery: { webhook_id: string; event_type: string; event?: WebhookEvent }
): Promise<DeliveryOutcome> {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const { webhook_id, event } = delivery
  const claim = await inbox.claimEvent({ webhook_id, event_type: delivery.event_type, plural_order_id: event?.data.order_id, payload: event })
  if (claim !== "claimed") return claim
  if (!event) {
    await inbox.finishEvent(webhook_id, { status: "ignored" })
    return "ignored"
  }
  try {
    const { result } = await processPluralWebhookWorkflow(container).run({ input: { event } })
    await inbox.finishEvent(webhook_id, { status: result })
    return result
  } catch (error) {
    const [row] = await inbox.listPluralWebhookEvents({ webhook_id }, { select: ["attempts"] })
    const message = (error as Error).message
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .error(`Plural webhook ${webhook_id} (${event.event_type}) failed; the plugin retries it: ${message}`)
    await inbox.finishEvent(webhook_id, { status: "failed", error: message, retry_in_seconds: webhookRetrySeconds(row?.attempts ?? 1) })
    return "failed"
  }
}
