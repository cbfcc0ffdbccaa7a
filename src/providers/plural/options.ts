/**
 * The provider's options: one zod schema that validates them at boot (`validateOptions`) and that
 * medusa-plugin.json's JSON Schema is generated from.
 */
import { z } from "zod"
import type { PluralClientOptions } from "../../plural/client"
import { PaymentMethod } from "../../plural/schemas"
import { returnUrlTemplateProblem, type ReturnUrlPlaceholder } from "../../shared/return-url"
import { DEFAULT_POINTS_CONSENT } from "./utils/points-consent"

// http(s) only: a bare `localhost:4010` or `shop.example.in:443` parses as a URL with an odd scheme and would fail
// only at the first payment.
const url = (what: string) => z.url({ protocol: /^https?$/, message: `must be an absolute http(s) URL (${what})` })

// A storefront return URL may carry {order_id}, {cart_id}, {country_code} in its path; a typo must stop boot, not
// send shoppers to a 404.
const returnUrl = (what: string, allowed?: readonly ReturnUrlPlaceholder[]) =>
  url(what).superRefine((template, ctx) => {
    const problem = returnUrlTemplateProblem(template, allowed)
    if (problem) ctx.addIssue({ code: "custom", message: problem })
  })

export const PluralOptionsSchema = z
  .object({
    client_id: z.string({ message: "is required (Plural dashboard → API keys)" }).min(1, "must not be empty"),
    client_secret: z.string({ message: "is required (Plural dashboard → API keys)" }).min(1, "must not be empty"),
    secret_key: z
      .string({ message: "is required: the hex secret key Plural's onboarding team gave you, used to verify browser returns" })
      .regex(/^(?:[0-9a-fA-F]{2})+$/, "must be the hex string Plural gave you (an even number of 0-9 / a-f)"),
    webhook_secret: z
      .string({ message: "is required: the webhook secret from Plural's dashboard" })
      .min(1, "must not be empty"),
    webhook_secret_encoding: z
      .enum(["base64", "raw"])
      .default("base64")
      .describe("How the webhook secret becomes the HMAC key: base64-decoded (Plural's docs) or its raw bytes"),
    environment: z.enum(["uat", "prod"]).default("uat"),
    base_url: url("a Plural-compatible origin such as the sandbox or a proxy; overrides environment").optional(),
    backend_url: url("the public URL of this Medusa server; Plural returns shoppers to <backend_url>/hooks/plural/callback"),
    storefront_success_url: returnUrl(
      "where the shopper lands after paying; {order_id}, {cart_id}, {country_code} in the path are filled in; gets ?order_id=&cart_id="
    ),
    storefront_failure_url: returnUrl(
      "where the shopper lands when the payment failed (?cart_id=&code=&reason=), or while it is still confirmed when the success URL needs {order_id} (?cart_id=&status=pending); {cart_id}, {country_code} in the path are filled in",
      ["cart_id", "country_code"]
    ),
    pre_auth: z.boolean().default(false).describe("Authorize only; capture from the admin (cards only on Plural)"),
    currencies: z
      .array(z.string().regex(/^[a-z]{3}$/, "must be lower-case ISO 4217 codes such as inr"))
      .min(1)
      .default(["inr"]),
    allowed_payment_methods: z
      // POINTS is never listed here: it is added per session, only with the shopper's consent.
      .array(PaymentMethod.exclude(["POINTS"]))
      .optional()
      .describe("Limit hosted checkout to these methods; default: every method but POINTS"),
    pay_by_points: z
      .boolean()
      .default(false)
      .describe("Offer pay by points: POINTS is offered only to a session whose shopper's consent is stored"),
    points_consent: z
      .object({
        version: z.string().min(1).max(100).default(DEFAULT_POINTS_CONSENT.version),
        text: z.string().min(1).max(4000).default(DEFAULT_POINTS_CONSENT.text),
      })
      .prefault({})
      // A stored consent names its text by version: a changed text under the old version would blur the evidence.
      .refine((c) => c.text === DEFAULT_POINTS_CONSENT.text || c.version !== DEFAULT_POINTS_CONSENT.version, {
        path: ["version"],
        message: "must be set to a version of your own when you change the consent text",
      })
      .describe("The pay-by-points consent text shoppers agree to, and its version (stored with every consent)"),
    points_balance_rate_limit: z
      .object({
        per_cart: z.int().positive().default(5),
        per_ip: z.int().positive().default(20),
        window_seconds: z.int().positive().default(600),
      })
      .prefault({})
      .describe("Storefront points-balance checks allowed per cart and per client IP in each window (shared by all instances)"),
    timeouts: z
      .object({
        connect_ms: z.int().positive().default(5_000),
        headers_ms: z.int().positive().default(15_000),
        body_ms: z.int().positive().default(15_000),
        // One deadline per call to Plural, every retry and backoff included.
        total_ms: z.int().positive().default(30_000),
      })
      .prefault({}),
    retries: z
      .object({
        max: z.int().min(0).max(5).default(2),
        base_delay_ms: z.int().min(0).default(200),
        max_delay_ms: z.int().min(0).default(2_000),
      })
      .prefault({}),
    reconcile_after_minutes: z
      .number()
      .positive()
      .default(10)
      .describe("A session still pending this long is re-read from Plural by the reconciliation job"),
    expire_after_minutes: z
      .number()
      .positive()
      .default(24 * 60)
      .describe("A session Plural never saw paid for this long is expired"),
    complete_paid_within_minutes: z
      .number()
      .positive()
      .default(30)
      .describe("A paid order whose cart cannot become a Medusa order is retried this long, then refunded (or released) automatically"),
    poll_interval_seconds: z
      .number()
      .min(0)
      .default(2)
      .describe("The storefront's polling reads an unpaid Plural order at most once per this many seconds, across all instances"),
    webhook_retention_days: z
      .number()
      .positive()
      .default(30)
      .describe("Processed webhook events are kept this long in the inbox, then pruned"),
  })
  .superRefine((options, ctx) => {
    // Decoded leniently, a mistyped secret would become a wrong HMAC key and every webhook would be answered 401.
    if (options.webhook_secret_encoding === "base64" && !isBase64(options.webhook_secret)) {
      ctx.addIssue({
        code: "custom",
        path: ["webhook_secret"],
        message:
          'is not valid base64, which webhook_secret_encoding "base64" (the default) needs: paste the secret exactly as Plural\'s dashboard shows it, or set webhook_secret_encoding: "raw" if Plural signs your webhooks with the secret\'s own bytes',
      })
    }
  })

