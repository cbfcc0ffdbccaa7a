// @ts-check
// Loopback ports for everything the tooling starts: the demo's, the test runner's, the chaos run's and the
// benchmark's servers. CommonJS so that Jest and the .mjs scripts share it.
"use strict"

const net = require("node:net")

/**
 * True when nothing listens on `port` at `host`.
 * @param {number} port
 * @param {string} host
 * @returns {Promise<boolean>}
 */
function isPortFree(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once("error", () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

/**
 * A free TCP port on loopback, chosen by the system.
 * @returns {Promise<number>}
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address())
      server.close(() => resolve(port))
    })
  })
}

/**
 * The port for the `name` server: the `requested` one when it was asked for explicitly (fail if taken), else
 * `fallback` or the next free one after it. `taken` holds the ports already given to the other servers.
 * @param {string} name
 * @param {string | number | undefined} requested
 * @param {number} fallback
 * @param {{ host: string, taken: Set<number>, log: (message: string) => void }} context
 * @returns {Promise<number>}
 */
async function choosePort(name, requested, fallback, { host, taken, log }) {
  if (requested) {
    const port = Number(requested)
    if (!(port > 0 && port < 65536)) throw new Error(`The ${name} port "${requested}" is not a port number`)
    if (taken.has(port) || !(await isPortFree(port, host))) {
      throw new Error(`The ${name} port ${port} is already in use; choose another one (see npm run demo -- --help)`)
    }
    return port
  }
  for (let port = fallback; port < fallback + 50; port++) {
    if (!taken.has(port) && (await isPortFree(port, host))) {
      if (port !== fallback) log(`  port ${fallback} is taken: the ${name} uses ${port}`)
      return port
    }
  }
  throw new Error(`No free port for the ${name} between ${fallback} and ${fallback + 49}`)
}

module.exports = { choosePort, freePort }
