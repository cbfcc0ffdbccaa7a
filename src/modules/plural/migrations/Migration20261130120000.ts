import { Migration } from "@medusajs/framework/mikro-orm/migrations"

/** A refund being recorded on Medusa is marked in the ledger, where no payment-data write can erase the mark. */
export class Migration20261130120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table if exists "plural_refund" add column if not exists "recording_until" timestamptz null;`)
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "plural_refund" drop column if exists "recording_until";`)
  }
}
