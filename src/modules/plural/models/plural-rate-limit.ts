import { model } from "@medusajs/framework/utils"

/**
 * A fixed-window counter shared by every Medusa instance (a process's memory would let each instance grant the
 * full allowance): `hits` requests under `key` since the window began; the window ends at `window_ends_at`.
 */
export const PluralRateLimit = model.define("plural_rate_limit", {
  id: model.id({ prefix: "plrl" }).primaryKey(),
  key: model.text().unique(),
  hits: model.number().default(0),
  window_ends_at: model.dateTime(),
})
