/**
 * The bounds on every exchange with Plural: one overall deadline (retries and backoff included) and a cap on the
 * size of every answer. Never asserts wall-clock time: only how many requests were made and what was thrown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Agent, errors as undiciErrors } from "undici"
import { FakePlural } from "../../../test/fake-plural"
import captureResponse from "../../../test/fixtures/plural/seed000.capture.response.json"
import tokenRequest from "../../../test/fixtures/plural/seed000.token.request.json"
import { PluralClient, type PluralClientOptions } from "../client"
import { PluralApiError, PluralNetworkError, PluralResponseError } from "../errors"
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS, Transport } from "../transport"
import { thrown } from "./thrown"

const ORIGIN = "https://plural.test"
const ORDER_ID = captureResponse.data.order_id
const ORDER_PATH = `/api/pay/v1/orders/${ORDER_ID}`
const ORDER_BODY = JSON.stringify({ data: captureResponse.data })
const TOKEN = { access_token: "opaqueTok3nValue9f8e7d6c5b4a", expires_in: 3600 }

/** A clock that only moves when the (fake) backoff sleeps. */
function fakeTime() {
  let t = 1_700_000_000_000
  return {
    now: () => t,
    sleep: jest.fn(async (ms: number) => {
      t += ms
    }),
  }
}

function makeClient(fake: FakePlural, extra: Partial<PluralClientOptions> = {}) {
  const time = fakeTime()
  const onRetry = jest.fn()
  const client = new PluralClient({
    clientId: tokenRequest.client_id,
    clientSecret: tokenRequest.client_secret,
    baseUrl: fake.origin,
    dispatcher: fake.agent,
    now: time.now,
    sleep: time.sleep,
    onRetry,
    ...extra,
  })
  return { client, sleep: time.sleep, onRetry }
}

/** How many requests MockAgent has answered from the (still pending) interceptor for `path`. */
function invoked(fake: FakePlural, path: string): number {
  const interceptor = fake.pending().find((i) => i.path === path) as { timesInvoked?: number } | undefined
  return interceptor?.timesInvoked ?? 0
}

afterEach(() => {
  jest.restoreAllMocks()
})

