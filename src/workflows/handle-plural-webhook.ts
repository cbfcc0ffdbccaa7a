import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { WebhookEvent } from "../plural"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { processPluralWebhookWorkflow } from "./process-plural-webhook"
import { isSettledAt } from "./steps/settle-plural-order"
import { batched } from "../utils/batch"

/** Emitted once a verified event is stored; the subscriber (on the worker, in a server/worker deployment) processes it. */
export const PLURAL_WEBHOOK_RECEIVED = "plural.webhook_received"

/**
 * Processing starts a moment after the acknowledgement, so that a burst (a sale, a redelivery storm) is acknowledged
 * first and Plural's short delivery timeout is never spent waiting on settlements. The shopper never waits on it:
 * their browser return settles synchronously.
 */
const PROCESSING_DELAY_MS = 1000

/** A failed event is retried by the plugin after 1, 2, 4… minutes, at most hourly: Plural itself retries only thrice. */
export const webhookRetrySeconds = (attempts: number) => Math.min(60 * 2 ** Math.max(0, attempts - 1), 60 * 60)

/**
 * A verified delivery, stored in the inbox by its `webhook-id` and queued for processing — all the webhook route
 * waits for, so Plural's delivery is acknowledged in milliseconds whatever the settlement costs. Nothing is lost if
 * the process dies right after: the job processes a stored event nobody picked up.
 */
export async function receivePluralWebhook(
  container: MedusaContainer,
  delivery: { webhook_id: string; body: unknown }
): Promise<"stored" | "duplicate"> {
  const { webhook_id, body } = delivery
  // Only what the inbox row is looked up by; the event is parsed (once) when it is processed, off the request.
  const envelope = (body ?? {}) as { event_type?: unknown; data?: { order_id?: unknown } }
  const stored = await store(container)({
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

type Delivery = Parameters<PluralModuleService["receiveEvents"]>[0][number]
const writers = new WeakMap<PluralModuleService, (delivery: Delivery) => Promise<"stored" | "duplicate">>()

/** The inbox's writer for this application: deliveries arriving together are stored in one statement. */
function store(container: MedusaContainer) {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  let write = writers.get(inbox)
  if (!write) writers.set(inbox, (write = batched((deliveries: Delivery[]) => inbox.receiveEvents(deliveries))))
  return write
}

/**
 * Processes a stored event exactly once across instances (the subscriber and the job's retries race for it through
 * one conditional update) and records the outcome; a failure is scheduled for the plugin's own retry.
 */
export async function processPluralInboxEvent(container: MedusaContainer, webhookId: string): Promise<"processed" | "ignored" | "failed" | "skipped"> {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const claimed = await inbox.claimEvent(webhookId)
  if (!claimed) return "skipped"
  const parsed = WebhookEvent.safeParse(claimed.payload)
  if (!parsed.success) {
    // Verified, but not an event the plugin acts on (customer, token… events, or a shape it does not know).
    await inbox.finishEvent(webhookId, { status: "ignored" })
    return "ignored"
  }
  const event = parsed.data
  try {
    const done = await alreadyDone(inbox, event)
    if (done) {
      await inbox.finishEvent(webhookId, { status: done })
      return done
    }
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

/**
 * A charge event the ledger answers by itself — an order this store never made (ignored), or one already settled at
 * the status the event reports (processed) — costs no workflow, no lock and no Plural call: what a redelivery storm
 * or a burst of events for one order mostly is.
 */
async function alreadyDone(inbox: PluralModuleService, event: WebhookEvent): Promise<"processed" | "ignored" | undefined> {
  if (event.data.type !== "CHARGE") return undefined
  const row = await inbox.findOrder({ plural_order_id: event.data.order_id })
  if (!row) return "ignored"
  return isSettledAt(row, event.data.status) ? "processed" : undefined
}
