/** The Plural sandbox as the integration tests drive it: its control API, and browser returns replayed into Medusa. */
import { request } from "undici"
import { signWebhook } from "../../src/plural"
import { startSandbox, type Sandbox } from "../../src/sandbox"

export async function control<T = any>(sandbox: Sandbox, method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const response = await request(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.body.text()
  if (response.statusCode >= 300) throw new Error(`sandbox ${method} ${path}: ${response.statusCode} ${text}`)
  return text ? JSON.parse(text) : (undefined as T)
}

export type Completion = { order: any; callback: { url: string; method: "POST" | "GET"; fields: Record<string, string> } }

/** The shopper finishes on Plural's page: `success`, `failure` or `cancel`. */
export function pay(sandbox: Sandbox, orderId: string, options: { outcome?: "success" | "failure" | "cancel"; send_webhook?: boolean; error_code?: string } = {}) {
  return control<Completion>(sandbox, "POST", `/orders/${orderId}/complete`, { outcome: "success", send_webhook: true, ...options })
}

/** What the shopper's browser does next: return to Medusa's callback route with Plural's signed fields. */
export function returnToStore(api: any, fields: Record<string, string>) {
  return api.post("/hooks/plural/callback", new URLSearchParams(fields).toString(), {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    maxRedirects: 0,
    validateStatus: () => true,
  }) as Promise<{ status: number; headers: Record<string, string> }>
}

/** Polls `check` until it returns something truthy; a bounded loop, never a timed assertion. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, attempts = 150): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** Posts a webhook to Medusa signed with `secret` over `signedBody` (by default the body sent). */
export function postWebhook(
  api: any,
  body: string,
  options: { id: string; timestamp: number; secret: string; signedBody?: string }
): Promise<{ status: number; data: any }> {
  const signature = signWebhook({ id: options.id, timestamp: options.timestamp, body: options.signedBody ?? body }, options.secret)
  return api.post("/hooks/plural/webhook", body, {
    headers: { "content-type": "application/json", "webhook-id": options.id, "webhook-timestamp": String(options.timestamp), "webhook-signature": signature },
    validateStatus: () => true,
  })
}

export const SUCCESS_URL = "http://storefront.test/order/confirmed"
export const FAILURE_URL = "http://storefront.test/checkout/failed"

/** Starts a sandbox and points the test app's Plural provider at it (read by integration-tests/app/medusa-config). */
export async function startSandboxForApp(retries: { max: number } = { max: 2 }): Promise<Sandbox> {
  const sandbox = await startSandbox({ webhookRetryDelaysMs: [100, 200, 400] })
  process.env.PLURAL_PROVIDER_OPTIONS = JSON.stringify({
    client_id: sandbox.merchant.client_id,
    client_secret: sandbox.merchant.client_secret,
    secret_key: sandbox.merchant.secret_key,
    webhook_secret: sandbox.merchant.webhook_secret,
    base_url: sandbox.url,
    backend_url: "http://localhost:9000",
    storefront_success_url: SUCCESS_URL,
    storefront_failure_url: FAILURE_URL,
    retries: { max: retries.max, base_delay_ms: 10, max_delay_ms: 50 },
    timeouts: { connect_ms: 1000, headers_ms: 1500, body_ms: 1500 },
  })
  return sandbox
}
