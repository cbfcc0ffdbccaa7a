// @ts-check
// Hostile requests to the plugin's public routes (browser return, webhook, settle, points balance): the fixed set
// the topology test sends to every instance, and the chaos run's fuzz pass, which draws thousands more from
// mutations of the real payloads. A request is `{ route, path, method?, headers?, body?, publishable?, admin?,
// signed? }`: the sender adds the publishable key or the admin's token where asked; `signed` marks a webhook validly
// signed with the merchant's secret. CommonJS so that Jest and the .mjs scripts share it.
"use strict"

/**
 * One request to a route of the store at some base URL.
 * @typedef {{
 *   route: string,
 *   path: string,
 *   method?: string,
 *   headers?: Record<string, string>,
 *   body?: string,
 *   publishable?: boolean,
 *   admin?: boolean,
 *   signed?: boolean,
 * }} HostileRequest
 */

/** @typedef {null | boolean | number | string | JsonList | { [key: string]: Json }} Json */
/** @typedef {Json[]} JsonList */

const JSON_TYPE = { "content-type": "application/json" }
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" }
const WEBHOOK = "/hooks/plural/webhook"
const CALLBACK = "/hooks/plural/callback"
const POINTS = "/admin/plural/points-balance"
/** @param {string} cartId */
const settlePath = (cartId) => `/store/plural/carts/${cartId}/settle`

/**
 * One of each kind. `orderId` a real Plural order, `webhookBody` a real event for it, `callbackFields` a real
 * browser return (signed), `cartId` a real cart, `card` a card number that must never reach a log.
 * @param {{ orderId: string, webhookBody: string, callbackFields: Record<string, string>, cartId: string, card: string }} facts
 * @returns {HostileRequest[]}
 */
function hostileRequests({ orderId, webhookBody, callbackFields, cartId, card }) {
  const huge = "x".repeat(200_000)
  return [
    { route: "webhook", path: WEBHOOK, headers: JSON_TYPE, body: "{not json" },
    { route: "webhook", path: WEBHOOK, headers: JSON_TYPE, body: webhookBody },
    { route: "webhook", path: WEBHOOK, headers: { ...JSON_TYPE, "webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA" }, body: webhookBody },
    { route: "webhook", path: WEBHOOK, headers: { ...JSON_TYPE, "webhook-id": "x".repeat(5000), "webhook-timestamp": "nan", "webhook-signature": "v1," }, body: webhookBody },
    { route: "webhook", path: WEBHOOK, headers: JSON_TYPE, body: JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }) },
    { route: "webhook", path: WEBHOOK, headers: JSON_TYPE, body: JSON.stringify({ event_type: huge }) },
    { route: "callback", path: CALLBACK, headers: FORM_TYPE, body: new URLSearchParams({ ...callbackFields, signature: "00" }).toString() },
    { route: "callback", path: CALLBACK, headers: FORM_TYPE, body: new URLSearchParams({ order_id: "\u0000\u202e💸", signature: "zz" }).toString() },
    { route: "callback", path: CALLBACK, headers: FORM_TYPE, body: `order_id=${huge}&signature=1` },
    { route: "callback", path: CALLBACK, headers: FORM_TYPE, body: `order_id=${encodeURIComponent(orderId)}&order_id=b&signature=x&signature=y` },
    { route: "callback", path: `${CALLBACK}?order_id[]=1&signature[__proto__]=2`, method: "GET" },
    { route: "settle", path: settlePath(encodeURIComponent("cart_' or 1=1 --")), headers: JSON_TYPE, body: "{}", publishable: true },
    { route: "settle", path: settlePath("c".repeat(3000)), headers: JSON_TYPE, body: "{}", publishable: true },
    { route: "settle", path: settlePath(cartId), headers: JSON_TYPE, body: "{}" },
    { route: "points", path: POINTS, headers: JSON_TYPE, body: JSON.stringify({ card_number: Number(card), registered_mobile_number: "9876543210", amount: 100 }), admin: true },
  ]
}

// ---- the fuzz pass's mutations ----------------------------------------------------------------------------------

