import { Migration } from "@medusajs/framework/mikro-orm/migrations"

export class Migration20261122030000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "plural_webhook_event" (
      "id" text not null,
      "webhook_id" text not null,
      "event_type" text not null,
      "plural_order_id" text null,
      "status" text check ("status" in ('processing', 'processed', 'failed', 'ignored')) not null default 'processing',
      "attempts" integer not null default 1,
      "last_error" text null,
      "processed_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "deleted_at" timestamptz null,
      constraint "plural_webhook_event_pkey" primary key ("id"));`)
    this.addSql(
      `create unique index if not exists "IDX_plural_webhook_event_webhook_id_unique" on "plural_webhook_event" ("webhook_id") where "deleted_at" is null;`
    )
    this.addSql(
      `create index if not exists "IDX_plural_webhook_event_deleted_at" on "plural_webhook_event" ("deleted_at") where "deleted_at" is null;`
    )
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "plural_webhook_event" cascade;`)
  }
}
