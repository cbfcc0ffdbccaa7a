/** Shared by the sandbox specs: a started sandbox and a tiny JSON client for its API and control routes. */
import { readFileSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { request } from "undici"
import { startSandbox, type Sandbox, type SandboxOptions } from ".."

export type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string }

export async function send(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await request(url, {
    method: method as "GET",
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  })
  const text = await response.body.text()
  let parsed: unknown = undefined
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return { status: response.statusCode, headers: response.headers, body: parsed, text }
}

export type Harness = {
  sandbox: Sandbox
  token(): Promise<string>
  /** A Plural API call with a fresh bearer token unless one is given. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Answer>
  control(method: string, path: string, body?: unknown): Promise<Answer>
  /** Creates a seamless order and returns its id. */
  createOrder(overrides?: Record<string, unknown>): Promise<string>
  /** A paid order (via the control API): AUTHORIZED with pre-auth, else PROCESSED. */
  paidOrder(overrides?: Record<string, unknown>): Promise<string>
}

let references = 0
export const uniqueReference = () => `ref-${Date.now()}-${++references}`

export async function harness(options: SandboxOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox(options)
  const token = async () => {
    const answer = await send(`${sandbox.url}/api/auth/v1/token`, "POST", {
      client_id: sandbox.merchant.client_id,
      client_secret: sandbox.merchant.client_secret,
      grant_type: "client_credentials",
    })
    return answer.body.access_token as string
  }
  // A fresh token per call: tests reset the sandbox (which forgets tokens) and expire tokens at will.
  const api = async (method: string, path: string, body?: unknown, bearer?: string) =>
    send(`${sandbox.url}${path}`, method, body, { authorization: `Bearer ${bearer ?? (await token())}` })
  const control = (method: string, path: string, body?: unknown) => send(`${sandbox.url}/_sandbox${path}`, method, body)
  const createOrder = async (overrides: Record<string, unknown> = {}) => {
    const answer = await api("POST", "/api/pay/v1/orders", {
      merchant_order_reference: uniqueReference(),
      order_amount: { value: 1100, currency: "INR" },
      callback_url: "https://shop.example/return",
      ...overrides,
    })
    if (answer.status !== 200) throw new Error(`create order: ${answer.text}`)
    return answer.body.data.order_id as string
  }
  const paidOrder = async (overrides: Record<string, unknown> = {}) => {
    const orderId = await createOrder(overrides)
    const answer = await control("POST", `/orders/${orderId}/complete`, { outcome: "success" })
    if (answer.status !== 200) throw new Error(`complete: ${answer.text}`)
    return orderId
  }
  return { sandbox, token, api, control, createOrder, paidOrder }
}

const FIXTURES = join(__dirname, "..", "..", "..", "test", "fixtures", "plural")

export function fixture(name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"))
}

/** Polls `check` (bounded) until it returns a value; for background work such as webhook delivery. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error("condition not reached")
}

export type Received = { headers: IncomingHttpHeaders; body: string }

export type Receiver = { url: string; received: Received[]; close(): Promise<void>; failFirst: number }

/** A local webhook receiver that answers 500 to the first `failFirst` requests (none until a test sets it). */
async function receiver(): Promise<Receiver> {
  const state = { received: [] as Received[], failFirst: 0 }
  const server: Server = createServer((req, res) => {
    let body = ""
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => {
      state.received.push({ headers: req.headers, body })
      res.writeHead(state.received.length <= state.failFirst ? 500 : 204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  return Object.assign(state, { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) })
}

/**
 * For a suite about webhooks: one sandbox that delivers them to a local receiver, started before the suite and
 * stopped after it; before each test the sandbox is reset and the receiver forgets what it got and fails nothing.
 * `started` hands the suite both, once they run.
 */
export function webhookSandbox(options: SandboxOptions, started: (suite: { h: Harness; hooks: Receiver }) => void): void {
  let h: Harness
  let hooks: Receiver
  beforeAll(async () => {
    hooks = await receiver()
    h = await harness({ ...options, webhookUrl: hooks.url })
    started({ h, hooks })
  })
  afterAll(async () => {
    await h.sandbox.stop()
    await hooks.close()
  })
  beforeEach(async () => {
    await h.control("POST", "/reset")
    hooks.received.length = 0
    hooks.failFirst = 0
  })
}
