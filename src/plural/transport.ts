/**
 * One HTTP exchange with Plural over undici: timeouts, one overall deadline per exchange (retries and backoff
 * included), a cap on the size of every answer, Request-ID, retries with backoff for requests that are safe to
 * repeat, JSON in and out, errors typed. Knows nothing of endpoints or tokens.
 */
import { randomUUID } from "node:crypto"
import { Agent, type Dispatcher, request } from "undici"
import type { z } from "zod"
import { PluralApiError, type PluralError, PluralNetworkError, PluralResponseError, redact } from "./errors"
import { ErrorBody } from "./schemas"

export type TransportTimeouts = {
  /** TCP + TLS connect. */
  connectMs: number
  /** Until the response headers arrive. */
  headersMs: number
  /** Longest silence while reading the body. */
  bodyMs: number
  /**
   * One deadline for the whole exchange: every attempt, every backoff sleep. When it passes the request in flight
   * is aborted and no retry is started.
   */
  totalMs: number
}

export type RetryPolicy = {
  /** Extra attempts after the first. */
  maxRetries: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 5_000, headersMs: 15_000, bodyMs: 15_000, totalMs: 30_000 }
/** Plural's largest documented answer (an order with its payments) is a few KiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
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
  /** The clock the deadline is measured on (milliseconds); `Date.now` unless a test gives its own. */
  now?: () => number
  /** A longer answer (error answers included) is refused, and never retried. Default 1 MiB. */
  maxResponseBytes?: number
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

type Failure = { ok: false; error: PluralApiError | PluralNetworkError | PluralResponseError; retryable: boolean; retryAfterMs?: number }

/** Thrown by `readCapped` when an answer outgrows the cap. */
class TooLarge extends Error {
  constructor(readonly status: number) {
    super("response too large")
  }
}

/** setTimeout's longest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** `defaults` overridden by the values of `given` that are not undefined. */
function withDefaults<T extends object>(defaults: T, given?: Partial<T>): T {
  const merged = { ...defaults }
  for (const [key, value] of Object.entries(given ?? {})) if (value !== undefined) (merged as Record<string, unknown>)[key] = value
  return merged
}

export class Transport {
  readonly baseUrl: string
  private readonly timeouts: TransportTimeouts
  private readonly retry: RetryPolicy
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private readonly onRetry?: TransportOptions["onRetry"]
  private readonly sleep: (ms: number) => Promise<void>
  private readonly now: () => number
  private readonly maxResponseBytes: number

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "")
    this.timeouts = withDefaults(DEFAULT_TIMEOUTS, options.timeouts)
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
    this.now = options.now ?? Date.now
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    const { totalMs } = this.timeouts
    if (!Number.isFinite(totalMs) || totalMs <= 0 || totalMs > MAX_TIMER_MS) {
      throw new TypeError(`timeouts.totalMs must be a positive number of milliseconds up to ${MAX_TIMER_MS}`)
    }
    if (!Number.isFinite(this.maxResponseBytes) || this.maxResponseBytes <= 0) {
      throw new TypeError("maxResponseBytes must be a positive number of bytes")
    }
  }

  async send<T>(exchange: Exchange<T>): Promise<T> {
    const requestId = randomUUID()
    const { totalMs } = this.timeouts
    const deadline = this.now() + totalMs
    // One controller for the whole exchange: the timer aborts whichever attempt is in flight when the deadline passes.
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), totalMs)
    timer.unref?.()
    try {
      for (let attempt = 0; ; attempt++) {
        if (controller.signal.aborted || this.now() >= deadline) throw this.deadlinePassed(exchange, requestId, "passed")
        const outcome = await this.attempt(exchange, requestId, controller.signal)
        if (outcome.ok) return outcome.value
        // The deadline's abort is what ended this attempt.
        if (controller.signal.aborted && outcome.error instanceof PluralNetworkError) {
          throw this.deadlinePassed(exchange, requestId, "passed", outcome.error)
        }
        // A Retry-After longer than we are willing to wait is respected by not retrying, never by retrying early.
        const waitTooLong = outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.maxDelayMs
        const retryable = exchange.safeToRepeat && outcome.retryable && !waitTooLong && attempt < this.retry.maxRetries
        if (!retryable) throw outcome.error
        const delayMs = this.backoff(attempt, outcome.retryAfterMs)
        // A retry that could only start at or after the deadline is not attempted.
        if (controller.signal.aborted || this.now() + delayMs >= deadline) {
          throw this.deadlinePassed(exchange, requestId, controller.signal.aborted ? "passed" : "would pass before the next retry", outcome.error)
        }
        this.onRetry?.({ operation: exchange.operation, attempt: attempt + 1, delayMs, reason: outcome.error.code, requestId })
        await this.sleep(delayMs)
      }
    } finally {
      clearTimeout(timer)
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

  /**
   * The overall deadline passed (or the next retry could not start before it): an unknown outcome, like any other
   * unanswered request. `last` is what the last attempt ended with, kept as the cause and named by its code.
   */
  private deadlinePassed(
    exchange: Exchange<unknown>,
    requestId: string,
    how: "passed" | "would pass before the next retry",
    last?: PluralError
  ): PluralNetworkError {
    const lastCode = last ? `; last attempt: ${last.code}` : ""
    return new PluralNetworkError(
      `Plural did not answer ${exchange.operation}: the overall deadline of ${this.timeouts.totalMs} ms ${how}${lastCode}. ` +
        "Nothing is known about its outcome; it is safe to retry.",
      { code: "DEADLINE_EXCEEDED", operation: exchange.operation, requestId },
      last ? { cause: last } : undefined
    )
  }

  private async attempt<T>(
    exchange: Exchange<T>,
    requestId: string,
    signal: AbortSignal
  ): Promise<{ ok: true; value: T } | Failure> {
    const details = { operation: exchange.operation, requestId }
    let status: number
    let text: string
    let retryAfter: string | undefined
    try {
      const response = await request(`${this.baseUrl}${exchange.path}`, {
        method: exchange.method,
        dispatcher: this.dispatcher,
        signal,
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
      text = await this.readCapped(response)
    } catch (cause) {
      if (cause instanceof TooLarge) {
        return {
          ok: false,
          retryable: false,
          error: new PluralResponseError(
            `Plural's answer was larger than ${this.maxResponseBytes} bytes (${exchange.operation}, HTTP ${cause.status}); it was not read.`,
            { code: "RESPONSE_TOO_LARGE", status: cause.status, ...details }
          ),
        }
      }
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

  /**
   * The body as text, read chunk by chunk and abandoned (the stream destroyed) as soon as it outgrows the cap; a
   * Content-Length already over the cap is refused before reading anything.
   */
  private async readCapped(response: Dispatcher.ResponseData): Promise<string> {
    const max = this.maxResponseBytes
    const tooLarge = () => {
      response.body.destroy()
      return new TooLarge(response.statusCode)
    }
    const header = response.headers["content-length"]
    const declared = Number(Array.isArray(header) ? header[0] : header)
    if (Number.isFinite(declared) && declared > max) throw tooLarge()
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of response.body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
      size += buffer.length
      if (size > max) throw tooLarge()
      chunks.push(buffer)
    }
    return Buffer.concat(chunks, size).toString("utf8")
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
