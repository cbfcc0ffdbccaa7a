import type { Context } from "@medusajs/framework/types"
import { generateEntityId, InjectManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import type { SqlEntityManager } from "@mikro-orm/postgresql"
import { PluralWebhookEvent } from "./models/plural-webhook-event"

/** An event whose handler has said nothing for this long is presumed dead (crashed instance) and may be taken over. */
const STALE_AFTER_SECONDS = 120

export type ClaimOutcome = "claimed" | "duplicate" | "busy"

export class PluralWebhookInboxService extends MedusaService({ PluralWebhookEvent }) {
  /**
   * Claims a delivery for processing, atomically in the database so that several Medusa instances receiving the
   * same event at once agree: exactly one gets "claimed"; the others get "duplicate" (already done) or "busy"
   * (another instance is on it — answer non-2xx and Plural will redeliver later). A failed or stale event is
   * claimed again.
   */
  @InjectManager()
  async claim(
    input: { webhook_id: string; event_type: string; plural_order_id?: string },
    @MedusaContext() context: Context<SqlEntityManager> = {}
  ): Promise<ClaimOutcome> {
    const manager = context.manager!
    const inserted = await manager.execute(
      `insert into plural_webhook_event (id, webhook_id, event_type, plural_order_id, status, attempts, created_at, updated_at)
       values (?, ?, ?, ?, 'processing', 1, now(), now())
       on conflict (webhook_id) where deleted_at is null do nothing
       returning id`,
      [generateEntityId(undefined, "plwh"), input.webhook_id, input.event_type, input.plural_order_id ?? null]
    )
    if (inserted.length) return "claimed"

    const retaken = await manager.execute(
      `update plural_webhook_event set status = 'processing', attempts = attempts + 1, updated_at = now()
       where webhook_id = ? and deleted_at is null
         and (status = 'failed' or (status = 'processing' and updated_at < now() - make_interval(secs => ?)))
       returning id`,
      [input.webhook_id, STALE_AFTER_SECONDS]
    )
    if (retaken.length) return "claimed"

    const [existing] = await manager.execute(
      `select status from plural_webhook_event where webhook_id = ? and deleted_at is null`,
      [input.webhook_id]
    )
    return existing?.status === "processing" ? "busy" : "duplicate"
  }

  @InjectManager()
  async finish(
    webhookId: string,
    outcome: { status: "processed" | "ignored" } | { status: "failed"; error: string },
    @MedusaContext() context: Context<SqlEntityManager> = {}
  ): Promise<void> {
    await context.manager!.execute(
      `update plural_webhook_event
       set status = ?, last_error = ?, processed_at = case when ? = 'failed' then null else now() end, updated_at = now()
       where webhook_id = ? and deleted_at is null`,
      [outcome.status, "error" in outcome ? outcome.error.slice(0, 1000) : null, outcome.status, webhookId]
    )
  }
}

export default PluralWebhookInboxService
