// @ts-check
// `startDemo(options)`: PostgreSQL, the Plural sandbox, a Medusa 2 store with this plugin installed the way a
// merchant installs it, seed data, and a small storefront — everything `npm run demo` runs, and what the browser
// tests start. CommonJS on purpose: Jest (without --experimental-vm-modules) can load it in-process.
"use strict"

const fs = require("node:fs")
const path = require("node:path")
const { ensureDatabase } = require("../lib/database.cjs")
const { choosePort } = require("../lib/ports.cjs")
const { writeApp } = require("./app.cjs")
const { demoDatabase, startPostgres } = require("./database.cjs")
const { ROOT } = require("./files.cjs")
const { adminDashboard, medusaCli, migrate, serveAdminDashboard, startServer } = require("./medusa.cjs")
const { buildPlugin, installPlugin, pluginBuildReason } = require("./plugin.cjs")
const { cleanups, progress } = require("./progress.cjs")
const { startStorefront } = require("./storefront-server.cjs")

const DEFAULT_PORTS = { medusa: 9000, storefront: 8000, sandbox: 9100 }
const BIND_HOST = "127.0.0.1"

/** @typedef {keyof typeof DEFAULT_PORTS} Server */

/**
 * @typedef {{
 *   stateDir?: string,
 *   reset?: boolean,
 *   database?: import("./database.cjs").GivenDatabase,
 *   env?: NodeJS.ProcessEnv,
 *   ports?: Partial<Record<Server, string | number>>,
 *   host?: string,
 *   adminEmail?: string,
 *   adminPassword?: string,
 *   adminCacheDir?: string,
 *   migrate?: boolean,
 *   buildPlugin?: string,
 *   log?: (message: string) => void,
 *   echo?: boolean,
 *   pluralBaseUrl?: (sandboxUrl: string) => Promise<string>,
 *   startTimeoutMs?: number,
 * }} DemoOptions
 */

/**
 * A port for each server (explicit ones must be free; defaults move on when taken).
 * @param {DemoOptions["ports"]} requested
 * @param {(message: string) => void} log
 * @returns {Promise<Record<Server, number>>}
 */
async function choosePorts(requested = {}, log) {
  /** @type {Set<number>} */
  const taken = new Set()
  /** @type {Partial<Record<Server, number>>} */
  const ports = {}
  for (const name of /** @type {Server[]} */ (Object.keys(DEFAULT_PORTS))) {
    const port = await choosePort(name, requested[name], DEFAULT_PORTS[name], { host: BIND_HOST, taken, log })
    ports[name] = port
    taken.add(port)
  }
  return /** @type {Record<Server, number>} */ (ports)
}

/**
 * The Plural sandbox from the installed plugin, its webhooks pointed at the store.
 * @param {{ pluginDir: string, port: number, urls: Record<string, string>, stateDir: string, log: (message: string) => void }} options
 */
function startPluralSandbox({ pluginDir, port, urls, stateDir, log }) {
  /** @type {typeof import("../../src/sandbox/index")} */
  const { startSandbox } = require(path.join(pluginDir, ".medusa/server/src/sandbox/index.js"))
  return startSandbox({
    port,
    host: BIND_HOST,
    publicUrl: urls.sandbox,
    webhookUrl: `${urls.medusa}/hooks/plural/webhook`,
    // Its orders outlive a restart, as the store's do (the admin reads Plural's view of earlier orders).
    stateFile: path.join(stateDir, "sandbox.json"),
    logger: { info: () => {}, warn: (message) => log(`    warning: ${message}`) },
  })
}

/**
 * The environment of every Medusa command: the demo's medusa-config reads the database, the URLs, Plural's
 * credentials and where the seed script writes its facts from it.
 * @param {NodeJS.ProcessEnv} env
 * @param {{
 *   databaseUrl: string,
 *   urls: { medusa: string, storefront: string },
 *   port: number,
 *   merchant: import("../../src/sandbox/index").SandboxMerchant,
 *   pluralBaseUrl: string,
 *   admin: { email: string, password: string },
 *   seedFile: string,
 * }} demo
 * @returns {NodeJS.ProcessEnv}
 */
