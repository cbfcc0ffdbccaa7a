/**
 * One HTTP exchange with Plural over undici: timeouts, Request-ID, retries with backoff for requests that are safe
 * to repeat, JSON in and out, errors typed. Knows nothing of endpoints or tokens.
 */
import { randomUUID } from "node:crypto"
import { Agent, type Dispatcher, request } from "undici"
import type { z } from "zod"
import { PluralApiError, PluralNetworkError, PluralResponseError, redact } from "./errors"
import { ErrorBody } from "./schemas"

export type TransportTimeouts = {
  /** TCP + TLS connect. */
  connectMs: number
  /** Until the response headers arrive. */
  headersMs: number
  /** Longest silence while reading the body. */
  bodyMs: number
}

export type RetryPolicy = {
  /** Extra attempts after the first. */
  maxRetries: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 5_000, headersMs: 15_000, bodyMs: 15_000 }
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2_000 }

export type TransportOptions = {
  baseUrl: string
  timeouts?: Partial<TransportTimeouts>
  retry?: Partial<RetryPolicy>
  /** An undici dispatcher to use instead of our own keep-alive pool (a MockAgent in tests, a proxy). */
  dispatcher?: Dispatcher
  /** Told about every retry; never given bodies or headers. */
  onRetry?: (event: { operation: string; attempt: number; delayMs: number; reason: string; requestId: string }) => void
  sleep?: (ms: number) => Promise<void>
}

export type Exchange<T> = {
  operation: string
  method: "GET" | "POST" | "PUT"
  path: string
  body?: unknown
  bearer?: string
  /** Whether sending this twice has the effect of sending it once. */
  safeToRepeat: boolean
  schema: z.ZodType<T>
}

const RETRY_STATUSES = new Set([429, 502, 503, 504])
const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export class Transport {
  readonly baseUrl: string
  private readonly timeouts: TransportTimeouts
  private readonly retry: RetryPolicy
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private readonly onRetry?: TransportOptions["onRetry"]
  private readonly sleep: (ms: number) => Promise<void>

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "")
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts }
    this.retry = { ...DEFAULT_RETRY, ...options.retry }
    this.ownsDispatcher = !options.dispatcher
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: this.timeouts.connectMs },
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
        keepAliveTimeout: 30_000,
        connections: 16,
      })
    this.onRetry = options.onRetry
    this.sleep = options.sleep ?? sleepFor
  }

  async send<T>(exchange: Exchange<T>): Promise<T> {
    const requestId = randomUUID()
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(exchange, requestId)
      if (outcome.ok) return outcome.value
      // A Retry-After longer than we are willing to wait is respected by not retrying, never by retrying early.
      const waitTooLong = outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.maxDelayMs
      const retryable = exchange.safeToRepeat && outcome.retryable && !waitTooLong && attempt < this.retry.maxRetries
      if (!retryable) throw outcome.error
      const delayMs = this.backoff(attempt, outcome.retryAfterMs)
      this.onRetry?.({ operation: exchange.operation, attempt: attempt + 1, delayMs, reason: outcome.error.code, requestId })
      await this.sleep(delayMs)
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close()
  }

  private backoff(attempt: number, retryAfterMs?: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt)
    const jittered = Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
    return retryAfterMs === undefined ? jittered : Math.min(Math.max(retryAfterMs, jittered), this.retry.maxDelayMs)
  }

  private async attempt<T>(
    exchange: Exchange<T>,
    requestId: string
  ): Promise<{ ok: true; value: T } | { ok: false; error: PluralApiError | PluralNetworkError | PluralResponseError; retryable: boolean; retryAfterMs?: number }> {
    const details = { operation: exchange.operation, requestId }
    let status: number
    let text: string
    let retryAfter: string | undefined
    try {
      const response = await request(`${this.baseUrl}${exchange.path}`, {
        method: exchange.method,
        dispatcher: this.dispatcher,
        headers: {
          accept: "application/json",
          "content-type": "application/json",
          "request-id": requestId,
          "request-timestamp": new Date().toISOString(),
          ...(exchange.bearer ? { authorization: `Bearer ${exchange.bearer}` } : {}),
        },
        body: exchange.body === undefined ? undefined : JSON.stringify(exchange.body),
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      })
      status = response.statusCode
      const header = response.headers["retry-after"]
      retryAfter = Array.isArray(header) ? header[0] : header
      text = await response.body.text()
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? "NETWORK_ERROR"
      return {
        ok: false,
        retryable: true,
        error: new PluralNetworkError(
          `Plural did not answer ${exchange.operation} (${code}). Nothing is known about its outcome; it is safe to retry.`,
          { code, ...details },
          { cause }
        ),
      }
    }

    const json = parseJson(text)
    if (status < 200 || status >= 300) {
      const body = ErrorBody.safeParse(json)
      const code = body.success ? body.data.code : `HTTP_${status}`
      const message = body.success && body.data.message ? body.data.message : `HTTP ${status}`
      return {
        ok: false,
        retryable: RETRY_STATUSES.has(status),
        retryAfterMs: retryAfterMs(retryAfter),
        error: new PluralApiError(`Plural refused ${exchange.operation}: ${code}: ${message}`, {
          code,
          status,
          ...details,
          additionalDetails: body.success
            ? (body.data.additional_error_details ?? body.data.additionalErrorPayload)
            : undefined,
        }),
      }
    }

    const parsed = exchange.schema.safeParse(json)
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
        .join("; ")
      return {
        ok: false,
        retryable: false,
        error: new PluralResponseError(
          `Plural's answer to ${exchange.operation} is not in the documented shape (${where})`,
          { code: "MALFORMED_RESPONSE", status, ...details }
        ),
      }
    }
    return { ok: true, value: parsed.data }
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return redact(text.slice(0, 200))
  }
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
