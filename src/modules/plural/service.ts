import type { Context } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, generateEntityId, InjectManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import type { Knex } from "@mikro-orm/knex"
import type { SqlEntityManager } from "@mikro-orm/postgresql"
import { PluralOrder } from "./models/plural-order"
import { PluralPointsConsent } from "./models/plural-points-consent"
import { PluralRateLimit } from "./models/plural-rate-limit"
import { PluralRefund } from "./models/plural-refund"
import { PluralWebhookEvent } from "./models/plural-webhook-event"
import type {
  LedgerOrder,
  LedgerRefund,
  NewLedgerOrder,
  NewLedgerRefund,
  NewPointsConsent,
  PointsConsent,
  PointsConsentFilter,
  PointsConsentRow,
  RefundStatus,
} from "./types"

/** An event whose handler has said nothing for this long is presumed dead (crashed instance) and may be taken over. */
const STALE_AFTER_SECONDS = 120
/** A received event not picked up after this long lost its queue message (or its process): the job processes it. */
const RECEIVED_STALE_SECONDS = 60
/** A refund still `requested` after this long was cut off mid-call (process died): ask Plural what became of it. */
const REQUESTED_STALE_SECONDS = 120

type Ctx = Context<SqlEntityManager>

/**
 * The plugin's own tables: the ledger of Plural orders and refunds, and the webhook inbox. Everything that must hold
 * across several Medusa instances is a single SQL statement here (insert-or-nothing, conditional update), so two
 * instances racing agree on one winner without any lock held in memory.
 */
export class PluralModuleService extends MedusaService({ PluralOrder, PluralRefund, PluralWebhookEvent, PluralPointsConsent, PluralRateLimit }) {
  private readonly pg: Knex

  constructor(container: Record<string, unknown>) {
    super(container)
    this.pg = container[ContainerRegistrationKeys.PG_CONNECTION] as Knex
  }

  // ---- Ledger: orders ------------------------------------------------------------------------------------------

  /** Written before Plural is asked to create the order; a repeated call with the same reference returns the row. */
  @InjectManager()
  async recordCreating(input: NewLedgerOrder, @MedusaContext() context: Ctx = {}): Promise<LedgerOrder> {
    const manager = context.manager!
    const [row] = await manager.execute(
      `insert into plural_order (id, merchant_order_reference, session_id, payment_collection_id, amount, currency_code, flow,
         pre_auth, points_consent_id, state, next_check_at, expires_at, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'creating', now() + make_interval(secs => ?), now() + make_interval(secs => ?), now(), now())
       on conflict (merchant_order_reference) where deleted_at is null
       do update set updated_at = now()
       returning *`,
      [
        generateEntityId(undefined, "plord"),
        input.merchant_order_reference,
        input.session_id,
        input.payment_collection_id ?? null,
        input.amount,
        input.currency_code,
        input.flow,
        input.pre_auth,
        input.points_consent_id ?? null,
        input.check_after_seconds,
        input.expires_after_seconds,
      ]
    )
    return row as LedgerOrder
  }

  /** Plural answered with its order id: the row is open, first checked after `check_after_seconds`. */
  @InjectManager()
  async recordCreated(
    input: { merchant_order_reference: string; plural_order_id: string; plural_status: string; check_after_seconds: number },
    @MedusaContext() context: Ctx = {}
  ): Promise<void> {
    await context.manager!.execute(
      `update plural_order set plural_order_id = ?, plural_status = ?, state = case when state = 'creating' then 'open' else state end,
         next_check_at = case when state = 'creating' then now() + make_interval(secs => ?) else next_check_at end, updated_at = now()
       where merchant_order_reference = ? and deleted_at is null`,
      [input.plural_order_id, input.plural_status, input.check_after_seconds, input.merchant_order_reference]
    )
  }

  @InjectManager()
  async findOrder(
    by: { plural_order_id: string } | { merchant_order_reference: string } | { id: string },
    @MedusaContext() context: Ctx = {}
  ): Promise<LedgerOrder | undefined> {
    const [column, value] = Object.entries(by)[0]
    const [row] = await context.manager!.execute(
      `select * from plural_order where ${column} = ? and deleted_at is null order by created_at desc limit 1`,
      [value]
    )
    return row as LedgerOrder | undefined
  }