describe("the overall deadline of one call", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural(ORIGIN)
  })

  it("defaults to 30 s, and 1 MiB for answers", () => {
    expect(DEFAULT_TIMEOUTS.totalMs).toBe(30_000)
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(1024 * 1024)
  })

  it("stops a retry loop: no retry whose backoff would end at or after the deadline", async () => {
    jest.spyOn(Math, "random").mockReturnValue(1) // every backoff is exactly 400 ms
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 503, body: { code: "UNAVAILABLE", message: "busy" } }, 10)
    const { client, sleep, onRetry } = makeClient(fake, {
      timeouts: { totalMs: 1_000 },
      retry: { maxRetries: 9, baseDelayMs: 400, maxDelayMs: 400 },
    })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    // Attempts at 0, 400 and 800 ms; a fourth could only start at 1 200 ms.
    expect(fake.apiCalls).toHaveLength(3)
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([400, 400])
    expect(onRetry).toHaveBeenCalledTimes(2)
    expect(error).toBeInstanceOf(PluralNetworkError)
    expect(error.code).toBe("DEADLINE_EXCEEDED")
    expect(error.message).toContain("overall deadline of 1000 ms")
    expect(error.message).toContain("UNAVAILABLE")
    expect(error.operation).toBe("get order")
    expect(error.requestId).toBe(fake.apiCalls[0].headers["request-id"])
    expect(error.cause).toBeInstanceOf(PluralApiError)
    expect(error.cause.status).toBe(503)
  })

  it("stops a loop of network errors the same way", async () => {
    jest.spyOn(Math, "random").mockReturnValue(1)
    fake.token(TOKEN).fail("GET", ORDER_PATH, new undiciErrors.SocketError("reset"), 10)
    const { client, sleep } = makeClient(fake, {
      timeouts: { totalMs: 1_000 },
      retry: { maxRetries: 9, baseDelayMs: 300, maxDelayMs: 300 },
    })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    // Attempts at 0, 300, 600 and 900 ms.
    expect(sleep).toHaveBeenCalledTimes(3)
    expect(invoked(fake, ORDER_PATH)).toBe(4)
    expect(error).toBeInstanceOf(PluralNetworkError)
    expect(error.code).toBe("DEADLINE_EXCEEDED")
    expect(error.message).toContain("overall deadline of 1000 ms")
  })

  it("does not attempt a first retry whose backoff alone outlasts the deadline", async () => {
    jest.spyOn(Math, "random").mockReturnValue(0) // backoff 1 000 ms: ends exactly at the deadline
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 502, body: {} }, 3)
    const { client, sleep, onRetry } = makeClient(fake, {
      timeouts: { totalMs: 1_000 },
      retry: { maxRetries: 2, baseDelayMs: 2_000, maxDelayMs: 2_000 },
    })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(fake.apiCalls).toHaveLength(1)
    expect(sleep).not.toHaveBeenCalled()
    expect(onRetry).not.toHaveBeenCalled()
    expect(error).toBeInstanceOf(PluralNetworkError)
    expect(error.message).toContain("overall deadline of 1000 ms")
  })

  it("keeps the client secret out of the last attempt's error it carries as its cause", async () => {
    jest.spyOn(Math, "random").mockReturnValue(0)
    const secret = tokenRequest.client_secret
    fake.on("POST", "/api/auth/v1/token", { status: 503, body: { code: "UNAVAILABLE", message: `bad secret ${secret}` } }, 3)
    const { client } = makeClient(fake, { timeouts: { totalMs: 1_000 }, retry: { baseDelayMs: 2_000, maxDelayMs: 2_000 } })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralNetworkError)
    expect(error.operation).toBe("generate token")
    expect(error.cause).toBeInstanceOf(PluralApiError)
    for (const e of [error, error.cause]) {
      expect(e.message).not.toContain(secret)
      expect(JSON.stringify(e)).not.toContain(secret)
    }
    expect(error.cause.message).toContain("[redacted]")
  })

  it("leaves calls that finish in time alone, retries included", async () => {
    fake
      .token(TOKEN)
      .on("GET", ORDER_PATH, { status: 503, body: {} })
      .on("GET", ORDER_PATH, { status: 200, body: JSON.parse(ORDER_BODY) })
    const { client, sleep } = makeClient(fake, { timeouts: { totalMs: 10_000 } })
    await expect(client.getOrder(ORDER_ID)).resolves.toMatchObject({ order_id: ORDER_ID })
    expect(sleep).toHaveBeenCalledTimes(1)
    expect(fake.apiCalls).toHaveLength(2)
  })

  it("aborts a response that stalls past the deadline, and does not retry it", async () => {
    fake.token(TOKEN)
    let requests = 0
    fake.agent
      .get(ORIGIN)
      .intercept({ method: "GET", path: ORDER_PATH })
      .reply(200, () => {
        requests++
        return ORDER_BODY
      })
      .delay(60_000) // far beyond jest's own timeout: only the abort can end this test in time
      .times(3)
    const client = new PluralClient({
      clientId: tokenRequest.client_id,
      clientSecret: tokenRequest.client_secret,
      baseUrl: ORIGIN,
      dispatcher: fake.agent,
      timeouts: { totalMs: 150, headersMs: 60_000, bodyMs: 60_000 },
      retry: { maxRetries: 2, baseDelayMs: 0, maxDelayMs: 0 },
    })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralNetworkError)
    expect(error.code).toBe("DEADLINE_EXCEEDED")
    expect(error.message).toContain("overall deadline of 150 ms passed")
    // The one request sent never got its (delayed) answer, and no other was sent.
    expect(requests).toBe(0)
    expect(invoked(fake, ORDER_PATH)).toBe(1)
  })

  it("rejects a deadline that is not a positive number", () => {
    for (const totalMs of [0, -1, Number.NaN]) {
      expect(() => new Transport({ baseUrl: ORIGIN, timeouts: { totalMs } })).toThrow(/totalMs/)
    }
    expect(() => new Transport({ baseUrl: ORIGIN, maxResponseBytes: 0 })).toThrow(/maxResponseBytes/)
  })

  it("an explicit undefined keeps the default", () => {
    expect(() => new Transport({ baseUrl: ORIGIN, dispatcher: fake.agent, timeouts: { totalMs: undefined } })).not.toThrow()
  })
})