/** @type {Json[]} */
const NASTY_VALUES = [
  null,
  true,
  -1,
  0,
  1e308,
  -0.5,
  "",
  " ",
  "\u0000",
  "\u202e\u200b💸𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "'; drop table payment; --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "%00%ff",
  "9".repeat(400),
  [],
  [1, "a", null],
  {},
  { $gt: "" },
  { __proto__: { admin: true } },
]
const POLLUTING_KEYS = ["__proto__", "constructor", "prototype"]

/**
 * A small seeded generator (mulberry32), so a run's requests can be drawn again.
 * @param {number} seed
 */
function seededRandom(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /**
   * @template T
   * @param {readonly T[]} list
   * @returns {T}
   */
  const pick = (list) => list[Math.floor(next() * list.length)]
  return { next, pick, int: (/** @type {number} */ max) => Math.floor(next() * max) }
}

/** @typedef {ReturnType<typeof seededRandom>} Random */

/**
 * Every key path of a JSON value (objects and arrays), e.g. `data.order_amount.value`.
 * @param {Json} value
 * @param {string[]} [prefix]
 * @returns {string[][]}
 */
function keyPaths(value, prefix = []) {
  if (value === null || typeof value !== "object") return []
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...keyPaths(child, [...prefix, key])])
}

/**
 * A copy of `value` with the object at `path` changed by `change(parent, lastKey)`.
 * @param {Json} value
 * @param {string[]} path
 * @param {(parent: Record<string, Json>, key: string) => void} change
 */
function mutateAt(value, path, change) {
  /** @type {Record<string, Json>} */
  const copy = JSON.parse(JSON.stringify(value))
  let parent = copy
  // A key path runs through objects and arrays only (keyPaths).
  for (const key of path.slice(0, -1)) parent = /** @type {Record<string, Json>} */ (parent[key])
  change(parent, path[path.length - 1])
  return copy
}

/**
 * A JSON text derived from `value`: a field dropped, retyped, duplicated, polluted, blown up, or the text broken.
 * @param {Record<string, Json>} value
 * @param {Random} random
 * @returns {string}
 */
function mutateJson(value, random) {
  const paths = keyPaths(value)
  const path = paths.length ? random.pick(paths) : ["x"]
  switch (random.int(9)) {
    case 0:
      return JSON.stringify(mutateAt(value, path, (parent, key) => delete parent[key]))
    case 1:
      return JSON.stringify(mutateAt(value, path, (parent, key) => (parent[key] = random.pick(NASTY_VALUES))))
    case 2: {
      // The same key twice in the text: which one wins must not matter.
      const text = JSON.stringify(value)
      const key = path[path.length - 1]
      return text.replace(`"${key}":`, `"${key}":${JSON.stringify(random.pick(NASTY_VALUES))},"${key}":`)
    }
    case 3:
      return `{"${random.pick(POLLUTING_KEYS)}":{"polluted":true,"isAdmin":true},${JSON.stringify(value).slice(1)}`
    case 4:
      return JSON.stringify(mutateAt(value, path, (parent, key) => (parent[key] = "💥".repeat(50_000 + random.int(50_000)))))
    case 5:
      return `${"[".repeat(5000)}${"]".repeat(5000)}`
    case 6:
      return JSON.stringify(value).slice(0, 1 + random.int(JSON.stringify(value).length - 1))
    case 7:
      // Larger than any sane limit: the server must refuse it without falling over.
      return JSON.stringify({ ...value, padding: "p".repeat(1536 * 1024) })
    default:
      return JSON.stringify(random.pick(NASTY_VALUES))
  }
}

/**
 * `count` hostile requests drawn from mutations of real payloads, spread evenly over the four routes.
 * - `orderId`: a Plural order that is NOT paid, so that re-signed claims that it was are lies the plugin must catch
 *   by asking Plural; `webhookBody` an event for it, `cartId` its cart;
 * - `signWebhook(body, {timestamp})` → headers with a valid signature (replays and re-signed payloads get through
 *   verification and reach the processing), `signCallback(fields)` → the fields' valid signature;
 * - `cards`: card numbers sent to the points route (then grepped for in every log).
 * @param {{
 *   count: number,
 *   seed?: number,
 *   orderId: string,
 *   webhookBody: string,
 *   cartId: string,
 *   cards: string[],
 *   signWebhook: (body: string, options: { timestamp: number }) => Record<string, string>,
 *   signCallback: (fields: Record<string, string>) => string,
 * }} options
 * @returns {HostileRequest[]}
 */
