// @ts-check
// Loopback HTTP proxies: the chaos run's balancer in front of the Medusa instances, and the benchmark's counting
// proxy between the store and Plural.
import http from "node:http"
import { freePort } from "./ports.cjs"

/**
 * Sends `req` (its method, path and headers; the caller sends its body and handles the upstream request's errors)
 * to `upstream`, and passes the answer on to `res`; `onAnswer` is told of each answer first.
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {URL} upstream
 * @param {{ agent: http.Agent, timeout?: number, onAnswer?: () => void }} options
 * @returns {http.ClientRequest}
 */
export function forwardTo(req, res, upstream, { agent, timeout, onAnswer }) {
  const headers = { ...req.headers, host: upstream.host }
  return http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent, timeout }, (answer) => {
    onAnswer?.()
    // A client's answer always has a status.
    res.writeHead(/** @type {number} */ (answer.statusCode), answer.headers)
    answer.pipe(res)
    answer.on("error", () => res.destroy())
  })
}

/**
 * Starts `server` on a free loopback port; resolves its URL.
 * @param {http.Server} server
 * @returns {Promise<string>}
 */
export async function listenOnLoopback(server) {
  const port = await freePort()
  await new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(undefined)))
  return `http://127.0.0.1:${port}`
}
