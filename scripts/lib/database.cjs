// @ts-check
// A PostgreSQL server's databases: the connection the environment names, a database's URL, and creating and
// dropping one. Shared by the embedded PostgreSQL (postgres.mjs), the demo and the chaos run.
"use strict"

const { Client } = require("pg")

/**
 * Where a PostgreSQL server listens, and who to connect as.
 * @typedef {{ host: string, port: number, user: string, password: string }} DatabaseServer
 */

/**
 * The server the environment names (DATABASE_URL, else DB_HOST & co.), with DATABASE_URL's database; undefined when
 * it names none.
 * @param {NodeJS.ProcessEnv} env
 * @returns {(DatabaseServer & { database?: string }) | undefined}
 */
function serverFromEnvironment(env) {
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL)
    return {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || "postgres"),
      password: decodeURIComponent(url.password || ""),
      database: databaseNameOf(env.DATABASE_URL) || undefined,
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
 * The database a `postgres://` URL names ("" when none).
 * @param {string} url
 */
function databaseNameOf(url) {
  return new URL(url).pathname.replace(/^\//, "")
}

/**
 * The URL of `database` on `server`.
 * @param {DatabaseServer} server
 * @param {string} database
 */
function databaseUrl(server, database) {
  const auth = `${encodeURIComponent(server.user)}${server.password ? `:${encodeURIComponent(server.password)}` : ""}`
  return `postgres://${auth}@${server.host}:${server.port}/${database}`
}

/**
 * A connected client of `database` on `server`.
 * @param {DatabaseServer} server
 * @param {string} database
 */
async function connect(server, database) {
  const client = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database })
  await client.connect()
  return client
}

/** @param {string} name */
const quoted = (name) => `"${name.replace(/"/g, '""')}"`

/**
 * Creates `database` unless it exists (after dropping it first when `reset`). Resolves whether it was created.
 * @param {DatabaseServer} server
 * @param {string} database
 * @param {{ reset?: boolean, log?: (message: string) => void }} [options]
 * @returns {Promise<boolean>}
 */
async function ensureDatabase(server, database, { reset = false, log = () => {} } = {}) {
  if (reset) {
    await dropDatabase(server, database)
  } else {
    // A database that exists is used as it is (its owner may not be allowed to create databases).
    try {
      await (await connect(server, database)).end()
      return false
    } catch (error) {
      // 3D000: the database does not exist.
      if (/** @type {{ code?: string }} */ (error).code !== "3D000") throw error
    }
  }
  const client = await connect(server, "postgres")
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])
    if (rowCount) return false
    await client.query(`CREATE DATABASE ${quoted(database)}`)
    log(`created the database ${database}`)
    return true
  } finally {
    await client.end()
  }
}

/**
 * Drops `database` (and its connections) when it exists.
 * @param {DatabaseServer} server
 * @param {string} database
 */
async function dropDatabase(server, database) {
  const client = await connect(server, "postgres")
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoted(database)} WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

module.exports = { databaseNameOf, databaseUrl, dropDatabase, ensureDatabase, serverFromEnvironment }
