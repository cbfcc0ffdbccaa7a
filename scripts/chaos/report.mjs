// @ts-check
// The chaos run's report: one table (markdown, so it can go into the README as it is) of the audit per scenario,
// the time from payment to order per scenario, and the fuzz pass's figures. `failed` says whether the run failed.

/** @typedef {import("./audit.mjs").AuditRow} AuditRow */
/** @typedef {keyof Omit<AuditRow, "orders" | "times">} Count */

/**
 * @param {number[]} values
 * @param {number} q
 */
const quantile = (values, q) => {
  if (!values.length) return undefined
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}
/** @param {number | undefined} ms */
const seconds = (ms) => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`)

/** @type {Count[]} */
const COUNTS = ["checkouts", "paid", "givenBack", "duplicates", "noOwner", "free", "refundedTwice"]
/**
 * The columns whose every value must be 0.
 * @type {Count[]}
 */
const MUST_BE_ZERO = ["duplicates", "noOwner", "free", "refundedTwice"]

/**
 * Lines of the audit table, scenarios in `order` first, a total last.
 * @param {Map<string, AuditRow>} rows
 * @param {string[]} order
 */
export function auditTable(rows, order) {
  const names = [...order.filter((name) => rows.has(name)), ...[...rows.keys()].filter((name) => !order.includes(name))]
  const header = [
    "| scenario | checkouts | paid at Plural | Medusa orders | released/refunded automatically | duplicated orders or captures | paid with no owner | free orders | refunds paid twice | payment → order median | p99 |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ]
  /** @type {Omit<AuditRow, "orders"> & { orders: number }} */
  const total = { checkouts: 0, paid: 0, orders: 0, givenBack: 0, duplicates: 0, noOwner: 0, free: 0, refundedTwice: 0, times: [] }
  /**
   * @param {string} name
   * @param {Omit<AuditRow, "orders">} r
   * @param {number} orders
   */
  const line = (name, r, orders) =>
    `| ${name} | ${r.checkouts} | ${r.paid} | ${orders} | ${r.givenBack} | ${r.duplicates} | ${r.noOwner} | ${r.free} | ${r.refundedTwice} | ${seconds(quantile(r.times, 0.5))} | ${seconds(quantile(r.times, 0.99))} |`
  const body = names.map((name) => {
    const r = /** @type {AuditRow} */ (rows.get(name))
    for (const key of COUNTS) total[key] += r[key]
    total.orders += r.orders.size
    total.times.push(...r.times)
    return line(name, r, r.orders.size)
  })
  return [...header, ...body, line("**all**", total, total.orders)]
}

/**
 * Whether any of the must-be-zero columns is not.
 * @param {Map<string, AuditRow>} rows
 */
export function auditFailed(rows) {
  return [...rows.values()].some((r) => MUST_BE_ZERO.some((key) => r[key] !== 0))
}

/**
 * The fuzz pass's lines.
 * @param {import("./fuzz.mjs").FuzzResult} result
 */
export function fuzzLines(result) {
  const routes = Object.entries(result.byRoute).map(([route, counts]) => `${route} ${Object.entries(counts).map(([k, n]) => `${k}:${n}`).join(" ")}`)
  /** @param {number} value */
  const goal = (value) => (value === 0 ? "0 (goal 0: met)" : `${value} (goal 0: NOT met)`)
  return [
    `| hostile requests | answers ≥ 500 | state changed | secrets, tokens or card numbers in logs | no answer |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    `| ${result.sent} | ${goal(result.fiveHundreds)} | ${goal(result.changes.length)} | ${goal(result.leaks.length)} (${result.secretsChecked} values grepped) | ${result.noAnswer} |`,
    "",
    `by route: ${routes.join(" · ")}`,
  ]
}
