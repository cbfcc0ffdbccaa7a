import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, transform, when, type WorkflowData, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { WebhookEvent } from "../plural"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { recordPluralRefundWorkflow } from "./record-plural-refund"
import { settlePluralPaymentWorkflow } from "./settle-plural-payment"
import { isSettledAt } from "./steps/settlement-decision"

/** Emitted once a verified event is stored; the subscriber (on the worker, in a server/worker deployment) runs this workflow. */
export const PLURAL_WEBHOOK_RECEIVED = "plural.webhook_received"

/** How processing a stored event ended; `skipped` when another process had claimed it. */
export type WebhookOutcome = "processed" | "ignored" | "failed" | "skipped"

/** What handling the event came to: recorded on its inbox row. */
export type EventHandling = { status: "processed" | "ignored" } | { status: "failed"; error: string }

type Charge = Extract<WebhookEvent, { data: { type: "CHARGE" } }>
type Refund = Extract<WebhookEvent, { data: { type: "REFUND" } }>
type ClaimedEvent = { webhook_id: string; event_type: string; payload: unknown; attempts: number }

/** A failed event is retried by the plugin after 1, 2, 4… minutes, at most hourly: Plural itself retries only thrice. */
export const webhookRetrySeconds = (attempts: number) => Math.min(60 * 2 ** Math.max(0, attempts - 1), 60 * 60)

const inboxOf = (container: { resolve: <T>(key: string) => T }) => container.resolve<PluralModuleService>(PLURAL_MODULE)

/**
 * Exactly once across instances: the subscriber and the job's retries race for the event through one conditional
 * update, and only the winner processes it (null for the others).
 */
const claimPluralWebhookEventStep = createStep("claim-plural-webhook-event", async ({ webhook_id }: { webhook_id: string }, { container }) => {
  const claimed = await inboxOf(container).claimEvent(webhook_id)
  return new StepResponse<ClaimedEvent | null>(claimed ? { webhook_id, ...claimed } : null)
})

/**
 * What a failure means for the event. One about an order this store never made (another shop on the same Plural
 * account) is `ignored`, for good; any other is recorded for the plugin's retry.
 */
function handlingOfFailure(error: unknown): EventHandling {
  if (MedusaError.isMedusaError(error) && (error as MedusaError).type === MedusaError.Types.NOT_FOUND) return { status: "ignored" }
  return { status: "failed", error: (error as Error).message }
}

async function handlingOf(run: () => Promise<unknown>): Promise<EventHandling> {
  return await run().then(() => ({ status: "processed" }) as const, handlingOfFailure)
}

/**
 * A charge event the ledger answers by itself — an order this store never made (ignored), or one already settled at
 * the status the event reports (processed) — costs no settlement, no lock and no Plural call: what a redelivery storm
 * or a burst of events for one order mostly is. Null when the charge has to be settled.
 */
const findSettledChargeStep = createStep("find-settled-plural-charge", async ({ event }: { event: Charge }, { container }) => {
  const answer = await inboxOf(container)
    .findOrder({ plural_order_id: event.data.order_id })
    .then((row): EventHandling | null => (!row ? { status: "ignored" } : isSettledAt(row, event.data.status) ? { status: "processed" } : null), handlingOfFailure)
  return new StepResponse(answer)
})

const settlePluralChargeStep = createStep("settle-plural-charge", async ({ event }: { event: Charge }, { container }) => {
  const handling = await handlingOf(() =>
    settlePluralPaymentWorkflow(container).run({ input: { plural_order_id: event.data.order_id, observed_status: event.data.status } })
  )
  return new StepResponse(handling)
})

const recordPluralRefundEventStep = createStep("record-plural-refund-event", async ({ event }: { event: Refund }, { container }) => {
  const handling = await handlingOf(() => recordPluralRefundWorkflow(container).run({ input: { refund: event.data } }))
  return new StepResponse(handling)
})

/** The outcome on the event's inbox row; a failure is scheduled for the plugin's own retry. */
const finishPluralWebhookEventStep = createStep(
  "finish-plural-webhook-event",
  async ({ claimed, handling }: { claimed: ClaimedEvent; handling: EventHandling }, { container }) => {
    const inbox = inboxOf(container)
    if (handling.status !== "failed") {
      await inbox.finishEvent(claimed.webhook_id, { status: handling.status })
      return new StepResponse()
    }
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .error(`Plural webhook ${claimed.webhook_id} (${claimed.event_type}) failed; the plugin retries it: ${handling.error}`)
    await inbox.finishEvent(claimed.webhook_id, { status: "failed", error: handling.error, retry_in_seconds: webhookRetrySeconds(claimed.attempts) })
    return new StepResponse()
  }
)

/**
 * A stored, verified Plural event, processed: claimed (once), parsed (an event the plugin does not act on — customer,
 * token… events, or a shape it does not know — is ignored), answered from the ledger when it can be, else a charge
 * is settled or a refund recorded, and the outcome written to the inbox.
 */
export const processPluralWebhookWorkflow = createWorkflow("process-plural-webhook", (input: { webhook_id: string }) => {
  const claimed = claimPluralWebhookEventStep(input)
  const event = transform({ claimed }, ({ claimed }) => {
    const parsed = claimed ? WebhookEvent.safeParse(claimed.payload) : undefined
    return parsed?.success ? parsed.data : null
  })
  const charge = transform({ event }, ({ event }) => (event?.data.type === "CHARGE" ? { event: event as Charge } : null))
  const refund = transform({ event }, ({ event }) => (event?.data.type === "REFUND" ? { event: event as Refund } : null))
  const known = when("if-charge", { charge }, ({ charge }) => Boolean(charge)).then(() => findSettledChargeStep(charge as WorkflowData<{ event: Charge }>))
  const settled = when("if-charge-to-settle", { charge, known }, ({ charge, known }) => Boolean(charge) && !known).then(() =>
    settlePluralChargeStep(charge as WorkflowData<{ event: Charge }>)
  )
  const recorded = when("if-refund", { refund }, ({ refund }) => Boolean(refund)).then(() =>
    recordPluralRefundEventStep(refund as WorkflowData<{ event: Refund }>)
  )
  const handling = transform({ event, known, settled, recorded }, ({ event, known, settled, recorded }): EventHandling => {
    return event ? (known ?? settled ?? recorded)! : { status: "ignored" }
  })
  when("if-claimed", { claimed }, ({ claimed }) => Boolean(claimed)).then(() =>
    finishPluralWebhookEventStep({ claimed: claimed as WorkflowData<ClaimedEvent>, handling })
  )
  return new WorkflowResponse(transform({ claimed, handling }, ({ claimed, handling }): WebhookOutcome => (claimed ? handling.status : "skipped")))
})
