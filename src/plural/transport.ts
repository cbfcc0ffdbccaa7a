/**
 * One HTTP exchange with Plural over undici: timeouts, one overall deadline per exchange (retries and backoff
 * included), a cap on the size of every answer, Request-ID, retries with backoff for requests that are safe to
 * repeat, JSON in and out, errors typed. Knows nothing of endpoints or tokens.
 *
 * Requests go through undici's dispatch API with a handler of our own (`Reading`) rather than `request()`: the
 * answer is collected straight from the parser's chunks, with no response stream, no AbortSignal and no URL parsed
 * per call; the deadline and the size cap abort the exchange through the handler's controller. On loopback this
 * makes a whole `getOrder` cheaper than a bare `request()` (see bench/client-overhead.mjs).
 */
import { randomUUID } from "node:crypto"
import { Agent, type Dispatcher } from "undici"
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

/** What ends an attempt whose answer outgrows the cap. */
class TooLarge extends Error {
  constructor(readonly status: number) {
    super("response too large")
  }
}

/** What ends the attempt in flight when the overall deadline passes. */
class DeadlinePassed extends Error {
  constructor() {
    super("the overall deadline passed")
  }
}

/** One exchange's attempts and its deadline: whether it has passed, and the attempt it would abort. */
type InFlight = { expired: boolean; current?: Reading }

/** One answer as read: the status, Retry-After and the body as text. */
type Answer = { status: number; retryAfter?: string; text: string }

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/**
 * Reads one answer for undici's dispatch API. The body is kept as the parser hands it over and decoded once at the
 * end; an answer whose Content-Length is over the cap is refused before its body is read, and one that outgrows the
 * cap while being read is abandoned there (the connection is closed). `abort` settles the attempt at once, whether
 * it is queued, connecting, waiting for headers or reading the body, and closes its connection.
 */
class Reading implements Dispatcher.DispatchHandler {
  readonly answer: Promise<Answer>
  private resolve!: (answer: Answer) => void
  private reject!: (reason: unknown) => void
  private controller?: Dispatcher.DispatchController
  private settled = false
  private reason?: Error
  private status = 0
  private retryAfter?: string
  private chunks: Buffer[] = []
  private size = 0

  constructor(private readonly maxBytes: number) {
    this.answer = new Promise<Answer>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  abort(reason: Error): void {
    if (this.settled) return
    this.fail(reason)
    this.controller?.abort(reason)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    // Aborted before undici got to it (queued behind a busy pool, or still connecting).
    if (this.settled && this.reason) controller.abort(this.reason)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200 || this.settled) return
    this.status = statusCode
    this.retryAfter = first(headers["retry-after"])
    this.chunks = []
    this.size = 0
    const declared = Number(first(headers["content-length"]))
    if (Number.isFinite(declared) && declared > this.maxBytes) this.abort(new TooLarge(statusCode))
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return
    this.size += chunk.length
    if (this.size > this.maxBytes) return this.abort(new TooLarge(this.status))
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array))
  }

  onResponseEnd(): void {
    if (this.settled) return
    this.settled = true
    const { chunks, size } = this
    this.chunks = []
    const text = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks, size).toString("utf8")
    this.resolve({ status: this.status, retryAfter: this.retryAfter, text })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error)
  }

  private fail(reason: Error): void {
    if (this.settled) return
    this.settled = true
    this.reason = reason
    this.chunks = []
    this.reject(reason)
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
  /** `baseUrl` split as undici's dispatch wants it: the origin, and the path every request path is appended to. */
  private target?: { origin: string; pathPrefix: string }

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
    // One timer for the whole exchange: it aborts whichever attempt is in flight when the deadline passes.
    const exchangeState: InFlight = { expired: false }
    const timer = setTimeout(() => {
      exchangeState.expired = true
      exchangeState.current?.abort(new DeadlinePassed())
    }, totalMs)
    timer.unref?.()
    try {
      for (let attempt = 0; ; attempt++) {
        if (exchangeState.expired || this.now() >= deadline) throw this.deadlinePassed(exchange, requestId, "passed")
        const outcome = await this.attempt(exchange, requestId, exchangeState)
        if (outcome.ok) return outcome.value
        // The deadline's abort is what ended this attempt.
        if (exchangeState.expired && outcome.error instanceof PluralNetworkError) {
          const cutShort = outcome.error.cause instanceof DeadlinePassed
          throw this.deadlinePassed(exchange, requestId, "passed", cutShort ? undefined : outcome.error)
        }
        // A Retry-After longer than we are willing to wait is respected by not retrying, never by retrying early.
        const waitTooLong = outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.maxDelayMs
        const retryable = exchange.safeToRepeat && outcome.retryable && !waitTooLong && attempt < this.retry.maxRetries
        if (!retryable) throw outcome.error
        const delayMs = this.backoff(attempt, outcome.retryAfterMs)
        // A retry that could only start at or after the deadline is not attempted.
        if (exchangeState.expired || this.now() + delayMs >= deadline) {
          throw this.deadlinePassed(exchange, requestId, exchangeState.expired ? "passed" : "would pass before the next retry", outcome.error)
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

  /** Sends one attempt; whatever goes wrong, even a dispatcher that throws, ends up as `reading.answer`'s rejection. */
  private dispatch(exchange: Exchange<unknown>, requestId: string, reading: Reading): void {
    try {
      const target = (this.target ??= splitBaseUrl(this.baseUrl))
      const headers: Record<string, string> = {
        accept: "application/json",
        "content-type": "application/json",
        "request-id": requestId,
        "request-timestamp": new Date().toISOString(),
      }
      if (exchange.bearer) headers.authorization = `Bearer ${exchange.bearer}`
      this.dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.pathPrefix + exchange.path,
          method: exchange.method,
          headers,
          body: exchange.body === undefined ? undefined : JSON.stringify(exchange.body),
          headersTimeout: this.timeouts.headersMs,
          bodyTimeout: this.timeouts.bodyMs,
        },
        reading
      )
    } catch (error) {
      reading.abort(error instanceof Error ? error : new Error(String(error)))
    }
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
    state: InFlight
  ): Promise<{ ok: true; value: T } | Failure> {
    const details = { operation: exchange.operation, requestId }
    let answer: Answer
    const reading = new Reading(this.maxResponseBytes)
    state.current = reading
    try {
      this.dispatch(exchange, requestId, reading)
      answer = await reading.answer
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
      const code = (cause as { code?: unknown }).code
      const named = typeof code === "string" ? code : "NETWORK_ERROR"
      return {
        ok: false,
        retryable: true,
        error: new PluralNetworkError(
          `Plural did not answer ${exchange.operation} (${named}). Nothing is known about its outcome; it is safe to retry.`,
          { code: named, ...details },
          { cause }
        ),
      }
    } finally {
      state.current = undefined
    }

    const { status, text, retryAfter } = answer
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

/** `https://host/prefix` as `{ origin: "https://host", pathPrefix: "/prefix" }` (no trailing slash). */
function splitBaseUrl(baseUrl: string): { origin: string; pathPrefix: string } {
  const url = new URL(baseUrl)
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, "") }
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
