/**
 * Webhook delivery as Plural does it: a JSON POST of `{event_type, data}` signed Standard-Webhooks style, retried
 * after each of `webhookRetryDelaysMs` on a non-2xx answer or a timeout, with the same `webhook-id` every time
 * (each attempt is signed afresh with its own timestamp). Deliveries run in the background — they never hold up or
 * break the API request that caused them — and every one is kept in a log the control API shows.
 *
 * Webhook faults change what happens to the next events: `drop` (never sent), `duplicate` (sent twice, same id),
 * `delay` (sent `delay_ms` late), `reorder` (held back and sent after the next event's delivery finishes).
 */
import { Agent, request } from "undici"
import { z } from "zod"
import type { Order, RefundOrder, WebhookEventType } from "../plural/schemas"
import { signWebhook } from "../plural/signatures"
import type { RuntimeConfig, SandboxLogger, SandboxMerchant } from "./options"
import type { Random } from "./random"
import type { Scheduler } from "./scheduler"

export type DeliveryAttempt = { at: string; status?: number; error?: string }

export type Delivery = {
  webhook_id: string
  event_type: WebhookEventType
  order_id: string
  url: string | null
  attempts: DeliveryAttempt[]
  state: "pending" | "delivered" | "failed" | "dropped"
}

export const WebhookFaultSpec = z
  .object({
    mode: z.enum(["drop", "duplicate", "delay", "reorder"]),
    count: z.int().positive().optional(),
    delay_ms: z.int().nonnegative().optional(),
  })
  .refine((f) => f.mode !== "delay" || f.delay_ms !== undefined, { path: ["delay_ms"], message: "is required for mode delay" })
export type WebhookFaultSpec = z.infer<typeof WebhookFaultSpec>

type Pending = Delivery & { body: string; merchant: SandboxMerchant }

export type WebhooksDeps = {
  config: () => RuntimeConfig
  now: () => number
  random: Random
  scheduler: Scheduler
  logger?: SandboxLogger
}

export class Webhooks {
  private readonly deliveries = new Map<string, Pending>()
  private faults: (WebhookFaultSpec & { remaining?: number })[] = []
  private held: Pending[] = []
  /** Bumped by reset, so a delivery still running from before it writes nowhere. */
  private generation = 0
  private readonly agent = new Agent({ keepAliveTimeout: 1000 })

  constructor(private readonly deps: WebhooksDeps) {}

  /** Queues one event; sent after `delayMs` (the processing delay of the order it reports). */
  announce(event: WebhookEventType, data: Order | RefundOrder, merchant: SandboxMerchant, options: { delayMs?: number } = {}): void {
    const delivery: Pending = {
      webhook_id: `msg_${this.deps.random.string(27)}`,
      event_type: event,
      order_id: data.order_id,
      url: this.deps.config().webhookUrl ?? null,
      attempts: [],
      state: "pending",
      body: JSON.stringify({ event_type: event, data }),
      merchant,
    }
    this.deliveries.set(delivery.webhook_id, delivery)
    if (!delivery.url) {
      delivery.state = "dropped"
      return
    }
    const delayMs = options.delayMs ?? 0
    const fault = this.takeFault()
    switch (fault?.mode) {
      case "drop":
        delivery.state = "dropped"
        return
      case "reorder":
        this.held.push(delivery)
        return
      case "delay":
        this.dispatch(delivery, delayMs + (fault.delay_ms ?? 0))
        return
      case "duplicate":
        this.dispatch(delivery, delayMs, () => this.run(delivery))
        return
      default:
        this.dispatch(delivery, delayMs)
    }
  }

  /** Sends a logged delivery again (same id and body) to the webhook URL configured now. */
  redeliver(webhookId: string): Delivery | undefined {
    const delivery = this.deliveries.get(webhookId)
    if (!delivery) return undefined
    this.held = this.held.filter((d) => d !== delivery)
    delivery.url = this.deps.config().webhookUrl ?? delivery.url
    if (delivery.url) this.dispatch(delivery, 0)
    return publicView(delivery)
  }

  /** The delivery log, oldest first. */
  list(): Delivery[] {
    return [...this.deliveries.values()].map(publicView)
  }

  addFault(spec: WebhookFaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count })
  }

  /** Clears webhook faults; events held back for reordering are sent now. */
  clearFaults(): void {
    this.faults = []
    this.releaseHeld()
  }

  reset(): void {
    this.generation += 1
    this.deliveries.clear()
    this.faults = []
    this.held = []
  }

  async stop(): Promise<void> {
    this.generation += 1
    await this.agent.destroy()
  }

  private takeFault(): WebhookFaultSpec | undefined {
    const fault = this.faults[0]
    if (fault?.remaining !== undefined && --fault.remaining <= 0) this.faults.shift()
    return fault
  }

  /** Runs a delivery in the background; events held for reordering follow once it has finished. */
  private dispatch(delivery: Pending, delayMs: number, then?: () => Promise<void>): void {
    delivery.state = "pending"
    this.deps.scheduler.after(delayMs, async () => {
      await this.run(delivery)
      await then?.()
      this.releaseHeld()
    })
  }

  private releaseHeld(): void {
    const held = this.held
    this.held = []
    for (const delivery of held) this.dispatch(delivery, 0)
  }

  /** The first attempt and up to one retry per configured delay. */
  private async run(delivery: Pending): Promise<void> {
    const generation = this.generation
    const delays = this.deps.config().webhookRetryDelaysMs
    for (let retry = 0; ; retry++) {
      const attempt = await this.attempt(delivery)
      if (generation !== this.generation) return
      delivery.attempts.push(attempt)
      if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) {
        delivery.state = "delivered"
        return
      }
      if (retry >= delays.length) break
      await this.deps.scheduler.sleep(delays[retry])
      if (generation !== this.generation) return
    }
    delivery.state = "failed"
    this.deps.logger?.warn(`webhook ${delivery.webhook_id} (${delivery.event_type}) failed after ${delivery.attempts.length} attempts`)
  }

  private async attempt(delivery: Pending): Promise<DeliveryAttempt> {
    const at = new Date(this.deps.now()).toISOString()
    const timestamp = Math.floor(this.deps.now() / 1000)
    const { webhookSecretEncoding, webhookTimeoutMs } = this.deps.config()
    const signature = signWebhook({ id: delivery.webhook_id, timestamp, body: delivery.body }, delivery.merchant.webhook_secret, {
      encoding: webhookSecretEncoding,
    })
    try {
      const response = await request(delivery.url!, {
        method: "POST",
        dispatcher: this.agent,
        headers: {
          "content-type": "application/json",
          "webhook-id": delivery.webhook_id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signature,
        },
        body: delivery.body,
        signal: AbortSignal.timeout(webhookTimeoutMs),
      })
      await response.body.dump()
      return { at, status: response.statusCode }
    } catch (error) {
      return { at, error: error instanceof Error ? error.message : String(error) }
    }
  }
}

function publicView({ body: _body, merchant: _merchant, ...delivery }: Pending): Delivery {
  return structuredClone(delivery)
}
