import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/** Pay by points: the shoppers' consents (and the ledger's link to them), and the rate limits shared by instances. */
export class Migration20261130090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists "plural_points_consent" (
      "id" text not null,
      "cart_id" text not null,
      "customer_id" text null,
      "text_version" text not null,
      "text" text not null,
      "consented_at" timestamptz not null,
      "session_id" text null,
      "merchant_order_reference" text null,
      "plural_order_id" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "deleted_at" timestamptz null,
      constraint "plural_points_consent_pkey" primary key ("id"));`)
    this.addSql(`create index if not exists "IDX_plural_points_consent_cart_id" on "plural_points_consent" ("cart_id") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_points_consent_customer_id" on "plural_points_consent" ("customer_id") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_points_consent_plural_order_id" on "plural_points_consent" ("plural_order_id") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_points_consent_deleted_at" on "plural_points_consent" ("deleted_at") where "deleted_at" is null;`)

    this.addSql(`alter table if exists "plural_order" add column if not exists "points_consent_id" text null;`)

    this.addSql(`create table if not exists "plural_rate_limit" (
      "id" text not null,
      "key" text not null,
      "hits" integer not null default 0,
      "window_ends_at" timestamptz not null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "deleted_at" timestamptz null,
      constraint "plural_rate_limit_pkey" primary key ("id"));`)
    this.addSql(`create unique index if not exists "IDX_plural_rate_limit_key_unique" on "plural_rate_limit" ("key") where "deleted_at" is null;`)
    this.addSql(`create index if not exists "IDX_plural_rate_limit_deleted_at" on "plural_rate_limit" ("deleted_at") where "deleted_at" is null;`)
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "plural_rate_limit" cascade;`)
    this.addSql(`alter table if exists "plural_order" drop column if exists "points_consent_id";`)
    this.addSql(`drop table if exists "plural_points_consent" cascade;`)
  }
}
