// @ts-check
// The audit: every order the Plural sandbox holds, against Medusa's database and the plugin's ledger. For each
// Plural order that was paid, who owns the money now — a Medusa order holding its payment, or money given back and
// recorded — and for each Medusa order, whether money stands behind it. Amounts in paise throughout.

/**
 * An order the sandbox holds, as its control API lists it (`GET /_sandbox/orders`): a charge, with what was refunded
 * of it (paise), or a refund.
 * @typedef {SandboxCharge | (import("../../src/plural/schemas.js").RefundOrder & { refunded_amount?: undefined })} SandboxOrder
 */
/** @typedef {import("../../src/plural/schemas.js").Order & { refunded_amount: number }} SandboxCharge */

/**
 * What the audit counts for a scenario: its checkouts, the Plural orders paid, the Medusa orders made, the money
 * given back automatically, what must be 0 (duplicates, money without an owner, free orders, refunds paid twice)
 * and the times from payment to order (ms).
 * @typedef {{
 *   checkouts: number,
 *   paid: number,
 *   orders: Set<string>,
 *   givenBack: number,
 *   duplicates: number,
 *   noOwner: number,
 *   free: number,
 *   refundedTwice: number,
 *   times: number[],
 * }} AuditRow
 */

/**
 * A Medusa payment (amounts in major units, as PostgreSQL's numeric text) and the Plural order it belongs to.
 * @typedef {{
 *   id: string,
 *   payment_session_id: string,
 *   payment_collection_id: string,
 *   amount: string,
 *   captured_at: Date | null,
 *   canceled_at: Date | null,
 *   provider_id: string,
 *   plural_order_id: string | null,
 *   captures: number,
 *   captured: string,
 *   refunded: string,
 * }} PaymentRow
 */

/** @typedef {{ id: string, created_at: Date, cart_id: string | null, payment_collection_ids: string[] }} OrderRow */

/**
 * The plugin's ledger row of a Plural order (what the audit reads of it).
 * @typedef {{
 *   plural_order_id: string | null,
 *   merchant_order_reference: string,
 *   cart_id: string | null,
 *   session_id: string | null,
 *   state: string,
 *   last_error: string | null,
 * }} LedgerRow
 */

/**
 * Medusa keeps decimal major units; the audit compares integer paise.
 * @param {string | number | null | undefined} amount
 */
const paise = (amount) => Math.round(Number(amount ?? 0) * 100)

/**
 * What Plural holds for a charge: paid at all, captured, authorised only, refunded, and what is still held.
 * @param {SandboxCharge} order
 */
function pluralHolding(order) {
  const captured = order.payments.reduce(
    (sum, p) => sum + (p.capture_data ? p.capture_data.reduce((s, c) => s + c.capture_amount.value, 0) : p.status === "PROCESSED" ? p.payment_amount.value : 0),
    0
  )
  const authorised = order.payments.filter((p) => p.status === "AUTHORIZED").reduce((sum, p) => sum + p.payment_amount.value, 0)
  // A released authorisation is CANCELLED without an error; a shopper's cancel or a decline carries one.
  const released = order.payments.some((p) => p.status === "CANCELLED" && !p.error_detail)
  const refunded = order.refunded_amount ?? 0
  return { paid: captured > 0 || authorised > 0 || released, captured, authorised, released, refunded, held: captured - refunded + authorised }
}

/**
 * Everything the audit reads from Medusa's database and the ledger.
 * @param {import("./topology.mjs").Sql} sql
 */
async function readStore(sql) {
  /** @type {Promise<PaymentRow[]>} */
  const payments = sql(`select p.id, p.payment_session_id, p.payment_collection_id, p.amount, p.captured_at, p.canceled_at, p.provider_id,
                p.data->>'plural_order_id' as plural_order_id,
                (select count(*)::int from capture c where c.payment_id = p.id and c.deleted_at is null) as captures,
                (select coalesce(sum(c.amount), 0) from capture c where c.payment_id = p.id and c.deleted_at is null) as captured,
                (select coalesce(sum(r.amount), 0) from refund r where r.payment_id = p.id and r.deleted_at is null) as refunded
           from payment p where p.deleted_at is null`)
  /** @type {Promise<OrderRow[]>} */
  const orders = sql(`select o.id, o.created_at, oc.cart_id,
                array_remove(array_agg(distinct opc.payment_collection_id), null) as payment_collection_ids
           from "order" o
           left join order_cart oc on oc.order_id = o.id and oc.deleted_at is null
           left join order_payment_collection opc on opc.order_id = o.id and opc.deleted_at is null
          where o.deleted_at is null
          group by o.id, o.created_at, oc.cart_id`)
  /** @type {Promise<LedgerRow[]>} */
  const ledger = sql(`select * from plural_order`)
  const [paymentRows, orderRows, ledgerRows] = await Promise.all([payments, orders, ledger])
  return { payments: paymentRows, orders: orderRows, ledger: ledgerRows }
}

