/**
 * Plural's two signature schemes.
 *
 * Callback (the shopper's browser return; docs/decisions.md): every returned field except `signature`, sorted by key,
 * joined as raw `k=v` with `&`, HMAC-SHA256 with the merchant's hex-decoded secret key, upper-case hex.
 *
 * Webhook (Standard Webhooks): HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${rawBody}`, base64, sent as
 * `v1,<sig>`; one header may carry several space-separated signatures (key rotation).
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { WebhookEvent } from "./schemas"

const HEX_KEY = /^(?:[0-9a-fA-F]{2})+$/

function callbackMessage(fields: Record<string, string>): string {
  return Object.keys(fields)
    .filter((key) => key !== "signature")
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("&")
}

/**
 * Signs the fields of a browser return. Returns "" (never a signature) for an empty field set or a key that is
 * not hex, as Plural's reference code does.
 */
export function signCallback(fields: Record<string, string>, secretKeyHex: string): string {
  const message = callbackMessage(fields)
  if (!message.trim() || !HEX_KEY.test(secretKeyHex ?? "")) return ""
  return createHmac("sha256", Buffer.from(secretKeyHex, "hex")).update(message, "utf8").digest("hex").toUpperCase()
}

/** True only when `fields.signature` is the signature of the other fields under this key. */
export function verifyCallback(fields: Record<string, string>, secretKeyHex: string): boolean {
  const received = fields?.signature
  if (typeof received !== "string" || !received) return false
  const expected = signCallback(fields, secretKeyHex)
  if (!expected) return false
  return constantTimeEqual(expected, received.toUpperCase())
}

export type WebhookSecretEncoding = "base64" | "raw"

export type WebhookSignatureInput = { id: string; timestamp: number | string; body: string }

/**
 * Decision 5 (docs/decisions.md): Plural documents the dashboard's webhook secret base64-decoded (a `whsec_` prefix, if present, is
 * dropped first); its own plugins use the raw bytes of the secret. `base64` is the default.
 */
function webhookKey(secret: string, encoding: WebhookSecretEncoding): Buffer {
  if (encoding === "raw") return Buffer.from(secret, "utf8")
  return Buffer.from(secret.replace(/^whsec_/, ""), "base64")
}

function webhookDigest({ id, timestamp, body }: WebhookSignatureInput, key: Buffer): string {
  return createHmac("sha256", key).update(`${id}.${timestamp}.${body}`, "utf8").digest("base64")
}

/** The `webhook-signature` header value for one delivery. */
export function signWebhook(
  input: WebhookSignatureInput,
  secret: string,
  options: { encoding?: WebhookSecretEncoding } = {}
): string {
  return `v1,${webhookDigest(input, webhookKey(secret, options.encoding ?? "base64"))}`
}

export type VerifyWebhookOptions = {
  /** The current time; injectable for tests. */
  now?: Date | number
  /** How far `webhook-timestamp` may be from now, in seconds. Default 300. */
  toleranceSeconds?: number
  encoding?: WebhookSecretEncoding
}

export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined
  const record = headers as Record<string, string | string[] | undefined>
  const key = Object.keys(record).find((k) => k.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value[0] : value
}

/**
 * True only when the headers carry a fresh timestamp and at least one `v1` signature made with this secret over
 * exactly these raw bytes.
 */
export function verifyWebhook(
  { headers, rawBody }: { headers: WebhookHeaders; rawBody: string | Buffer },
  secret: string,
  options: VerifyWebhookOptions = {}
): boolean {
  const id = header(headers, "webhook-id")
  const timestamp = header(headers, "webhook-timestamp")
  const signatures = header(headers, "webhook-signature")
  if (!secret || !id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false

  const nowSeconds = Math.floor(Number(options.now ?? Date.now()) / 1000)
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false

  const key = webhookKey(secret, options.encoding ?? "base64")
  if (key.length === 0) return false
  const body = typeof rawBody === "string" ? rawBody : rawBody.toString("utf8")
  const expected = webhookDigest({ id, timestamp, body }, key)
  return signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .some((s) => constantTimeEqual(expected, s.slice(3)))
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8")
  const right = Buffer.from(b, "utf8")
  return left.length === right.length && timingSafeEqual(left, right)
}

/** A verified body as a Plural event; undefined for bodies and event types the plugin does not act on. */
export function parseWebhookEvent(rawBody: string | Buffer): WebhookEvent | undefined {
  let json: unknown
  try {
    json = JSON.parse(rawBody.toString())
  } catch {
    return undefined
  }
  const event = WebhookEvent.safeParse(json)
  return event.success ? event.data : undefined
}
