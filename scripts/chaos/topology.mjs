// @ts-check
// Medusa's production topology on this machine: PostgreSQL and Redis, the demo store (the plugin installed as a
// merchant installs it) started as two server instances and one worker sharing them through Medusa's Redis
// modules, the round-robin balancer in front of the servers, and the Plural sandbox sending its webhooks through
// the balancer. Every process can be killed and started again; `stop()` ends them all.
import fs from "node:fs"
import path from "node:path"
import { createRequire } from "node:module"
import { setTimeout as sleep } from "node:timers/promises"
import { dropDatabase, ensureDatabase } from "../lib/database.cjs"
import { freePort } from "../lib/ports.cjs"
import { ensurePostgres } from "../lib/postgres.mjs"
import { startBalancer } from "./balancer.mjs"
import { ensureRedis } from "./redis.mjs"

const require = createRequire(import.meta.url)
const { startDemo } = require("../demo/start.cjs")
const { Client } = require("pg")

/** Provider options for the run: short timeouts (so injected latency is a timeout) and short ledger windows. */
const CHAOS_PLURAL_OPTIONS = {
  timeouts: { connect_ms: 2000, headers_ms: 3000, body_ms: 3000, total_ms: 8000 },
  reconcile_after_minutes: 0.25,
  complete_paid_within_minutes: 0.5,
  poll_interval_seconds: 1,
}

/**
 * A query on the run's database; resolves its rows (the caller knows their shape).
 * @typedef {<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<Row[]>} Sql
 */

/** @typedef {"a" | "b" | "worker"} InstanceName */

/**
 * A Medusa process of the deployment: its port and URL, the variables it starts with, and its pid while it runs.
 * @typedef {{ port: number, url: string, env: NodeJS.ProcessEnv, pid?: number }} Instance
 */

/** @typedef {Awaited<ReturnType<typeof startTopology>>} Topology */

/**
 * Starts everything: instances `a` and `b` (servers) and `worker`, `kill(name)` and `start(name)` each of them,
 * `restartAll(env)`, `sql(text, values)` on the run's database, and `stop()` for all of it.
 * @param {{ stateDir: string, env?: NodeJS.ProcessEnv, log: (message: string) => void }} options
 */
export async function startTopology({ stateDir, env = process.env, log }) {
  /** @type {(() => Promise<unknown>)[]} */
  const cleanups = []
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((error) => log(`  could not stop something: ${error.message}`))
    cleanups.length = 0
  }
  try {
    const logDir = path.join(stateDir, "logs")
    fs.rmSync(stateDir, { recursive: true, force: true })
    fs.mkdirSync(logDir, { recursive: true })

    const redis = await ensureRedis({ env, logDir, log: (m) => log(`  ${m}`) })
    cleanups.push(() => redis.stop())

    // The run's own database, on the PostgreSQL the environment names or an embedded one (kept on disk across its
    // restart: a non-persistent embedded cluster deletes its data when stopped).
    const db = await ensurePostgres({ dataDir: path.join(stateDir, "postgres"), persistent: true, env, log: (m) => log(`  ${m}`) })
    cleanups.push(() => db.stop())
    const database = `plural_chaos_${Date.now().toString(36)}`
    await ensureDatabase(db, database)
    if (!db.embedded) cleanups.push(() => dropDatabase(db, database))

    const baseEnv = {
      ...env,
      DEMO_REDIS_URL: redis.url,
      MEDUSA_WORKER_MODE: "server",
      DEMO_PLURAL_OPTIONS: JSON.stringify(CHAOS_PLURAL_OPTIONS),
    }
    const ports = { medusa: await freePort(), storefront: await freePort(), sandbox: await freePort() }
    const demo = await startDemo({
      stateDir: path.join(stateDir, "store"),
      database: { host: db.host, port: db.port, user: db.user, password: db.password, database },
      ports,
      env: baseEnv,
      log: (m) => log(`  ${m}`),
    })
    cleanups.push(() => demo.stop())

    /** @type {(port: number, env: NodeJS.ProcessEnv, pid?: number) => Instance} */
    const instanceAt = (port, env, pid) => ({ port, url: `http://127.0.0.1:${port}`, env, pid })
    /** @type {Record<InstanceName, Instance>} */
    const instances = {
      a: instanceAt(ports.medusa, {}, demo.medusaPid),
      b: instanceAt(await freePort(), {}),
      worker: instanceAt(await freePort(), { MEDUSA_WORKER_MODE: "worker" }),
    }

    /**
     * Starts (again) the instance `name` with its own variables plus `extraEnv`.
     * @param {InstanceName} name
     * @param {NodeJS.ProcessEnv} [extraEnv]
     */
    const start = async (name, extraEnv = {}) => {
      const instance = instances[name]
      Object.assign(instance.env, extraEnv)
      const started = await demo.startInstance(instance.port, instance.env)
      instance.pid = started.pid
    }
    /**
     * SIGKILL (default): the instance and everything it started die at once, mid-request. SIGTERM: Medusa shuts
     * down gracefully, and is killed if that takes longer than 20 s.
     * @param {InstanceName} name
     * @param {NodeJS.Signals} [signal]
     */
    const kill = async (name, signal = "SIGKILL") => {
      // An instance is killed only once started, when its pid is known.
      const pid = /** @type {number} */ (instances[name].pid)
      /** @param {NodeJS.Signals} sig */
      const signalGroup = (sig) => {
        try {
          process.kill(-pid, sig)
        } catch {}
      }
      signalGroup(signal)
      for (let i = 0; i < 300; i++) {
        try {
          process.kill(pid, 0)
        } catch {
          return
        }
        if (i === 200) signalGroup("SIGKILL")
        await sleep(100)
      }
      throw new Error(`instance ${name} (pid ${pid}) did not exit after ${signal}`)
    }
    await Promise.all([start("b"), start("worker")])

    const balancer = await startBalancer([instances.a.url, instances.b.url])
    cleanups.push(() => balancer.stop())
    // Plural's webhooks reach the servers through the balancer, as they would through the merchant's.
    demo.sandboxControl.configure({ webhookUrl: `${balancer.url}/hooks/plural/webhook` })

    const databaseUrl = demo.databaseUrl
    /** @type {Sql} */
    const sql = async (text, values = []) => {
      const client = new Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        return (await client.query(text, values)).rows
      } finally {
        await client.end()
      }
    }
    return {
      demo,
      db,
      redis,
      balancer,
      instances,
      logDir,
      storeLogDir: path.join(stateDir, "store", "logs"),
      databaseUrl,
      sql,
      start,
      kill,
      /**
       * Every Medusa process stopped gracefully and started again with `extraEnv`, one at a time (a rolling restart).
       * @param {NodeJS.ProcessEnv} extraEnv
       */
      restartAll: async (extraEnv) => {
        for (const name of /** @type {InstanceName[]} */ (["b", "worker", "a"])) {
          await kill(name, "SIGTERM")
          await start(name, extraEnv)
        }
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