function medusaEnvironment(env, { databaseUrl, urls, port, merchant, pluralBaseUrl, admin, seedFile }) {
  /** @type {NodeJS.ProcessEnv} */
  const medusaEnv = {
    ...env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    DEMO_BACKEND_URL: urls.medusa,
    DEMO_STOREFRONT_URL: urls.storefront,
    PLURAL_CLIENT_ID: merchant.client_id,
    PLURAL_CLIENT_SECRET: merchant.client_secret,
    PLURAL_SECRET_KEY: merchant.secret_key,
    PLURAL_WEBHOOK_SECRET: merchant.webhook_secret,
    PLURAL_BASE_URL: pluralBaseUrl,
    DEMO_ADMIN_EMAIL: admin.email,
    DEMO_ADMIN_PASSWORD: admin.password,
    DEMO_SEED_OUTPUT: seedFile,
    MEDUSA_DISABLE_TELEMETRY: "true",
    DO_NOT_TRACK: "1",
  }
  delete medusaEnv.NODE_OPTIONS
  // Jest sets NODE_ENV=test; the Medusa commands pick their own.
  delete medusaEnv.NODE_ENV
  return medusaEnv
}

/**
 * Starts the demo. Options (all optional):
 * - `stateDir`: working folder (default `<repo>/.demo`); `reset`: start over (wipes it, drops the demo database);
 * - `database`: `{host, port, user, password, database?}` of a PostgreSQL server to use; else `DATABASE_URL` /
 *   `DB_HOST` from `env`, else an embedded PostgreSQL whose data lives in `<stateDir>/postgres`;
 * - `ports`: `{medusa, storefront, sandbox}` (explicit ports must be free; defaults 9000/8000/9100 move on when taken);
 * - `host` for the URLs (default `localhost`); `adminEmail`, `adminPassword`;
 * - `adminCacheDir`: where admin dashboard builds are kept by content (default `<repo>/.cache/demo-admin`);
 * - `migrate`: run `medusa db:migrate` even when this database is known to be up to date;
 * - `buildPlugin`: `"auto"` (default: when `.medusa/server` is missing or older than `src/`), `"always"`, `"never"`;
 * - `log(message)`: progress lines; `echo`: also stream the child processes' output;
 * - `pluralBaseUrl(sandboxUrl)`: where the store reaches Plural, when something (a counting proxy) sits in between.
 * Resolves `{ urls, publishableKey, admin, regionId, timings, stateFile, medusaPid, startInstance(port), stop() }`;
 * `startInstance(port, env?)` starts one more Medusa process on the same app and database (a multi-instance
 * deployment; `env` e.g. `{ MEDUSA_WORKER_MODE: "worker" }`), resolving `{ url, pid, stop() }`.
 * @param {DemoOptions} [options]
 */
