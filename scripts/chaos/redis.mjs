// @ts-check
// Redis for the chaos run: the one REDIS_URL names (never restarted: it is not ours), else a redis-server of our own
// on a free loopback port without persistence (so that restarting it really loses what it held), else the machine's
// 127.0.0.1:6379 (not restarted either). None reachable: the run says so and stops.
import net from "node:net"
import path from "node:path"
import { createRequire } from "node:module"
import { freePort } from "../lib/ports.cjs"

const require = createRequire(import.meta.url)
const { startProcess } = require("../demo/processes.cjs")

/**
 * One command to the Redis at `url` (RESP over a fresh connection); resolves the reply's first line, or undefined.
 * @param {string} url
 * @param {string[]} args
 * @returns {Promise<string | undefined>}
 */
export function redisCommand(url, args) {
  const { hostname, port } = new URL(url)
  const request = `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) })
    /** @param {string | undefined} reply */
    const done = (reply) => {
      socket.destroy()
      resolve(reply)
    }
    socket.setTimeout(2000, () => done(undefined))
    socket.on("error", () => done(undefined))
    socket.on("connect", () => socket.write(request))
    socket.on("data", (chunk) => done(chunk.toString().split("\r\n")[0]))
  })
}

/**
 * Whether a Redis answers PING at `url`.
 * @param {string} url
 */
const redisAnswers = async (url) => /^(\+PONG|-NOAUTH)/.test((await redisCommand(url, ["PING"])) ?? "")

/**
 * Whether `check()` came true within `timeoutMs` (asked every 100 ms).
 * @param {() => Promise<boolean>} check
 * @param {number} timeoutMs
 */
async function until(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

/**
 * A redis-server of our own on `port`, no persistence. Resolves undefined when none can be started here.
 * @param {number} port
 * @param {string} logDir
 * @returns {Promise<import("../demo/processes.cjs").ChildProc | undefined>}
 */
async function spawnRedis(port, logDir) {
  const proc = startProcess({
    name: "redis",
    command: "redis-server",
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", logDir],
    cwd: logDir,
    env: process.env,
    logDir,
  })
  const url = `redis://127.0.0.1:${port}`
  const up = await Promise.race([until(() => redisAnswers(url), 10_000), proc.exited.then(() => false)])
  if (up) return proc
  await proc.stop()
  return undefined
}

/**
 * The Redis in use: `own` when this run started it; `restart()` only then (the same port, empty again).
 * @typedef {{ url: string, own: boolean, restart?: () => Promise<void>, stop: () => Promise<unknown> }} Redis
 */

/**
 * The Redis for the run. Throws, naming what was tried, when no Redis can be reached.
 * @param {{ env?: NodeJS.ProcessEnv, logDir: string, log: (message: string) => void }} options
 * @returns {Promise<Redis>}
 */
export async function ensureRedis({ env = process.env, logDir, log }) {
  if (env.REDIS_URL) {
    if (!(await redisAnswers(env.REDIS_URL))) throw new Error(`REDIS_URL (${new URL(env.REDIS_URL).host}) does not answer PING: start Redis or fix REDIS_URL`)
    log(`using the Redis at REDIS_URL (${new URL(env.REDIS_URL).host}); it is not ours, so it will not be restarted`)
    return { url: env.REDIS_URL, own: false, stop: async () => {} }
  }
  const port = await freePort()
  const first = await spawnRedis(port, logDir).catch(() => undefined)
  if (first) {
    let proc = first
    const url = `redis://127.0.0.1:${port}`
    log(`started redis-server on 127.0.0.1:${port} (no persistence; log ${path.join(logDir, "redis.log")})`)
    return {
      url,
      own: true,
      restart: async () => {
        await proc.stop()
        const again = await spawnRedis(port, logDir)
        if (!again) throw new Error(`redis-server did not start again on port ${port}`)
        proc = again
      },
      stop: () => proc.stop(),
    }
  }
  const fallback = "redis://127.0.0.1:6379"
  if (!(await redisAnswers(fallback))) {
    throw new Error("No Redis: REDIS_URL is not set, redis-server could not be started, and nothing answers on 127.0.0.1:6379")
  }
  log("redis-server could not be started: using the Redis on 127.0.0.1:6379 (not ours, so it will not be restarted)")
  return { url: fallback, own: false, stop: async () => {} }
}