describe("the cap on the size of an answer", () => {
  let fake: FakePlural
  beforeEach(() => {
    fake = new FakePlural(ORIGIN)
  })

  const size = Buffer.byteLength(ORDER_BODY)

  it("parses an answer of exactly the cap", async () => {
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 200, body: ORDER_BODY })
    const { client } = makeClient(fake, { maxResponseBytes: size })
    await expect(client.getOrder(ORDER_ID)).resolves.toMatchObject({ order_id: ORDER_ID, status: captureResponse.data.status })
  })

  it("parses a normal answer under the default cap", async () => {
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 200, body: ORDER_BODY })
    const { client } = makeClient(fake)
    await expect(client.getOrder(ORDER_ID)).resolves.toMatchObject({ order_id: ORDER_ID })
  })

  it("refuses an answer one byte over the cap, and does not retry it", async () => {
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 200, body: ORDER_BODY }, 3)
    const { client, sleep } = makeClient(fake, { maxResponseBytes: size - 1, retry: { maxRetries: 2 } })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralResponseError)
    expect(error.code).toBe("RESPONSE_TOO_LARGE")
    expect(error.status).toBe(200)
    expect(error.message).toContain(`Plural's answer was larger than ${size - 1} bytes`)
    expect(fake.apiCalls).toHaveLength(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it("refuses an oversized error answer too, even on a status that is otherwise retried", async () => {
    const huge = JSON.stringify({ code: "UNAVAILABLE", message: "x".repeat(4_096) })
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 503, body: huge }, 3)
    const { client, sleep } = makeClient(fake, { maxResponseBytes: 1_024 })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralResponseError)
    expect(error.code).toBe("RESPONSE_TOO_LARGE")
    expect(error.status).toBe(503)
    expect(fake.apiCalls).toHaveLength(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it("refuses at once an answer whose Content-Length is over the cap", async () => {
    fake.token(TOKEN).on("GET", ORDER_PATH, { status: 200, body: ORDER_BODY, headers: { "content-length": String(size) } }, 3)
    const { client } = makeClient(fake, { maxResponseBytes: 100 })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralResponseError)
    expect(error.code).toBe("RESPONSE_TOO_LARGE")
    expect(fake.apiCalls).toHaveLength(1)
  })

  it("applies to the token call as well", async () => {
    fake.token({ ...TOKEN, padding: "p".repeat(2_048) })
    const { client } = makeClient(fake, { maxResponseBytes: 1_024 })
    const error = await thrown(() => client.getOrder(ORDER_ID))
    expect(error).toBeInstanceOf(PluralResponseError)
    expect(error.code).toBe("RESPONSE_TOO_LARGE")
    expect(error.operation).toBe("generate token")
    expect(fake.apiCalls).toHaveLength(0)
  })
})

// ---- On a real socket: what MockAgent cannot show ---------------------------------------------------------------

