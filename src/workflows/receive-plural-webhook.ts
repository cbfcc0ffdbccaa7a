import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { batched } from "../utils/batch"

/** Emitted once a verified event is stored; the subscriber (on the worker, in a server/worker deployment) processes it. */
export const PLURAL_WEBHOOK_RECEIVED = "plural.webhook_received"

/**
 * Processing starts a moment after the acknowledgement, so that a burst (a sale, a redelivery storm) is acknowledged
 * first and Plural's short delivery timeout is never spent waiting on settlements. The shopper never waits on it:
 * their browser return settles synchronously.
 */
const PROCESSING_DELAY_MS = 1000

export type PluralWebhookDelivery = { webhook_id: string; body: unknown }

type InboxDelivery = Parameters<PluralModuleService["receiveEvents"]>[0][number]
const writers = new WeakMap<PluralModuleService, (delivery: InboxDelivery) => Promise<"stored" | "duplicate">>()

/** The inbox's writer for this application: deliveries arriving together are stored in one statement. */
function inboxWriter(container: MedusaContainer) {
  const inbox = container.resolve<PluralModuleService>(PLURAL_MODULE)
  let write = writers.get(inbox)
  if (!write) writers.set(inbox, (write = batched((deliveries: InboxDelivery[]) => inbox.receiveEvents(deliveries))))
  return write
}

/** Stored by its `webhook-id`: a redelivery (or the same event at another instance) is a duplicate. */
const storePluralWebhookStep = createStep("store-plural-webhook", async ({ webhook_id, body }: PluralWebhookDelivery, { container }) => {
  // Only what the inbox row is looked up by; the event is parsed (once) when it is processed, off the request.
  const envelope = (body ?? {}) as { event_type?: unknown; data?: { order_id?: unknown } }
  const stored = await inboxWriter(container)({
    webhook_id,
    event_type: String(envelope.event_type ?? "unknown").slice(0, 100),
    plural_order_id: typeof envelope.data?.order_id === "string" ? envelope.data.order_id.slice(0, 100) : undefined,
    payload: body ?? null,
  })
  return new StepResponse(stored)
})

/** Processing is queued; should the event bus fail, the stored event is the job's to process. */
const queuePluralWebhookProcessingStep = createStep("queue-plural-webhook-processing", async ({ webhook_id }: { webhook_id: string }, { container }) => {
  await container
    .resolve(Modules.EVENT_BUS)
    .emit({ name: PLURAL_WEBHOOK_RECEIVED, data: { webhook_id } }, { attempts: 1, delay: PROCESSING_DELAY_MS })
    .catch((error: Error) =>
      container.resolve(ContainerRegistrationKeys.LOGGER).warn(`Plural webhook ${webhook_id} stored; the job will process it (${error.message})`)
    )
  return new StepResponse()
})

/**
 * A verified delivery, stored in the inbox and queued for processing — all the webhook route waits for, so Plural's
 * delivery is acknowledged in milliseconds whatever the settlement costs. Nothing is lost if the process dies right
 * after: the job processes a stored event nobody picked up.
 */
export const receivePluralWebhookWorkflow = createWorkflow("receive-plural-webhook", (input: PluralWebhookDelivery) => {
  const stored = storePluralWebhookStep(input)
  when("if-newly-stored", { stored }, ({ stored }) => stored === "stored").then(() => queuePluralWebhookProcessingStep(input))
  return new WorkflowResponse(stored)
})
