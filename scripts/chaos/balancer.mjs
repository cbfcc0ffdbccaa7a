// A small loopback round-robin in front of the Medusa server instances, as a merchant's load balancer would be:
// each request goes to the next instance; one that refuses the connection (down, restarting) is skipped, as
// nginx's `proxy_next_upstream error` does. A connection that breaks after the request was sent is a 502.
import http from "node:http"
import { freePort } from "../lib/ports.cjs"

/** Starts the balancer over `upstreams` (base URLs). Resolves `{ url, served, stop() }`. */
export async function startBalancer(upstreams) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const served = new Map(upstreams.map((u) => [u, 0]))
  let next = 0

  const server = http.createServer((req, res) => {
    // The body is read first, so that it can be sent again to the next instance.
    const chunks = []
    req.on("data", (chunk) => chunks.push(chunk))
    req.on("end", () => forward(req, res, Buffer.concat(chunks), upstreams.length))
  })

  function forward(req, res, body, triesLeft) {
    const base = new URL(upstreams[next++ % upstreams.length])
    const out = http.request(
      { host: base.hostname, port: base.port, method: req.method, path: req.url, headers: { ...req.headers, host: base.host }, agent, timeout: 120_000 },
      (answer) => {
        served.set(base.origin, (served.get(base.origin) ?? 0) + 1)
        res.writeHead(answer.statusCode, answer.headers)
        answer.pipe(res)
        answer.on("error", () => res.destroy())
      }
    )
    out.on("timeout", () => out.destroy(new Error("upstream timeout")))
    out.on("error", (error) => {
      if (res.headersSent) return res.destroy()
      if (error.code === "ECONNREFUSED" && triesLeft > 1) return forward(req, res, body, triesLeft - 1)
      res.writeHead(502, { "content-type": "text/plain" })
      res.end("bad gateway")
    })
    out.end(body)
  }

  server.keepAliveTimeout = 30_000
  const port = await freePort()
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        agent.destroy()
        server.close(resolve)
      }),
  }
}