async function startDemo(options = {}) {
  const env = options.env ?? process.env
  const log = options.log ?? ((message) => console.log(message))
  const stateDir = path.resolve(options.stateDir ?? path.join(ROOT, ".demo"))
  const appDir = path.join(stateDir, "app")
  const logDir = path.join(stateDir, "logs")
  const host = options.host ?? "localhost"
  const { step, timings } = progress(log)
  const started = Date.now()
  const running = cleanups(log, Boolean(env.DEMO_DEBUG))
  /** @param {string} message */
  const detail = (message) => log(`    ${message}`)

  try {
    if (options.reset) {
      await step("reset the demo folder", async () => fs.rmSync(stateDir, { recursive: true, force: true }))
    }
    fs.mkdirSync(logDir, { recursive: true })

    const port = await choosePorts(options.ports, log)
    const urls = {
      storefront: `http://${host}:${port.storefront}`,
      medusa: `http://${host}:${port.medusa}`,
      admin: `http://${host}:${port.medusa}/app`,
      sandbox: `http://${host}:${port.sandbox}`,
    }

    // 1. The plugin, built the way it is published.
    const buildReason = pluginBuildReason(options.buildPlugin ?? "auto")
    if (buildReason) {
      await step(`build the plugin (${buildReason}: medusa plugin:build)`, () => buildPlugin({ env, logDir, echo: options.echo, log }))
    }
    const medusaVersion = writeApp(appDir)
    const pluginDir = await step("install the plugin into the demo app", () => installPlugin(appDir))

    // 2. PostgreSQL.
    const db = await step("PostgreSQL", () => startPostgres({ given: options.database, stateDir, env, log: detail }))
    running.add("PostgreSQL", () => db.stop())
    const database = demoDatabase(db, { given: options.database, env })
    const freshDatabase = await step(`database ${database.name}`, () =>
      ensureDatabase(db, database.name, { reset: Boolean(options.reset) && database.owned, log: detail })
    )

    // 3. The Plural sandbox.
    const sandbox = await step("Plural sandbox", () => startPluralSandbox({ pluginDir, port: port.sandbox, urls, stateDir, log }))
    running.add("the Plural sandbox", () => sandbox.stop())

    // 4. The Medusa app.
    const adminEmail = options.adminEmail ?? env.DEMO_ADMIN_EMAIL ?? "admin@plural-demo.test"
    const adminPassword = options.adminPassword ?? env.DEMO_ADMIN_PASSWORD ?? "plural-demo"
    const seedFile = path.join(stateDir, "seed.json")
    const medusaEnv = medusaEnvironment(env, {
      databaseUrl: database.url,
      urls,
      port: port.medusa,
      merchant: sandbox.merchant,
      pluralBaseUrl: options.pluralBaseUrl ? await options.pluralBaseUrl(sandbox.url) : sandbox.url,
      admin: { email: adminEmail, password: adminPassword },
      seedFile,
    })
    const medusa = medusaCli({ appDir, env: medusaEnv, logDir, echo: options.echo })
    // One-shot commands still running when a start fails are stopped with everything else.
    running.add("the Medusa commands", () => medusa.stopCommands())

    const admin = adminDashboard({
      appDir,
      pluginDir,
      medusaVersion,
      cacheDir: options.adminCacheDir ?? path.join(ROOT, ".cache", "demo-admin"),
      medusa,
      logDir,
      step,
      log,
    })
    serveAdminDashboard(appDir, admin.cached)
    const migrating = migrate({
      appDir,
      pluginDir,
      stateDir,
      medusaVersion,
      databaseId: db.embedded ? `embedded:${database.name}` : `${db.host}:${db.port}/${database.name}`,
      fresh: freshDatabase,
      force: options.migrate,
      medusa,
      step,
      log,
    })
    // Keep a failing branch from leaving an unhandled rejection while the other is awaited.
    const settled = Promise.allSettled([admin.building, migrating])
    const seeding = migrating.then(() =>
      step("seed the store (medusa exec demo/seed.ts)", () => medusa.run("medusa-seed", ["exec", "./src/scripts/seed.js"]))
    )
    seeding.catch(() => {})
    for (const result of await settled) if (result.status === "rejected") throw result.reason

    /**
     * One more `medusa start` of the app on `listenPort`, with `extraEnv` for this one.
     * @param {number} listenPort
     * @param {string} name
     * @param {NodeJS.ProcessEnv} [extraEnv]
     */
    const startInstance = async (listenPort, name, extraEnv) => {
      const timeoutMs = options.startTimeoutMs ?? 180_000
      const { proc, ready } = startServer(medusa, { name, host: BIND_HOST, port: listenPort, extraEnv, timeoutMs })
      running.add(name, () => proc.stop())
      await ready
      return { url: `http://${host}:${listenPort}`, pid: proc.child.pid, stop: () => proc.stop() }
    }
    const server = await step(`start Medusa (medusa start on port ${port.medusa})`, () => startInstance(port.medusa, "medusa"))
    await seeding
    /** @type {{ publishable_key: string, region_id: string }} */
    const facts = JSON.parse(fs.readFileSync(seedFile, "utf8"))

    // 5. The storefront.
    const storefront = await step("storefront", () =>
      startStorefront({
        root: ROOT,
        pluginDir,
        port: port.storefront,
        host: BIND_HOST,
        config: { medusaUrl: urls.medusa, publishableKey: facts.publishable_key, regionId: facts.region_id },
      })
    )
    running.add("the storefront", () => storefront.stop())

    const result = {
      urls,
      publishableKey: facts.publishable_key,
      regionId: facts.region_id,
      admin: { email: adminEmail, password: adminPassword },
      database: { host: db.host, port: db.port, name: database.name, embedded: db.embedded },
      sandbox: { url: urls.sandbox, client_id: sandbox.merchant.client_id },
      pid: process.pid,
      startedAt: new Date().toISOString(),
      timings: { ...timings, total: Date.now() - started },
    }
    const stateFile = path.join(stateDir, "demo.json")
    fs.writeFileSync(stateFile, JSON.stringify(result, null, 2) + "\n")
    running.add("demo.json", async () => fs.rmSync(stateFile, { force: true }))
    return {
      ...result,
      stateFile,
      databaseUrl: database.url,
      sandboxControl: sandbox,
      medusaPid: server.pid,
      /**
       * @param {number} listenPort
       * @param {NodeJS.ProcessEnv} [extraEnv]
       */
      startInstance: (listenPort, extraEnv) => startInstance(listenPort, `medusa-${listenPort}`, extraEnv),
      stop: running.stop,
    }
  } catch (error) {
    await running.stop()
    throw error
  }
}

module.exports = { startDemo, DEFAULT_PORTS }
