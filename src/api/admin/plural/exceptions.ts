/**
 * The ledger's exceptions as the merchant reads them: what happened to which money, and what fixes it. Shared by the
 * Plural admin page and the order widget.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { PLURAL_MODULE } from "../../../modules/plural"
import type { PluralModuleService } from "../../../modules/plural/service"
import type { PluralException, PluralExceptionKind, PluralExceptionList } from "../../../shared/answers"


/** A `requested` refund older than this lost its caller (the process died mid-call). */
const REQUESTED_STALE_MS = 2 * 60_000

export async function listExceptions(
  container: MedusaContainer,
  filter: { plural_order_ids?: string[]; kind?: PluralExceptionKind; limit?: number; offset?: number } = {}
): Promise<PluralExceptionList> {
  const ledger = container.resolve<PluralModuleService>(PLURAL_MODULE)
  const { orders, refunds, events } = await ledger.exceptionRows({ plural_order_ids: filter.plural_order_ids })
  const parents = new Map(orders.map((o) => [o.plural_order_id, o]))
  const all: PluralException[] = [
    ...orders.map((o): PluralException => {
      const kind: PluralExceptionKind =
        o.state === "released" ? "released_automatically" : o.state === "refunded" ? "refunded_automatically" : "paid_without_order"
      const action =
        o.state === "paid"
          ? "The shopper has paid but the cart could not become an order. The plugin retries and then refunds automatically; to keep the sale, fix the cause (e.g. restock the item) and press Reconcile now."
          : o.state === "returning"
            ? "The plugin is giving this money back and retries until Plural confirms. If this stays here for hours, refund the shopper from Plural's dashboard."
            : "Nothing to do: the money went back to the shopper automatically. Tell the shopper if they ask."
      return {
        id: o.id,
        kind,
        plural_order_id: o.plural_order_id,
        merchant_order_reference: o.merchant_order_reference,
        cart_id: o.cart_id,
        order_id: o.medusa_order_id,
        amount: o.amount,
        currency_code: o.currency_code,
        reason: [o.reason, o.state !== "refunded" && o.state !== "released" ? o.last_error : null].filter(Boolean).join(" — ") || null,
        action,
        occurred_at: new Date(o.updated_at).toISOString(),
      }
    }),
    ...refunds
      .filter((r) => r.status !== "requested" || Date.now() - new Date(r.updated_at).getTime() > REQUESTED_STALE_MS)
      .map((r): PluralException => ({
        id: r.id,
        kind: r.status === "failed" ? "refund_failed" : "refund_unknown",
        plural_order_id: r.plural_order_id,
        merchant_order_reference: r.reference,
        cart_id: parents.get(r.plural_order_id)?.cart_id ?? null,
        order_id: parents.get(r.plural_order_id)?.medusa_order_id ?? null,
        amount: r.amount,
        currency_code: r.currency_code,
        reason: r.last_error ?? (r.status === "failed" ? "Plural reports the refund FAILED" : "Plural has not confirmed the refund"),
        action:
          r.status === "failed"
            ? "Nothing reached the shopper. Refund them another way, or refund again from the order."
            : "The plugin keeps asking Plural. Do not refund this amount another way until it is resolved: if Plural made it, it appears on the order by itself.",
        occurred_at: new Date(r.updated_at).toISOString(),
      })),
    ...events.map((e): PluralException => ({
      id: e.webhook_id,
      kind: "webhook_failing",
      plural_order_id: e.plural_order_id,
      merchant_order_reference: null,
      cart_id: null,
      order_id: null,
      amount: null,
      currency_code: null,
      reason: `${e.event_type} failed ${e.attempts} time(s): ${e.last_error ?? "unknown error"}`,
      action: "The plugin retries it on its own. If it keeps failing, read the error; Sync from Plural on the order settles the payment too.",
      occurred_at: new Date(e.updated_at).toISOString(),
    })),
  ].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at))

  const counts: PluralExceptionList["counts"] = {}
  for (const item of all) counts[item.kind] = (counts[item.kind] ?? 0) + 1
  const offset = filter.offset ?? 0
  const selected = filter.kind ? all.filter((e) => e.kind === filter.kind) : all
  return { exceptions: selected.slice(offset, offset + (filter.limit ?? 50)), counts }
}
