// @ts-check
// The demo's PostgreSQL and database: the server given as an option, else the one the environment names, else an
// embedded one in the demo folder; the database given, else DATABASE_URL's (the user's: never dropped), else
// medusa_plural_demo.
"use strict"

const path = require("node:path")
const { databaseNameOf, databaseUrl } = require("../lib/database.cjs")

const DEFAULT_DATABASE = "medusa_plural_demo"

/**
 * A server given to startDemo, with the database to use on it.
 * @typedef {import("../lib/database.cjs").DatabaseServer & { database?: string }} GivenDatabase
 */

/** @typedef {import("../lib/postgres.mjs", { with: { "resolution-mode": "import" } }).Postgres} Postgres */

/**
 * @param {{ given?: GivenDatabase, stateDir: string, env: NodeJS.ProcessEnv, log: (message: string) => void }} options
 * @returns {Promise<Postgres>}
 */
async function startPostgres({ given, stateDir, env, log }) {
  if (given) return { ...given, embedded: false, stop: async () => {} }
  const { ensurePostgres } = await import("../lib/postgres.mjs")
  return ensurePostgres({ dataDir: path.join(stateDir, "postgres"), persistent: true, log, env })
}

/**
 * The database on `server`: its name, its URL, and whether the demo may drop it (--reset).
 * @param {import("../lib/database.cjs").DatabaseServer} server
 * @param {{ given?: GivenDatabase, env: NodeJS.ProcessEnv }} options
 */
function demoDatabase(server, { given, env }) {
  if (!given && env.DATABASE_URL) {
    return { name: databaseNameOf(env.DATABASE_URL) || DEFAULT_DATABASE, url: env.DATABASE_URL, owned: false }
  }
  const name = given?.database || DEFAULT_DATABASE
  return { name, url: databaseUrl(server, name), owned: true }
}

module.exports = { demoDatabase, startPostgres }
