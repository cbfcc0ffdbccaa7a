/**
 * The HTTP front: routes each request, applies an injected fault to Plural API routes, and writes the reply.
 *
 * A status or reset fault on a write fires before the handler runs, so the state is untouched and a retry is
 * clean; with `after_commit` the handler runs (the state changes) and only then is the answer lost.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { apiRoutes } from "./api"
import { checkoutRoutes } from "./checkout"
import { controlRoutes } from "./control"
import type { SandboxCore } from "./core"
import { type FaultSpec, STATUS_CODES } from "./faults"
import { json, PluralFailure, readBody, type Reply } from "./http"
import { Router, type Route, type RouteRequest } from "./router"

export function createSandboxServer(core: SandboxCore): Server {
  const router = new Router().add(...apiRoutes(core), ...checkoutRoutes(core), ...controlRoutes(core))
  const server = createServer((req, res) => {
    handle(core, router, req, res).catch((error) => {
      core.options.logger?.warn(`sandbox: ${req.method} ${req.url} failed: ${String(error)}`)
      if (!res.headersSent) write(res, json(500, { code: "INTERNAL_ERROR", message: "The sandbox failed" }))
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5000
  return server
}

async function handle(core: SandboxCore, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox.invalid")
  const matched = router.match(req.method ?? "GET", url.pathname)
  if (!matched) {
    write(res, json(404, { code: "NOT_FOUND", message: `No route ${req.method} ${url.pathname}` }))
    return
  }
  const request: RouteRequest = { params: matched.params, query: url.searchParams, headers: req.headers, body: "" }
  // What a request changed is in the state file before it is answered: Plural never forgets what it acknowledged.
  const run = async () => {
    const reply = await answer(matched.route, request)
    await core.saveState()
    return reply
  }
  try {
    request.body = await readBody(req)
  } catch (error) {
    write(res, error instanceof PluralFailure ? error.reply() : json(400, { code: "INVALID_REQUEST", message: "Unreadable body" }))
    return
  }

  const fault = matched.route.api ? core.faults.take(matched.route.api) : undefined
  if (!fault) return write(res, await run())

  switch (fault.kind) {
    case "latency":
      await core.scheduler.sleep(fault.latency_ms ?? 0)
      return write(res, await run())
    case "slow_body": {
      const reply = await run()
      res.writeHead(reply.status, reply.headers)
      res.flushHeaders()
      await core.scheduler.sleep(fault.latency_ms ?? 0)
      res.end(reply.body)
      return
    }
    case "status":
    case "reset":
      if (fault.after_commit) await run()
      if (fault.kind === "reset") req.socket.destroy()
      else write(res, faultReply(fault))
      return
  }
}

/** Runs a handler; a Plural-shaped failure becomes its error reply. */
async function answer(route: Route, request: RouteRequest): Promise<Reply> {
  try {
    return await route.handle(request)
  } catch (error) {
    if (error instanceof PluralFailure) return error.reply()
    throw error
  }
}

function faultReply(fault: FaultSpec): Reply {
  const status = fault.status ?? 500
  const code = STATUS_CODES[status] ?? "INTERNAL_ERROR"
  const headers: Record<string, string> = status === 429 ? { "retry-after": "1" } : {}
  return json(status, { code, message: `Injected fault: ${status}` }, headers)
}

function write(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers)
  res.end(reply.body)
}