describe("on a real server", () => {
  let server: Server
  let origin: string
  let handler: (req: IncomingMessage, res: ServerResponse) => void
  const orderRequests: IncomingMessage[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/api/auth/v1/token") {
        res.setHeader("content-type", "application/json")
        res.end(JSON.stringify(TOKEN))
        return
      }
      orderRequests.push(req)
      handler(req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  beforeEach(() => {
    orderRequests.length = 0
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  function realClient(extra: Partial<PluralClientOptions>) {
    return new PluralClient({ clientId: tokenRequest.client_id, clientSecret: tokenRequest.client_secret, baseUrl: origin, ...extra })
  }

  it("a body that trickles forever is aborted at the deadline, though no single silence is long", async () => {
    let closed!: () => void
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve))
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.write('{"data":')
      // A byte every 20 ms: never silent for bodyMs, never finished.
      const drip = setInterval(() => res.write(" "), 20)
      res.on("close", () => {
        clearInterval(drip)
        closed()
      })
    }
    const client = realClient({ timeouts: { totalMs: 300, bodyMs: 60_000, headersMs: 60_000 }, retry: { maxRetries: 2, baseDelayMs: 0, maxDelayMs: 0 } })
    try {
      const error = await thrown(() => client.getOrder(ORDER_ID))
      expect(error).toBeInstanceOf(PluralNetworkError)
      expect(error.code).toBe("DEADLINE_EXCEEDED")
      expect(error.message).toContain("overall deadline of 300 ms passed")
      await connectionClosed
      expect(orderRequests).toHaveLength(1)
    } finally {
      await client.close()
    }
  })

  it("a call still waiting for a connection ends at its deadline, and is never sent", async () => {
    // One connection, taken by a call the server never answers: the second call waits in the pool's queue.
    handler = (req, res) => {
      if (req.url?.endsWith("/warm-up")) res.end(ORDER_BODY) // anything else: no answer, ever
    }
    const agent = new Agent({ connections: 1 })
    const patient = realClient({ dispatcher: agent, timeouts: { totalMs: 20_000 }, retry: { maxRetries: 0 } })
    const hurried = realClient({ dispatcher: agent, timeouts: { totalMs: 300 }, retry: { maxRetries: 0 } })
    try {
      await hurried.getOrder("warm-up") // its token and one answered call, over the one connection
      const stalled = patient.getOrder(ORDER_ID).catch((error) => error)
      while (orderRequests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
      const error = await thrown(() => hurried.getOrder(ORDER_ID))
      expect(error).toBeInstanceOf(PluralNetworkError)
      expect(error.code).toBe("DEADLINE_EXCEEDED")
      expect(error.message).toContain("overall deadline of 300 ms passed")
      expect(orderRequests.map((r) => r.url)).toEqual(["/api/pay/v1/orders/warm-up", ORDER_PATH]) // the queued call never left
      await agent.destroy()
      expect(await stalled).toBeInstanceOf(PluralNetworkError)
    } finally {
      await agent.destroy().catch(() => {})
    }
  })

  it("an endless body is cut off once it passes the cap: the connection is closed, nothing retried", async () => {
    let closed!: () => void
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve))
    let written = 0
    handler = (_req, res) => {
      // Chunked, no Content-Length: only reading can tell the size.
      res.writeHead(200, { "content-type": "application/json" })
      const chunk = Buffer.alloc(16 * 1024, 0x20)
      const pump = setInterval(() => {
        res.write(chunk)
        written += chunk.length
      }, 1)
      res.on("close", () => {
        clearInterval(pump)
        closed()
      })
    }
    const client = realClient({ maxResponseBytes: 64 * 1024, timeouts: { totalMs: 20_000 } })
    try {
      const error = await thrown(() => client.getOrder(ORDER_ID))
      expect(error).toBeInstanceOf(PluralResponseError)
      expect(error.code).toBe("RESPONSE_TOO_LARGE")
      expect(error.message).toContain(`Plural's answer was larger than ${64 * 1024} bytes`)
      await connectionClosed
      expect(orderRequests).toHaveLength(1)
      expect(written).toBeLessThan(20 * 1024 * 1024)
    } finally {
      await client.close()
    }
  })
})
