/** When the ledger next looks at a row, should no webhook or shopper come first. */
import type { LedgerOrder } from "../../modules/plural/types"
import type { ResolvedPluralOptions } from "../../providers/plural/options"

const MAX_OPEN_INTERVAL_SECONDS = 6 * 60 * 60
const FIRST_PAID_RETRY_SECONDS = 60
const MAX_PAID_RETRY_SECONDS = 10 * 60

/**
 * An unpaid order is checked after `reconcile_after_minutes`, then at intervals that double with its age (10, 20,
 * 40 min… at most 6 h), and once more when it expires: a handful of reads a day for an abandoned checkout, never
 * one every run.
 */
export function nextOpenCheckSeconds(row: Pick<LedgerOrder, "created_at" | "expires_at">, options: Pick<ResolvedPluralOptions, "reconcile_after_minutes">): number {
  const now = Date.now()
  const age = Math.max(0, (now - new Date(row.created_at).getTime()) / 1000)
  const interval = Math.min(Math.max(age, options.reconcile_after_minutes * 60), MAX_OPEN_INTERVAL_SECONDS)
  const untilExpiry = row.expires_at ? (new Date(row.expires_at).getTime() - now) / 1000 : Infinity
  return Math.ceil(untilExpiry > 0 ? Math.min(interval, untilExpiry + 1) : interval)
}

/** A paid order whose cart would not complete: 1, 2, 4… minutes (at most 10), and a last try at the deadline. */
export function retryPaidSeconds(attempts: number, deadline: number): number {
  const backoff = Math.min(FIRST_PAID_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_PAID_RETRY_SECONDS)
  const untilDeadline = Math.max(1, Math.ceil((deadline - Date.now()) / 1000))
  return Math.min(backoff, untilDeadline)
}

/** Giving money back failed (Plural down, say): try again soon, then less often. */
export function retryReturnSeconds(attempts: number): number {
  return Math.min(FIRST_PAID_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_PAID_RETRY_SECONDS)
}
