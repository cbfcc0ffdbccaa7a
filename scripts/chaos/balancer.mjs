// @ts-check
// A small loopback round-robin in front of the Medusa server instances, as a merchant's load balancer would be:
// each request goes to the next instance; one that refuses the connection (down, restarting) is skipped, as
// nginx's `proxy_next_upstream error` does. A connection that breaks after the request was sent is a 502.
import http from "node:http"
import { forwardTo, listenOnLoopback } from "../lib/proxy.mjs"

/**
 * The balancer: its URL, how many requests each upstream served, and `stop()`.
 * @typedef {{ url: string, served: Map<string, number>, stop: () => Promise<void> }} Balancer
 */

/**
 * Starts the balancer over `upstreams` (base URLs).
 * @param {string[]} upstreams
 * @returns {Promise<Balancer>}
 */
export async function startBalancer(upstreams) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const served = new Map(upstreams.map((u) => [u, 0]))
  let next = 0

  const server = http.createServer((req, res) => {
    // The body is read first, so that it can be sent again to the next instance.
    /** @type {Buffer[]} */
    const chunks = []
    req.on("data", (chunk) => chunks.push(chunk))
    req.on("end", () => forward(req, res, Buffer.concat(chunks), upstreams.length))
  })

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {Buffer} body
   * @param {number} triesLeft
   * @returns {void}
   */
  function forward(req, res, body, triesLeft) {
    const base = new URL(upstreams[next++ % upstreams.length])
    const out = forwardTo(req, res, base, {
      agent,
      timeout: 120_000,
      onAnswer: () => served.set(base.origin, (served.get(base.origin) ?? 0) + 1),
    })
    out.on("timeout", () => out.destroy(new Error("upstream timeout")))
    out.on("error", (/** @type {NodeJS.ErrnoException} */ error) => {
      if (res.headersSent) return void res.destroy()
      if (error.code === "ECONNREFUSED" && triesLeft > 1) return forward(req, res, body, triesLeft - 1)
      res.writeHead(502, { "content-type": "text/plain" })
      res.end("bad gateway")
    })
    out.end(body)
  }

  server.keepAliveTimeout = 30_000
  return {
    url: await listenOnLoopback(server),
    served,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        agent.destroy()
        server.close(() => resolve())
      }),
  }
}
