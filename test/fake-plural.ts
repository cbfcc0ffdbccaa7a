/**
 * A fake Plural on undici's MockAgent, for unit tests of anything that speaks Plural over HTTP: answers are queued
 * per method and path, and every request is recorded (headers lower-cased, JSON body parsed).
 */
import { MockAgent } from "undici"

export type Recorded = { method: string; path: string; headers: Record<string, string>; body: any }
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> }

export const TOKEN_PATH = "/api/auth/v1/token"

export class FakePlural {
  readonly agent = new MockAgent()
  readonly calls: Recorded[] = []
  private readonly pool

  constructor(readonly origin: string) {
    this.agent.disableNetConnect()
    this.pool = this.agent.get(origin)
  }

  /** One answer (or `times` identical answers) to `method path`; every request it answers is recorded. */
  on(method: string, path: string, reply: Reply, times = 1) {
    this.pool
      .intercept({ method, path })
      .reply(
        reply.status,
        (opts: any) => {
          this.calls.push({
            method: opts.method,
            path: opts.path,
            headers: Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
            body: typeof opts.body === "string" && opts.body ? JSON.parse(opts.body) : undefined,
          })
          return typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? "")
        },
        { headers: { "content-type": "application/json", ...reply.headers } }
      )
      .times(times)
    return this
  }

  /** A transport-level failure (no HTTP answer). */
  fail(method: string, path: string, error: Error, times = 1) {
    this.pool.intercept({ method, path }).replyWithError(error).times(times)
    return this
  }

  token(body: unknown, times = 1) {
    return this.on("POST", TOKEN_PATH, { status: 200, body }, times)
  }

  to(path: string) {
    return this.calls.filter((c) => c.path === path)
  }

  get apiCalls() {
    return this.calls.filter((c) => c.path !== TOKEN_PATH)
  }

  /** The non-token requests as `METHOD path`. */
  get requests() {
    return this.apiCalls.map((c) => `${c.method} ${c.path}`)
  }

  pending(): ReturnType<MockAgent["pendingInterceptors"]> {
    return this.agent.pendingInterceptors()
  }
}
