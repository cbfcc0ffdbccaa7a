// @ts-check
// Medusa's commands on the demo app: the admin dashboard build (cached by content), db:migrate (skipped when this
// database is known to be up to date), the seed script, and `medusa start` instances.
"use strict"

const { createHash } = require("node:crypto")
const fs = require("node:fs")
const path = require("node:path")
const { ROOT, hashFiles, pruneCache, touch, walkFiles } = require("./files.cjs")
const { seconds } = require("./progress.cjs")
const { startProcess, runProcess } = require("./processes.cjs")

const MEDUSA_BIN = path.join(ROOT, "node_modules/.bin/medusa")

/**
 * Medusa's CLI on the app at `appDir` with `env`. Commands still running when the demo stops (a failed start) are
 * stopped by `stopCommands()`.
 * @param {{ appDir: string, env: NodeJS.ProcessEnv, logDir: string, echo?: boolean }} options
 */
function medusaCli({ appDir, env, logDir, echo }) {
  /** @type {Set<import("./processes.cjs").ChildProc>} */
  const commands = new Set()
  /**
   * @param {string} name the log's name
   * @param {string[]} args
   * @param {NodeJS.ProcessEnv} [extraEnv]
   * @returns {import("./processes.cjs").ProcessSpec}
   */
  const spec = (name, args, extraEnv = {}) => ({
    name,
    onStart: (proc) => {
      commands.add(proc)
      proc.exited.then(() => commands.delete(proc))
    },
    command: process.execPath,
    args: [MEDUSA_BIN, ...args],
    cwd: appDir,
    env: { ...env, ...extraEnv },
    logDir,
    echo,
  })
  return {
    /** Runs `medusa <args>` to completion (its log: `<logDir>/<name>.log`). */
    run: (/** @type {string} */ name, /** @type {string[]} */ args) => runProcess(spec(name, args)),
    /** Starts `medusa <args>`, e.g. a server. */
    start: (/** @type {string} */ name, /** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ extraEnv) => startProcess(spec(name, args, extraEnv)),
    stopCommands: () => Promise.all([...commands].map((proc) => proc.stop())),
  }
}

/** @typedef {ReturnType<typeof medusaCli>} MedusaCli */
/** @typedef {<T>(name: string, fn: () => T | Promise<T>) => Promise<T>} Step */

/**
 * The admin build only depends on the config, the Medusa version and the plugin's admin extensions: it is kept
 * under that key in `cacheDir` (shared by every demo folder of this checkout), and reused while those stay the same.
 * Resolves the cached build's folder once it is there.
 * @param {{ appDir: string, pluginDir: string, medusaVersion: string, cacheDir: string, medusa: MedusaCli, logDir: string, step: Step, log: (message: string) => void }} options
 */
function adminDashboard({ appDir, pluginDir, medusaVersion, cacheDir, medusa, logDir, step, log }) {
  const buildKey = createHash("sha256")
    .update(medusaVersion)
    .update(
      hashFiles([
        path.join(appDir, "medusa-config.js"),
        path.join(appDir, "package.json"),
        path.join(appDir, "tsconfig.json"),
        ...walkFiles(path.join(pluginDir, ".medusa/server/src/admin"), () => true),
      ])
    )
    .digest("hex")
    .slice(0, 16)
  const cached = path.join(cacheDir, buildKey)
  if (fs.existsSync(path.join(cached, "index.html"))) {
    log("  ✔ admin dashboard build is up to date (reused)")
    touch(cached)
    return { cached, building: Promise.resolve() }
  }
  const building = step("build the admin dashboard (medusa build --admin-only)", async () => {
    const built = path.join(appDir, ".medusa", "admin")
    fs.rmSync(built, { recursive: true, force: true })
    await medusa.run("medusa-build", ["build", "--admin-only"])
    if (!fs.existsSync(path.join(built, "index.html"))) {
      throw new Error(`medusa build did not produce the admin dashboard (see ${path.join(logDir, "medusa-build.log")})`)
    }
    fs.mkdirSync(cacheDir, { recursive: true })
    try {
      fs.renameSync(built, cached)
    } catch (error) {
      // Another demo cached the same build meanwhile.
      if (!fs.existsSync(path.join(cached, "index.html"))) throw error
    }
    pruneCache(cacheDir, 3)
  })
  return { cached, building }
}

/**
 * `medusa start` serves the dashboard from <app>/public/admin: a link to the cached build.
 * @param {string} appDir
 * @param {string} cached
 */
function serveAdminDashboard(appDir, cached) {
  const publicAdmin = path.join(appDir, "public", "admin")
  fs.mkdirSync(path.dirname(publicAdmin), { recursive: true })
  fs.rmSync(publicAdmin, { recursive: true, force: true })
  fs.symlinkSync(cached, publicAdmin, "dir")
}

/**
 * db:migrate costs half a minute even when there is nothing to do: it is skipped when this database was migrated by
 * the same Medusa version with the same plugin migrations and links (recorded in `<stateDir>/migrated`), unless the
 * database is new or `force`.
 * @param {{ appDir: string, pluginDir: string, stateDir: string, medusaVersion: string, databaseId: string, fresh: boolean, force?: boolean, medusa: MedusaCli, step: Step, log: (message: string) => void }} options
 * @returns {Promise<unknown>}
 */
function migrate({ appDir, pluginDir, stateDir, medusaVersion, databaseId, fresh, force, medusa, step, log }) {
  const migrationKey = `${medusaVersion}:${databaseId}:${hashFiles([
    path.join(appDir, "medusa-config.js"),
    ...walkFiles(path.join(pluginDir, ".medusa/server/src"), (f) => /[/\\](migrations|links)[/\\]/.test(f)),
  ])}`
  const migrationKeyFile = path.join(stateDir, "migrated")
  const upToDate = !fresh && !force && fs.existsSync(migrationKeyFile) && fs.readFileSync(migrationKeyFile, "utf8") === migrationKey
  if (upToDate) {
    log("  ✔ database schema is up to date (medusa db:migrate skipped; --migrate forces it)")
    return Promise.resolve()
  }
  return step(`migrate the database (medusa db:migrate${fresh ? ", new database" : ""})`, async () => {
    fs.rmSync(migrationKeyFile, { force: true })
    await medusa.run("medusa-migrate", ["db:migrate"])
    fs.writeFileSync(migrationKeyFile, migrationKey)
  })
}

/**
 * Resolves once `url` answers 2xx; rejects when `exited` settles first or `timeoutMs` passes.
 * @param {string} url
 * @param {{ timeoutMs: number, exited: Promise<unknown>, what: string }} options
 * @returns {Promise<void>}
 */
function waitForHttp(url, { timeoutMs, exited, what }) {
  const deadline = Date.now() + timeoutMs
  /** @type {unknown} */
  let gone = false
  exited.then((code) => (gone = code))
  return new Promise((resolve, reject) => {
    const attempt = async () => {
      if (gone !== false) return reject(new Error(`${what} exited (${gone}) before it answered ${url}`))
      try {
        // No keep-alive: an idle connection from here would hold up Medusa's graceful shutdown later.
        const response = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { connection: "close" } })
        if (response.ok) return resolve()
      } catch {}
      if (Date.now() > deadline) return reject(new Error(`${what} did not answer ${url} within ${seconds(timeoutMs)}`))
      setTimeout(attempt, 500)
    }
    attempt()
  })
}

/**
 * One `medusa start` of the app on `host:port`, with `extraEnv` (e.g. MEDUSA_WORKER_MODE) for this one: the process
 * at once, and `ready`, which resolves once it answers /health.
 * @param {MedusaCli} medusa
 * @param {{ name: string, host: string, port: number, extraEnv?: NodeJS.ProcessEnv, timeoutMs: number }} options
 */
function startServer(medusa, { name, host, port, extraEnv = {}, timeoutMs }) {
  // NODE_ENV neither "development" (which would serve the admin through Vite) nor "production" (whose Secure
  // session cookie would not be sent back over plain http://localhost).
  const proc = medusa.start(name, ["start", "-H", host, "-p", String(port)], { NODE_ENV: "demo", ...extraEnv })
  const ready = waitForHttp(`http://${host}:${port}/health`, { timeoutMs, exited: proc.exited, what: `Medusa (log: ${proc.logFile})` })
  return { proc, ready }
}

module.exports = { adminDashboard, medusaCli, migrate, serveAdminDashboard, startServer }
