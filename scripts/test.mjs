#!/usr/bin/env node
// @ts-check
// `npm test`: type-check every TypeScript file, build the plugin, then run the unit, integration, browser and topology tests. Integration tests use the
// PostgreSQL named by DATABASE_URL / DB_HOST, or an embedded one started here and stopped afterwards.
import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { databaseEnv, ensurePostgres } from "./lib/postgres.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const extraArgs = process.argv.slice(2)
/** @param {string} message */
const log = (message) => console.log(`[test] ${message}`)

// Children run asynchronously: an embedded PostgreSQL started by this process writes its log to a pipe this process
// must keep reading, or the server blocks mid-query once the pipe is full.
/**
 * @param {string} command
 * @param {string[]} args
 * @returns {Promise<void>}
 */
function run(command, args, env = process.env) {
  log(`$ ${command} ${args.join(" ")}`)
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env })
    child.on("error", reject)
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} failed (exit ${code ?? signal})`))
    )
  })
}

// Medusa's test runner loads the app's config with a dynamic import, which jest allows only with VM modules.
const jestEnv = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --experimental-vm-modules`.trim() }
/**
 * A tool of the checkout's node_modules/.bin, run with this Node.
 * @param {[string, ...string[]]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
const npx = (args, env) => run(process.execPath, [path.join(root, "node_modules/.bin", args[0]), ...args.slice(1)], env)

/** @type {import("./lib/postgres.mjs").Postgres | undefined} */
let db
let failed = false
try {
  await npx(["tsc", "-p", "tsconfig.check.json"])
  await npx(["tsc", "-p", "tsconfig.scripts.json"])
  await npx(["tsc", "-p", "src/admin/tsconfig.json"])
  await npx(["medusa", "plugin:build"])
  await npx(["jest", "--selectProjects", "unit", ...extraArgs], jestEnv)

  const dataDir = path.join(root, ".cache", "test-postgres", "data")
  rmSync(dataDir, { recursive: true, force: true })
  db = await ensurePostgres({ dataDir, log })
  const env = { ...jestEnv, ...databaseEnv(db) }
  await npx(["jest", "--selectProjects", "integration", "browser", "topology", "--runInBand", ...extraArgs], env)
} catch (error) {
  failed = true
  console.error(`[test] ${error instanceof Error ? error.message : error}`)
} finally {
  await db?.stop()
}
process.exit(failed ? 1 : 0)
