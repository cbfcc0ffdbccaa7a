import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/** The ledger (plural_order, plural_refund), and the inbox's stored events and retry schedule. */
export class Migration20261123090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "plural_order" (
      "id" text not null,
      "merchant_order_reference" text not null,
      "plural_order_id" text null,
      "session_id" text not null,
      "payment_collection_id" text null,
      "cart_id" text null,
      "medusa_order_id" text null,
      "amount" integer not null,
      "currency_code" text not null,
      "flow" text not null,
      "pre_auth" boolean not null default false,
      "plural_status" text null,
      "state" text check ("state" in ('creating', 'open', 'paid', 'owned', 'returning', 'released', 'refunded', 'closed')) not null default 'creating',
      "reason" text null,
      "last_error" text null,
      "attempts" integer not null default 0,
      "paid_at" timestamptz null,
      "checked_at" timestamptz null,
      "next_check_at" timestamptz null,
      "expires_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "deleted_at" timestamptz null,
      constraint "plural_order_pkey" primary key ("id"));`)
    this.addSql(`create unique index if not exists "IDX_plural_order_merchant_order_reference_unique" on "plural_order" ("merchant_order_reference") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_order_plural_order_id" on "plural_order" ("plural_order_id") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_order_session_id" on "plural_order" ("session_id") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_order_next_check_at" on "plural_order" ("next_check_at") where "next_check_at" is not null and "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_order_deleted_at" on "plural_order" ("deleted_at") where "deleted_at" is null;`)

    this.addSql(`create table if not exists "plural_refund" (
      "id" text not null,
      "plural_order_id" text not null,
      "reference" text not null,
      "plural_refund_id" text null,
      "amount" integer not null,
      "currency_code" text not null,
      "source" text check ("source" in ('medusa', 'automatic', 'plural')) not null,
      "status" text check ("status" in ('requested', 'processed', 'pending', 'failed', 'not_made', 'unknown')) not null default 'requested',
      "medusa_refund_id" text null,
      "reported_error" boolean not null default false,
      "last_error" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "deleted_at" timestamptz null,
      constraint "plural_refund_pkey" primary key ("id"));`)
    this.addSql(`create unique index if not exists "IDX_plural_refund_reference_unique" on "plural_refund" ("reference") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_refund_plural_order_id" on "plural_refund" ("plural_order_id") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_refund_deleted_at" on "plural_refund" ("deleted_at") where "deleted_at" is null;`)

    // `received`: stored and acknowledged, waiting for its (asynchronous) processing.
    this.addSql(`alter table if exists "plural_webhook_event" drop constraint if exists "plural_webhook_event_status_check";`)
    this.addSql(
      `alter table if exists "plural_webhook_event" add constraint "plural_webhook_event_status_check" check ("status" in ('received', 'processing', 'processed', 'failed', 'ignored'));`
    )
    this.addSql(`alter table if exists "plural_webhook_event" add column if not exists "payload" jsonb null;`)
    this.addSql(`alter table if exists "plural_webhook_event" add column if not exists "next_attempt_at" timestamptz null;`)
    this.addSql(`create index if not exists "IDX_plural_webhook_event_next_attempt_at" on "plural_webhook_event" ("next_attempt_at") where "next_attempt_at" is not null and "deleted_at" is null;`)
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "plural_refund" cascade;`)
    this.addSql(`drop table if exists "plural_order" cascade;`)
    this.addSql(`alter table if exists "plural_webhook_event" drop column if exists "payload";`)
    this.addSql(`alter table if exists "plural_webhook_event" drop column if exists "next_attempt_at";`)
  }
}