/**
 * Audits `pluralOrders` (the sandbox's `GET /_sandbox/orders`) against the store and the shoppers' `checkouts`: a row
 * of counts per scenario, and a line per finding.
 * @param {{ pluralOrders: SandboxOrder[], sql: import("./topology.mjs").Sql, checkouts: import("./shopper.mjs").Checkout[] }} input
 * @returns {Promise<{ rows: Map<string, AuditRow>, findings: string[] }>}
 */
export async function audit({ pluralOrders, sql, checkouts }) {
  const store = await readStore(sql)
  // Which scenario a cart, a payment session or a Plural order belongs to.
  /** @type {Map<string, string>} */
  const scenarios = new Map()
  for (const c of checkouts) for (const id of [c.cartId, ...c.sessionIds, ...c.pluralOrderIds]) if (id) scenarios.set(id, c.scenario)
  /** @param {string | null | undefined} id */
  const scenarioOf = (id) => (id ? scenarios.get(id) : undefined)
  /** @type {string[]} */
  const findings = []
  /** @type {Map<string, AuditRow>} */
  const rows = new Map()
  /** @param {string} scenario */
  const row = (scenario) => {
    let counts = rows.get(scenario)
    if (!counts) {
      counts = { checkouts: 0, paid: 0, orders: new Set(), givenBack: 0, duplicates: 0, noOwner: 0, free: 0, refundedTwice: 0, times: [] }
      rows.set(scenario, counts)
    }
    return counts
  }
  for (const checkout of checkouts) row(checkout.scenario).checkouts++

  const ledgerByPluralId = new Map(store.ledger.filter((r) => r.plural_order_id).map((r) => [r.plural_order_id, r]))
  const ledgerByReference = new Map(store.ledger.map((r) => [r.merchant_order_reference, r]))
  /** @type {Map<string, OrderRow[]>} */
  const ordersByCollection = new Map()
  for (const order of store.orders) for (const pc of order.payment_collection_ids) ordersByCollection.set(pc, [...(ordersByCollection.get(pc) ?? []), order])
  /** @type {Map<string, PaymentRow[]>} */
  const paymentsByPluralId = new Map()
  for (const payment of store.payments) {
    if (payment.plural_order_id) paymentsByPluralId.set(payment.plural_order_id, [...(paymentsByPluralId.get(payment.plural_order_id) ?? []), payment])
  }
  const charges = pluralOrders.filter((o) => o.type !== "REFUND")
  const chargeById = new Map(charges.map((o) => [o.order_id, o]))

  // ---- every Plural order that was paid: who owns its money now? --------------------------------------------------
  for (const order of charges) {
    const holding = pluralHolding(order)
    const ledger = ledgerByPluralId.get(order.order_id) ?? ledgerByReference.get(order.merchant_order_reference)
    const scenario = scenarioOf(ledger?.cart_id) ?? scenarioOf(ledger?.session_id) ?? scenarioOf(order.order_id) ?? "(not attributed to a checkout)"
    if (!holding.paid) continue
    const r = row(scenario)
    r.paid++
    const where = `${scenario}: Plural order ${order.order_id} (${order.status}, held ${holding.held} paise, refunded ${holding.refunded})`
    if (!ledger) {
      r.noOwner++
      findings.push(`${where}: no ledger row`)
      continue
    }
    const payments = paymentsByPluralId.get(order.order_id) ?? []
    const holders = payments.flatMap((p) => (ordersByCollection.get(p.payment_collection_id) ?? []).map((o) => ({ payment: p, order: o })))
    const live = holders.filter((h) => !h.payment.canceled_at)
    if (live.length > 1 || payments.filter((p) => !p.canceled_at).length > 1) {
      r.duplicates++
      findings.push(`${where}: held by ${live.length} Medusa orders / ${payments.length} payments`)
    }
    for (const { payment } of holders) {
      if (payment.captures > 1) {
        r.duplicates++
        findings.push(`${where}: payment ${payment.id} has ${payment.captures} captures`)
      }
    }
    const holder = live[0] ?? holders[0]
    if (holder) {
      const medusaRefunded = paise(holder.payment.refunded)
      const medusaCaptured = paise(holder.payment.captured)
      if (holding.refunded > medusaRefunded) {
        r.refundedTwice++
        findings.push(`${where}: Plural refunded ${holding.refunded} but Medusa order ${holder.order.id} records ${medusaRefunded}`)
      } else if (holding.refunded < medusaRefunded) {
        r.noOwner++
        findings.push(`${where}: Medusa order ${holder.order.id} records ${medusaRefunded} refunded, Plural only ${holding.refunded}`)
      }
      if (holding.captured !== medusaCaptured && !(holding.captured === 0 && medusaCaptured === 0)) {
        findings.push(`${where}: captured ${holding.captured} at Plural, ${medusaCaptured} in Medusa (payment ${holder.payment.id})`)
        if (holding.captured > medusaCaptured) r.noOwner++
        else r.free++
      }
      if (holding.held > 0 && holder.payment.canceled_at) {
        r.noOwner++
        findings.push(`${where}: Medusa cancelled payment ${holder.payment.id} but Plural still holds the money`)
      }
      continue
    }
    // No Medusa order holds it: the money must have gone back, recorded in the ledger.
    if (holding.held === 0 && ["refunded", "released"].includes(ledger.state)) {
      r.givenBack++
      if (holding.refunded > holding.captured) {
        r.refundedTwice++
        findings.push(`${where}: refunded more than captured`)
      }
      continue
    }
    if (holding.held === 0) {
      findings.push(`${where}: given back, but the ledger says ${ledger.state}`)
      r.givenBack++
      continue
    }
    r.noOwner++
    findings.push(`${where}: no Medusa order holds it; ledger ${ledger.state}${ledger.last_error ? ` (${ledger.last_error.slice(0, 120)})` : ""}`)
  }

  // ---- every Medusa order: one per cart, and money behind it ---------------------------------------------------
  /** @type {Map<string, OrderRow[]>} */
  const ordersByCart = new Map()
  for (const order of store.orders) if (order.cart_id) ordersByCart.set(order.cart_id, [...(ordersByCart.get(order.cart_id) ?? []), order])
  for (const order of store.orders) {
    const scenario = scenarioOf(order.cart_id) ?? "(not attributed to a checkout)"
    const r = row(scenario)
    r.orders.add(order.id)
    const sameCart = order.cart_id ? (ordersByCart.get(order.cart_id) ?? []) : []
    if (sameCart.length > 1 && sameCart[0].id === order.id) {
      r.duplicates += sameCart.length - 1
      findings.push(`${scenario}: cart ${order.cart_id} became ${sameCart.length} orders`)
    }
    const payments = store.payments.filter((p) => order.payment_collection_ids.includes(p.payment_collection_id))
    const backed = payments.some((p) => {
      const plural = p.plural_order_id ? chargeById.get(p.plural_order_id) : undefined
      return plural ? pluralHolding(plural).paid : p.provider_id !== "pp_plural_plural"
    })
    if (!backed) {
      r.free++
      findings.push(`${scenario}: Medusa order ${order.id} has no money behind it (payments: ${payments.map((p) => `${p.id}→${p.plural_order_id}`).join(", ") || "none"})`)
    }
  }

  // ---- payment → order, as the shopper saw it (or, for one who left, when the order was made) -------------------
  const orderCreated = new Map(store.orders.map((o) => [o.cart_id, new Date(o.created_at).getTime()]))
  for (const checkout of checkouts) {
    const orderAt = checkout.orderAt ?? (checkout.cartId ? orderCreated.get(checkout.cartId) : undefined)
    if (checkout.paidAt && orderAt) row(checkout.scenario).times.push(Math.max(0, orderAt - checkout.paidAt))
  }
  return { rows, findings }
}
