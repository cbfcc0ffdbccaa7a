/**
 * What acknowledging a verified delivery costs: one insert into the plugin's inbox (deliveries arriving together are
 * stored in one statement) and, for a new event, a queued `plural.webhook_received`. Everything that decides anything
 * happens later, off the request, in `processPluralWebhookWorkflow`. This is plain code rather than a workflow on
 * purpose: the workflow engine's per-run cost halved the route's throughput against Medusa's own webhook route
 * (README "Benchmarks"), and two writes with nothing to compensate gain nothing from it.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { PLURAL_MODULE } from "../../../../modules/plural"
import type { PluralModuleService } from "../../../../modules/plural/service"
import { batched } from "../../../../utils/batch"
import { PLURAL_WEBHOOK_RECEIVED } from "../../../../workflows/process-plural-webhook"

/**
 * Processing starts a moment after the acknowledgement, so that a burst (a sale, a redelivery storm) is acknowledged
 * first and Plural's short delivery timeout is never spent waiting on settlements. The shopper never waits on it:
 * their browser return settles synchronously.
 */
const PROCESSING_DELAY_MS = 1000

type PluralWebhookDelivery = { webhook_id: string; body: unknown }

type InboxDelivery = Parameters<PluralModuleService["receiveEvents"]>[0][number]
const writers = new WeakMap<PluralModuleService, (delivery: InboxDelivery) => Promise<"stored" | "duplicate">>()

/** The inbox's writer for this application: deliveries arriving together are stored in one statement. */
function inboxWriter(container: MedusaContainer) {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  let write = writers.get(inbox)
  if (!write) writers.set(inbox, (write = batched((deliveries: InboxDelivery[]) => inbox.receiveEvents(deliveries))))
  return write
}

/**
 * Stored by its `webhook-id` (a redelivery, or the same event at another instance, is a `duplicate`) and queued for
 * processing. Nothing is lost if the process dies right after, or the event bus fails: the job processes a stored
 * event nobody picked up.
 */
export async function receivePluralWebhook(container: MedusaContainer, { webhook_id, body }: PluralWebhookDelivery): Promise<"stored" | "duplicate"> {
  // Only what the inbox row is looked up by; the event is parsed (once) when it is processed, off the request.
  const envelope = (body ?? {}) as { event_type?: unknown; data?: { order_id?: unknown } }
  const stored = await inboxWriter(container)({
    webhook_id,
    event_type: String(envelope.event_type ?? "unknown").slice(0, 100),
    plural_order_id: typeof envelope.data?.order_id === "string" ? envelope.data.order_id.slice(0, 100) : undefined,
    payload: body ?? null,
  })
  if (stored === "stored") {
    await container
      .resolve(Modules.EVENT_BUS)
      .emit({ name: PLURAL_WEBHOOK_RECEIVED, data: { webhook_id } }, { attempts: 1, delay: PROCESSING_DELAY_MS })
      .catch((error: Error) =>
        container.resolve(ContainerRegistrationKeys.LOGGER).warn(`Plural webhook ${webhook_id} stored; the job will process it (${error.message})`)
      )
  }
  return stored
}