  /** Any change to a row; `state` and schedule included. Terminal states clear the schedule unless one is given. */
  @InjectManager()
  async updateOrder(
    id: string,
    patch: Partial<Omit<LedgerOrder, "id" | "created_at" | "updated_at">> & { check_in_seconds?: number | null },
    @MedusaContext() context: Ctx = {}
  ): Promise<void> {
    const { check_in_seconds, ...fields } = patch
    const sets: string[] = []
    const values: unknown[] = []
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue
      sets.push(`${key} = ?`)
      values.push(key === "last_error" || key === "reason" ? clip(value as string | null) : value)
    }
    if (check_in_seconds === null) sets.push("next_check_at = null")
    else if (check_in_seconds !== undefined) {
      sets.push("next_check_at = now() + make_interval(secs => ?)")
      values.push(check_in_seconds)
    }
    if (!sets.length) return
    await context.manager!.execute(`update plural_order set ${sets.join(", ")}, updated_at = now() where id = ?`, [...values, id])
  }

  /**
   * Whether this caller may read Plural for the row now: at most one read per `min_interval_seconds`, whatever the
   * number of pollers or instances (the row's `checked_at` is the shared clock).
   */
  @InjectManager()
  async claimCheck(id: string, minIntervalSeconds: number, @MedusaContext() context: Ctx = {}): Promise<boolean> {
    const rows = await context.manager!.execute(
      `update plural_order set checked_at = now()
       where id = ? and (checked_at is null or checked_at <= now() - make_interval(secs => ?))
       returning id`,
      [id, minIntervalSeconds]
    )
    return rows.length > 0
  }

  /** Rows due for a check, most overdue first. */
  @InjectManager()
  async dueOrders(limit: number, exclude: string[] = [], @MedusaContext() context: Ctx = {}): Promise<LedgerOrder[]> {
    const rows = await context.manager!.execute(
      `select * from plural_order
       where next_check_at is not null and next_check_at <= now() and deleted_at is null
         ${exclude.length ? `and id not in (${exclude.map(() => "?").join(", ")})` : ""}
       order by next_check_at asc limit ?`,
      [...exclude, limit]
    )
    return rows as LedgerOrder[]
  }

  // ---- Ledger: refunds -----------------------------------------------------------------------------------------

  /** Written before Plural is asked to refund; the same reference again returns the existing row (`created: false`). */
  @InjectManager()
  async recordRefundRequest(input: NewLedgerRefund, @MedusaContext() context: Ctx = {}): Promise<{ refund: LedgerRefund; created: boolean }> {
    const manager = context.manager!
    const inserted = await manager.execute(
      `insert into plural_refund (id, plural_order_id, reference, plural_refund_id, amount, currency_code, source, status, medusa_refund_id,
         created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now())
       on conflict (reference) where deleted_at is null do nothing
       returning *`,
      [
        generateEntityId(undefined, "plref"),
        input.plural_order_id,
        input.reference,
        input.plural_refund_id ?? null,
        input.amount,
        input.currency_code,
        input.source,
        input.status ?? "requested",
        input.medusa_refund_id ?? null,
      ]
    )
    if (inserted.length) return { refund: inserted[0] as LedgerRefund, created: true }
    const [existing] = await manager.execute(`select * from plural_refund where reference = ? and deleted_at is null`, [input.reference])
    return { refund: existing as LedgerRefund, created: false }
  }

  @InjectManager()
  async updateRefund(
    reference: string,
    patch: { status?: RefundStatus; plural_refund_id?: string; last_error?: string | null; reported_error?: boolean; medusa_refund_id?: string | null },
    @MedusaContext() context: Ctx = {}
  ): Promise<void> {
    const sets: string[] = []
    const values: unknown[] = []
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue
      sets.push(`${key} = ?`)
      values.push(key === "last_error" ? clip(value as string | null) : value)
    }
    if (!sets.length) return
    await context.manager!.execute(`update plural_refund set ${sets.join(", ")}, updated_at = now() where reference = ? and deleted_at is null`, [
      ...values,
      reference,
    ])
  }

  /**
   * Claims the recording of a refund Plural made on Medusa, for `seconds` at most (a process dying mid-way frees it):
   * false when it is recorded already, or another instance is recording it right now.
   */
  @InjectManager()
  async beginRefundRecording(reference: string, seconds: number, @MedusaContext() context: Ctx = {}): Promise<boolean> {
    const rows = await context.manager!.execute(
      `update plural_refund set recording_until = now() + make_interval(secs => ?), updated_at = now()
       where reference = ? and deleted_at is null and medusa_refund_id is null and (recording_until is null or recording_until < now())
       returning id`,
      [seconds, reference]
    )
    return rows.length > 0
  }

  @InjectManager()
  async endRefundRecording(reference: string, @MedusaContext() context: Ctx = {}): Promise<void> {
    await context.manager!.execute(`update plural_refund set recording_until = null, updated_at = now() where reference = ? and deleted_at is null`, [reference])
  }

  /** A refund of this amount on this order that the plugin is recording on Medusa right now, if any. */
  @InjectManager()
  async refundBeingRecorded(pluralOrderId: string, amount: number, @MedusaContext() context: Ctx = {}): Promise<LedgerRefund | undefined> {
    const [row] = await context.manager!.execute(
      `select * from plural_refund where plural_order_id = ? and amount = ? and recording_until > now() and deleted_at is null limit 1`,
      [pluralOrderId, amount]
    )
    return row as LedgerRefund | undefined
  }

  @InjectManager()
  async refundsOf(pluralOrderId: string, @MedusaContext() context: Ctx = {}): Promise<LedgerRefund[]> {
    return (await context.manager!.execute(
      `select * from plural_refund where plural_order_id = ? and deleted_at is null order by created_at asc`,
      [pluralOrderId]
    )) as LedgerRefund[]
  }

  /** Refunds whose outcome nobody knows: answers lost (`unknown`), or calls cut off by a dead process. */
  @InjectManager()
  async unresolvedRefunds(pluralOrderId: string | undefined, @MedusaContext() context: Ctx = {}): Promise<LedgerRefund[]> {
    return (await context.manager!.execute(
      `select * from plural_refund
       where deleted_at is null ${pluralOrderId ? "and plural_order_id = ?" : ""}
         and (status = 'unknown' or (status = 'requested' and updated_at < now() - make_interval(secs => ?)))
       order by created_at asc limit 200`,
      pluralOrderId ? [pluralOrderId, REQUESTED_STALE_SECONDS] : [REQUESTED_STALE_SECONDS]
    )) as LedgerRefund[]
  }

  /**
   * Makes Medusa refund `medusaRefundId` account for a refund Plural already made, atomically, so that one Plural
   * refund is never recorded twice: a specific row (`reference`), or — for an admin retrying after an error — a
   * refund of the same amount whose answer was lost and that Medusa forgot.
   */
  @InjectManager()
  async claimRefund(
    input: { plural_order_id: string; medusa_refund_id: string } & ({ reference: string } | { amount: number }),
    @MedusaContext() context: Ctx = {}
  ): Promise<LedgerRefund | undefined> {
    const byReference = "reference" in input
    const [row] = await context.manager!.execute(
      `update plural_refund set medusa_refund_id = ?, updated_at = now()
       where id = (
         select id from plural_refund
         where plural_order_id = ? and medusa_refund_id is null and deleted_at is null and status in ('processed', 'pending')
           and ${byReference ? "reference = ?" : "amount = ? and source = 'medusa' and reported_error"}
         order by created_at asc limit 1 for update skip locked)
       returning *`,
      [input.medusa_refund_id, input.plural_order_id, byReference ? input.reference : input.amount]
    )
    return row as LedgerRefund | undefined
  }

  /** Refunds Plural made that no Medusa refund accounts for yet (dashboard refunds, answers Medusa never saw). */
  @InjectManager()
  async unrecordedRefunds(limit: number, @MedusaContext() context: Ctx = {}): Promise<LedgerRefund[]> {
    return (await context.manager!.execute(
      `select r.* from plural_refund r join plural_order o on o.plural_order_id = r.plural_order_id and o.deleted_at is null
       where r.deleted_at is null and r.medusa_refund_id is null and r.status = 'processed' and o.state = 'owned'
         and (r.source = 'plural' or (r.source = 'medusa' and r.reported_error))
       order by r.created_at asc limit ?`,
      [limit]
    )) as LedgerRefund[]
  }

  // ---- Webhook inbox -------------------------------------------------------------------------------------------

  /**
   * Stores verified deliveries by their `webhook-id`, in one statement, atomically, so that several Medusa instances
   * receiving the same event at once agree on one row. Per delivery: `stored` — a new event (or a failed one Plural
   * redelivered), to be processed; `duplicate` — already stored, processed or on its way.
   */
  async receiveEvents(
    inputs: { webhook_id: string; event_type: string; plural_order_id?: string; payload: unknown }[]
  ): Promise<("stored" | "duplicate")[]> {
    // The webhook's acknowledgement waits on this: straight to the shared connection pool, no ORM unit of work.
    const execute = async <T>(sql: string, bindings: unknown[]) => (await this.pg.raw(sql, bindings as Knex.RawBinding[])).rows as T[]
    const inserted = await execute<{ webhook_id: string }>(
      `insert into plural_webhook_event (id, webhook_id, event_type, plural_order_id, payload, status, attempts, created_at, updated_at)
       values ${inputs.map(() => "(?, ?, ?, ?, ?, 'received', 0, now(), now())").join(", ")}
       on conflict (webhook_id) where deleted_at is null do nothing
       returning webhook_id`,
      inputs.flatMap((input) => [
        generateEntityId(undefined, "plwh"),
        input.webhook_id,
        input.event_type,
        input.plural_order_id ?? null,
        JSON.stringify(input.payload),
      ])
    )
    const stored = new Set(inserted.map((row) => row.webhook_id))
    const others = inputs.map((input) => input.webhook_id).filter((id) => !stored.has(id))
    if (others.length) {
      const requeued = await execute<{ webhook_id: string }>(
        `update plural_webhook_event set status = 'received', next_attempt_at = null, updated_at = now()
         where webhook_id in (${others.map(() => "?").join(", ")}) and deleted_at is null and status = 'failed'
         returning webhook_id`,
        others
      )
      for (const row of requeued) stored.add(row.webhook_id)
    }
    // The same webhook-id twice in one batch: the first is the event, the second its duplicate.
    const seen = new Set<string>()
    return inputs.map((input) => {
      const first = !seen.has(input.webhook_id)
      seen.add(input.webhook_id)
      return first && stored.has(input.webhook_id) ? "stored" : "duplicate"
    })
  }

  /**
   * Takes a stored event for processing: exactly one caller wins (the subscriber, or the job retrying it), and an
   * event left `processing` by an instance that died is taken over after a while.
   */
  @InjectManager()
  async claimEvent(webhookId: string, @MedusaContext() context: Ctx = {}): Promise<{ event_type: string; payload: unknown; attempts: number } | undefined> {
    const [row] = await context.manager!.execute(
      `update plural_webhook_event set status = 'processing', attempts = attempts + 1, next_attempt_at = null, updated_at = now()
       where webhook_id = ? and deleted_at is null and payload is not null
         and (status in ('received', 'failed') or (status = 'processing' and updated_at < now() - make_interval(secs => ?)))
       returning event_type, payload, attempts`,
      [webhookId, STALE_AFTER_SECONDS]
    )
    return row as { event_type: string; payload: unknown; attempts: number } | undefined
  }

  /** A failed event is retried by the plugin after `retry_in_seconds` (backoff chosen by the caller). */
  @InjectManager()
  async finishEvent(
    webhookId: string,
    outcome: { status: "processed" | "ignored" } | { status: "failed"; error: string; retry_in_seconds: number },
    @MedusaContext() context: Ctx = {}
  ): Promise<void> {
    const failed = outcome.status === "failed"
    await context.manager!.execute(
      `update plural_webhook_event
       set status = ?, last_error = ?, processed_at = ${failed ? "null" : "now()"},
           next_attempt_at = ${failed ? "now() + make_interval(secs => ?)" : "null"}, updated_at = now()
       where webhook_id = ? and deleted_at is null`,
      [outcome.status, failed ? clip(outcome.error) : null, ...(failed ? [outcome.retry_in_seconds] : []), webhookId]
    )
  }

  /**
   * Events the job should process: failed ones due for the plugin's own retry, received ones whose processing never
   * started (the process died after acknowledging), and ones left `processing` by an instance that died.
   */
  @InjectManager()
  async dueEvents(limit: number, @MedusaContext() context: Ctx = {}): Promise<{ webhook_id: string }[]> {
    return await context.manager!.execute(
      `select webhook_id from plural_webhook_event
       where deleted_at is null and payload is not null
         and ((status = 'failed' and next_attempt_at <= now())
           or (status = 'received' and updated_at < now() - make_interval(secs => ?))
           or (status = 'processing' and updated_at < now() - make_interval(secs => ?)))
       order by updated_at asc limit ?`,
      [RECEIVED_STALE_SECONDS, STALE_AFTER_SECONDS, limit]
    )
  }

  /** Processed and ignored events older than the retention are deleted; failing ones are kept for the merchant. */
  @InjectManager()
  async pruneEvents(retentionDays: number, @MedusaContext() context: Ctx = {}): Promise<number> {
    const rows = await context.manager!.execute(
      `delete from plural_webhook_event where status in ('processed', 'ignored') and updated_at < now() - make_interval(days => ?) returning id`,
      [retentionDays]
    )
    return rows.length
  }

  // ---- Pay by points ------------------------------------------------------------------------------------------

  @InjectManager()
  async recordPointsConsent(input: NewPointsConsent, @MedusaContext() context: Ctx = {}): Promise<PointsConsent> {
    const [row] = await context.manager!.execute(
      `insert into plural_points_consent (id, cart_id, customer_id, text_version, text, consented_at, created_at, updated_at)
       values (?, ?, ?, ?, ?, now(), now(), now()) returning *`,
      [generateEntityId(undefined, "plcon"), input.cart_id, input.customer_id, input.text_version, input.text]
    )
    return row as PointsConsent
  }

  /**
   * The consent `consentId` if it was given for the cart that payment session `sessionId` pays for (through Medusa's
   * cart ↔ payment collection link, in the same database), else undefined: a consent never serves another cart.
   */
  @InjectManager()
  async pointsConsentForSession(consentId: string, sessionId: string, @MedusaContext() context: Ctx = {}): Promise<PointsConsent | undefined> {
    const [row] = await context.manager!.execute(
      `select c.* from plural_points_consent c
       join cart_payment_collection cpc on cpc.cart_id = c.cart_id and cpc.deleted_at is null
       join payment_session ps on ps.payment_collection_id = cpc.payment_collection_id
       where c.id = ? and ps.id = ? and c.deleted_at is null
       limit 1`,
      [consentId, sessionId]
    )
    return row as PointsConsent | undefined
  }

  /** The Plural order that offers points under the consent; a newer order (a changed amount) takes the link over. */
  @InjectManager()
  async linkPointsConsent(
    consentId: string,
    order: { session_id: string; merchant_order_reference: string; plural_order_id: string },
    @MedusaContext() context: Ctx = {}
  ): Promise<void> {
    await context.manager!.execute(
      `update plural_points_consent set session_id = ?, merchant_order_reference = ?, plural_order_id = ?, updated_at = now()
       where id = ? and deleted_at is null`,
      [order.session_id, order.merchant_order_reference, order.plural_order_id, consentId]
    )
  }

  /** Consents, newest first, each with the Medusa order its Plural order became (through the ledger). */
  @InjectManager()
  async listPointsConsents(
    filter: PointsConsentFilter,
    page: { limit: number; offset: number },
    @MedusaContext() context: Ctx = {}
  ): Promise<{ consents: PointsConsentRow[]; count: number }> {
    const columns: Record<keyof PointsConsentFilter, string> = {
      cart_id: "c.cart_id",
      customer_id: "c.customer_id",
      plural_order_id: "c.plural_order_id",
      order_id: "o.medusa_order_id",
    }
    const conditions = ["c.deleted_at is null"]
    const values: unknown[] = []
    for (const [key, column] of Object.entries(columns) as [keyof PointsConsentFilter, string][]) {
      if (filter[key] === undefined) continue
      conditions.push(`${column} = ?`)
      values.push(filter[key])
    }
    const from = `from plural_points_consent c
       left join plural_order o on o.plural_order_id = c.plural_order_id and o.deleted_at is null
       where ${conditions.join(" and ")}`
    const manager = context.manager!
    const consents = await manager.execute(
      `select c.*, o.medusa_order_id as order_id ${from} order by c.consented_at desc, c.id desc limit ? offset ?`,
      [...values, page.limit, page.offset]
    )
    const [{ count }] = await manager.execute(`select count(*)::int as count ${from}`, values)
    return { consents: consents as PointsConsentRow[], count }
  }

  /**
   * Counts one request under `key` and says whether it is within `limit` per `windowSeconds`, in one statement, so
   * that every instance shares the count. Expired windows are pruned a few at a time.
   */
  @InjectManager()
  async takeRateLimit(
    key: string,
    limit: number,
    windowSeconds: number,
    @MedusaContext() context: Ctx = {}
  ): Promise<{ allowed: boolean; retry_after_seconds: number }> {
    const manager = context.manager!
    const [row] = await manager.execute(
      `insert into plural_rate_limit as r (id, key, hits, window_ends_at, created_at, updated_at)
       values (?, ?, 1, now() + make_interval(secs => ?), now(), now())
       on conflict (key) where deleted_at is null do update set
         hits = case when r.window_ends_at <= now() then 1 else r.hits + 1 end,
         window_ends_at = case when r.window_ends_at <= now() then excluded.window_ends_at else r.window_ends_at end,
         updated_at = now()
       returning hits, greatest(1, ceil(extract(epoch from (window_ends_at - now()))))::int as retry_after_seconds`,
      [generateEntityId(undefined, "plrl"), key, windowSeconds]
    )
    await manager.execute(
      `delete from plural_rate_limit where id in (select id from plural_rate_limit where window_ends_at < now() - interval '1 hour' limit 20)`
    )
    return { allowed: row.hits <= limit, retry_after_seconds: row.retry_after_seconds }
  }

  // ---- What the merchant must see ------------------------------------------------------------------------------

  @InjectManager()
  async exceptionRows(
    filter: { plural_order_ids?: string[] },
    @MedusaContext() context: Ctx = {}
  ): Promise<{ orders: LedgerOrder[]; refunds: LedgerRefund[]; events: FailingEvent[] }> {
    const manager = context.manager!
    const ids = filter.plural_order_ids
    const inIds = (column: string) => (ids ? `and ${column} in (${ids.map(() => "?").join(", ") || "null"})` : "")
    const orders = await manager.execute(
      `select * from plural_order where deleted_at is null ${inIds("plural_order_id")}
         and (state in ('paid', 'returning') or (state in ('released', 'refunded') and updated_at > now() - interval '30 days'))
       order by updated_at desc limit 1000`,
      ids ?? []
    )
    const refunds = await manager.execute(
      `select * from plural_refund where deleted_at is null and status in ('failed', 'unknown', 'requested') ${inIds("plural_order_id")}
       order by updated_at desc limit 1000`,
      ids ?? []
    )
    const events = await manager.execute(
      `select webhook_id, event_type, plural_order_id, attempts, last_error, updated_at from plural_webhook_event
       where deleted_at is null and status = 'failed' ${inIds("plural_order_id")} order by updated_at desc limit 1000`,
      ids ?? []
    )
    return { orders: orders as LedgerOrder[], refunds: refunds as LedgerRefund[], events: events as FailingEvent[] }
  }
}

export type FailingEvent = { webhook_id: string; event_type: string; plural_order_id: string | null; attempts: number; last_error: string | null; updated_at: Date }

const clip = (text: string | null) => (text == null ? null : text.slice(0, 1000))

export default PluralModuleService