function fuzzRequests({ count, seed = 1, orderId, webhookBody, cartId, cards, signWebhook, signCallback }) {
  const random = seededRandom(seed)
  const event = JSON.parse(webhookBody)
  const webhook = () => {
    const body = random.next() < 0.8 ? mutateJson(event, random) : webhookBody
    const now = Math.floor(Date.now() / 1000)
    switch (random.int(5)) {
      case 0:
        return { headers: { ...JSON_TYPE, ...signWebhook(body, { timestamp: now }) }, body, signed: true }
      case 1:
        // A replay: a valid signature from ten minutes ago.
        return { headers: { ...JSON_TYPE, ...signWebhook(body, { timestamp: now - 600 }) }, body }
      case 2:
        return { headers: { ...JSON_TYPE, "webhook-id": `msg_${random.int(1e9)}`, "webhook-timestamp": String(now), "webhook-signature": `v1,${Buffer.from(body.slice(0, 32)).toString("base64")}` }, body }
      case 3:
        return { headers: { ...JSON_TYPE, ...signWebhook(body, { timestamp: now }), "webhook-signature": random.pick(["", "v1", "v2,abc", "v1,".padEnd(10_000, "A")]) }, body }
      default:
        return { headers: JSON_TYPE, body }
    }
  }
  const callback = () => {
    /** @type {Record<string, string>} */
    const claimed = { order_id: random.next() < 0.7 ? orderId : random.pick(["v1-0000", "", "💸", "x".repeat(3000), "../admin"]) }
    claimed[random.next() < 0.5 ? "payment_status" : "status"] = random.pick(["PROCESSED", "AUTHORIZED", "processed", "", "FULLY_REFUNDED"])
    if (random.next() < 0.2) claimed.error_code = random.pick(["", "<b>", "💸"])
    const signed = { ...claimed, signature: signCallback(claimed) }
    const text = random.next() < 0.5 ? mutateJson(signed, random) : JSON.stringify(signed)
    let form
    try {
      const fields = JSON.parse(text)
      form = Object.entries(fields && typeof fields === "object" ? fields : { value: fields })
        .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value))}`)
        .join("&")
    } catch {
      // Not JSON any more (cut short, or nested too deep to encode): sent as it is.
      return { headers: FORM_TYPE, body: text }
    }
    switch (random.int(5)) {
      case 0:
        return { method: "GET", path: `${CALLBACK}?${form}` }
      case 1:
        return { headers: JSON_TYPE, body: text }
      case 2:
        return { headers: FORM_TYPE, body: `${form}&${form}&${random.pick(POLLUTING_KEYS)}[isAdmin]=1` }
      default:
        return { headers: FORM_TYPE, body: form }
    }
  }
  const settle = () => {
    const id = random.next() < 0.5 ? cartId : random.pick(["", "%00", "cart_'--", "c".repeat(5000), "💸", "..%2F..%2Fadmin", "cart_01" + "0".repeat(24)])
    const body = random.next() < 0.5 ? mutateJson({ cart_id: cartId, status: "completed" }, random) : "{}"
    return { path: settlePath(encodeURIComponent(id) || "%20"), headers: JSON_TYPE, body, publishable: random.next() < 0.9 }
  }
  const points = () => {
    const valid = { card_number: random.pick(cards), registered_mobile_number: "9876543210", amount: 100 }
    return { headers: JSON_TYPE, body: mutateJson(valid, random), admin: random.next() < 0.85 }
  }
  /** @type {[string, string | null, () => Omit<HostileRequest, "route" | "path"> & { path?: string }][]} */
  const makers = [
    ["webhook", WEBHOOK, webhook],
    ["callback", CALLBACK, callback],
    ["settle", null, settle],
    ["points", POINTS, points],
  ]
  return Array.from({ length: count }, (_, i) => {
    const [route, path, make] = makers[i % makers.length]
    return /** @type {HostileRequest} */ ({ route, path, ...make() })
  })
}

module.exports = { hostileRequests, fuzzRequests }