export type PluralOptions = z.input<typeof PluralOptionsSchema>
export type ResolvedPluralOptions = z.output<typeof PluralOptionsSchema>

/** Parses options, or throws one message naming every bad option and what is wrong with it. */
export function parsePluralOptions(options: unknown): ResolvedPluralOptions {
  const result = PluralOptionsSchema.safeParse(withoutEmptyValues(options ?? {}))
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join(".") || "options"}: ${issue.message}`)
  throw new Error(`medusa-payment-plural: invalid provider options\n${problems.join("\n")}`)
}

/** The Plural client these options describe: credentials, where Plural is, and each call's time and retry limits. */
export function clientOptionsOf(o: ResolvedPluralOptions): PluralClientOptions {
  return {
    clientId: o.client_id,
    clientSecret: o.client_secret,
    environment: o.environment,
    baseUrl: o.base_url,
    timeouts: { connectMs: o.timeouts.connect_ms, headersMs: o.timeouts.headers_ms, bodyMs: o.timeouts.body_ms, totalMs: o.timeouts.total_ms },
    retry: { maxRetries: o.retries.max, baseDelayMs: o.retries.base_delay_ms, maxDelayMs: o.retries.max_delay_ms },
  }
}

/**
 * An empty environment variable (`PLURAL_ENVIRONMENT=`) means "not set": the option's default applies, and a
 * required option is reported as missing rather than as empty.
 */
export function withoutEmptyValues(options: unknown): unknown {
  if (typeof options !== "object" || options === null || Array.isArray(options)) return options
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== ""))
}

/** Canonical base64 (padding optional; a `whsec_` prefix is dropped, as the webhook verifier does). */
function isBase64(secret: string): boolean {
  const body = secret.replace(/^whsec_/, "").replace(/=+$/, "")
  if (!/^[A-Za-z0-9+/]+$/.test(body) || body.length % 4 === 1) return false
  const padded = body.padEnd(Math.ceil(body.length / 4) * 4, "=")
  // Buffer skips what is not base64: a secret that does not survive the round trip was not base64.
  return Buffer.from(padded, "base64").toString("base64") === padded
}
