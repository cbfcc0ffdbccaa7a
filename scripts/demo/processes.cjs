// @ts-check
// Child processes of the demo: each runs in its own process group (so stopping it also stops whatever it spawned),
// writes its output to a log file, and is stopped with SIGTERM, then SIGKILL if it does not exit in time.
"use strict"

const { spawn } = require("node:child_process")
const { createWriteStream, readFileSync, mkdirSync } = require("node:fs")
const path = require("node:path")

/**
 * What to run: `command args` in `cwd`, its output appended to `<logDir>/<name>.log` (and echoed when `echo`).
 * `onStart` (for `runProcess`) sees the process as soon as it runs.
 * @typedef {{
 *   name: string,
 *   command: string,
 *   args: string[],
 *   cwd: string,
 *   env: NodeJS.ProcessEnv,
 *   logDir: string,
 *   echo?: boolean,
 *   onStart?: (proc: ChildProc) => void,
 * }} ProcessSpec
 */

/**
 * A started process: `exited` resolves with the exit code (or the signal's name, or "error") once it is gone.
 * @typedef {{
 *   name: string,
 *   child: import("node:child_process").ChildProcess,
 *   exited: Promise<number | string>,
 *   stop: (timeoutMs?: number) => Promise<number | string>,
 *   logFile: string,
 * }} ChildProc
 */

/**
 * Every group still running, so that an unexpected exit of the parent can still kill them.
 * @type {Set<import("node:child_process").ChildProcess>}
 */
const running = new Set()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on("exit", () => {
    for (const child of running) signalGroup(child, "SIGKILL")
  })
}

/**
 * Sends `signal` to the process group `child` leads; a group already gone is no error.
 * @param {import("node:child_process").ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function signalGroup(child, signal) {
  try {
    if (child.pid) process.kill(-child.pid, signal)
  } catch {}
}

/**
 * The last `lines` lines of `file` ("" when it cannot be read).
 * @param {string} file
 */
function tail(file, lines = 40) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return ""
  }
}

/**
 * Starts the process `spec` describes.
 * @param {ProcessSpec} spec
 * @returns {ChildProc}
 */
function startProcess({ name, command, args, cwd, env, logDir, echo = false }) {
  installExitHook()
  mkdirSync(logDir, { recursive: true })
  const logFile = path.join(logDir, `${name}.log`)
  const log = createWriteStream(logFile, { flags: "a" })
  log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(" ")} (in ${cwd})\n`)
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  running.add(child)
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(log, { end: false })
    if (echo) stream.on("data", (chunk) => process.stdout.write(`[${name}] ${chunk}`))
  }
  /** @type {Promise<number | string>} */
  const exited = new Promise((resolve) => {
    child.on("error", (error) => {
      log.write(`\n${error.stack || error}\n`)
      running.delete(child)
      resolve("error")
    })
    child.on("exit", (code, signal) => {
      running.delete(child)
      // Give the pipes a moment to flush into the log before it is read.
      setTimeout(() => {
        log.end()
        resolve(code ?? signal ?? "error")
      }, 50)
    })
  })

  /** @param {number} [timeoutMs] */
  async function stop(timeoutMs = 15_000) {
    if (child.exitCode !== null || child.signalCode !== null || !running.has(child)) return exited
    signalGroup(child, "SIGTERM")
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), timeoutMs)
    await exited
    clearTimeout(timer)
    // Anything the process left behind in its group goes too.
    signalGroup(child, "SIGKILL")
    return exited
  }

  return { name, child, exited, stop, logFile }
}

/**
 * Runs a command to completion; throws with the end of its log when it fails.
 * @param {ProcessSpec} spec
 */
async function runProcess(spec) {
  const proc = startProcess(spec)
  spec.onStart?.(proc)
  const code = await proc.exited
  if (code !== 0) throw new Error(`${spec.name} failed (exit ${code}); the end of ${proc.logFile}:\n${tail(proc.logFile)}`)
  return proc
}

module.exports = { startProcess, runProcess }
