// Child processes of the demo: each runs in its own process group (so stopping it also stops whatever it spawned),
// writes its output to a log file, and is stopped with SIGTERM, then SIGKILL if it does not exit in time.
"use strict"

const { spawn } = require("node:child_process")
const { createWriteStream, readFileSync, mkdirSync } = require("node:fs")
const path = require("node:path")

/** Every group still running, so that an unexpected exit of the parent can still kill them. */
const running = new Set()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on("exit", () => {
    for (const child of running) {
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {}
    }
  })
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return ""
  }
}

/**
 * Starts `command args` in `cwd`. Returns `{ child, exited, stop(), logFile }`; `exited` resolves with the exit code
 * (or the signal name) once the process is gone.
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
        resolve(code ?? signal)
      }, 50)
    })
  })

  async function stop(timeoutMs = 15_000) {
    if (child.exitCode !== null || child.signalCode !== null || !running.has(child)) return exited
    const signalGroup = (signal) => {
      try {
        process.kill(-child.pid, signal)
      } catch {}
    }
    signalGroup("SIGTERM")
    const timer = setTimeout(() => signalGroup("SIGKILL"), timeoutMs)
    await exited
    clearTimeout(timer)
    // Anything the process left behind in its group goes too.
    signalGroup("SIGKILL")
    return exited
  }

  return { name, child, exited, stop, logFile }
}

/** Runs a command to completion; throws with the end of its log when it fails. */
async function runProcess(options) {
  const proc = startProcess(options)
  options.onStart?.(proc)
  const code = await proc.exited
  if (code !== 0) {
    throw new Error(
      `${options.name} failed (exit ${code}); the end of ${proc.logFile}:\n${tail(proc.logFile)}`
    )
  }
  return proc
}

module.exports = { startProcess, runProcess, tail }
