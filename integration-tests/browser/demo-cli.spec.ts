/**
 * `npm run demo` as a user runs it, with no database configured (so an embedded PostgreSQL keeps the data in the demo
 * folder) and the demo folder outside the checkout: `node scripts/demo.mjs` from an empty folder, stopped with Ctrl-C
 * (SIGINT to its process group, as a terminal sends it); then `npm run demo` on the existing data, in the background,
 * stopped by SIGTERM and then by SIGINT to npm alone. Nothing may be left running.
 */
import { spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { ROOT, freePort, isListening } from "./support"

// Outside the checkout: the demo app must resolve its packages without a node_modules further up.
const STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "plural-demo-cli-"))

jest.setTimeout(15 * 60_000)

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> }

/**
 * Starts the demo (`node scripts/demo.mjs`, or `npm run demo`) in its own process group and resolves once it printed
 * that the demo is ready.
 */
async function startCli(via: "node" | "npm", args: string[]): Promise<Run> {
  const env = { ...process.env }
  // No database configured: the demo's default, an embedded PostgreSQL.
  for (const name of ["DATABASE_URL", "DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "NODE_ENV"]) delete env[name]
  const [command, commandArgs] =
    via === "npm" ? ["npm", ["run", "demo", "--", ...args]] : [process.execPath, [path.join(ROOT, "scripts/demo.mjs"), ...args]]
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout!.on("data", (chunk) => (output += chunk))
  child.stderr!.on("data", (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes("The demo is ready")) {
        clearInterval(timer)
        resolve()
      }
    }, 250)
    exited.then((code) => {
      clearInterval(timer)
      reject(new Error(`npm run demo exited (${code}) before it was ready:\n${output}`))
    })
  })
  return { child, output: () => output, exited }
}

/** Whether any process of the group `pgid` is still there (polled briefly: exited children are reaped in a moment). */
async function groupAlive(pgid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(-pgid, 0)
    } catch {
      return false
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return true
}

async function waitForExit(run: Run, timeoutMs = 60_000) {
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref())
  return Promise.race([run.exited, timeout])
}

describe("npm run demo (the command, with an embedded PostgreSQL)", () => {
  const ports: Record<string, number> = {}
  let run: Run | undefined

  beforeAll(async () => {
    for (const name of ["medusa", "storefront", "sandbox"]) ports[name] = await freePort()
  })

  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      try {
        process.kill(-run.child.pid!, "SIGKILL")
      } catch {}
    }
    fs.rmSync(STATE_DIR, { recursive: true, force: true })
  })

  const portArgs = () => [
    "--medusa-port",
    String(ports.medusa),
    "--storefront-port",
    String(ports.storefront),
    "--sandbox-port",
    String(ports.sandbox),
    "--state-dir",
    STATE_DIR,
    // npm test builds the plugin first.
    "--build-plugin",
    "never",
  ]

  async function expectEverythingStopped() {
    // Nothing of the command's process group (npm, the demo script) is left.
    expect(await groupAlive(run!.child.pid!)).toBe(false)
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false)
    expect(fs.existsSync(path.join(STATE_DIR, "postgres", "postmaster.pid"))).toBe(false)
    expect(fs.existsSync(path.join(STATE_DIR, "demo.json"))).toBe(false)
  }

  let firstKey: string

  it("starts from an empty folder, prints the URLs and writes demo.json, and Ctrl-C stops everything", async () => {
    run = await startCli("node", ["--reset", ...portArgs()])
    const output = run.output()
    expect(output).toContain("(new data)")
    expect(output).toMatch(/✔ migrate the database \(medusa db:migrate, new database\) \(\d+\.\ds\)/)
    const state = JSON.parse(fs.readFileSync(path.join(STATE_DIR, "demo.json"), "utf8"))
    expect(state.database.embedded).toBe(true)
    expect(state.urls.storefront).toBe(`http://localhost:${ports.storefront}`)
    for (const line of [state.urls.storefront, state.urls.admin, state.urls.sandbox, state.publishableKey, state.admin.email]) {
      expect(output).toContain(line)
    }
    expect((await fetch(state.urls.storefront)).status).toBe(200)
    expect((await fetch(`${state.urls.medusa}/health`)).status).toBe(200)
    firstKey = state.publishableKey

    process.kill(-run.child.pid!, "SIGINT")
    expect(await waitForExit(run)).toBe(0)
    expect(run.output()).toContain("Stopped everything")
    await expectEverythingStopped()
  })

  it.each(["SIGTERM", "SIGINT"] as const)("npm run demo starts again on the existing data, and %s to npm stops everything", async (signal) => {
    run = await startCli("npm", portArgs())
    const output = run.output()
    expect(output).toContain("(existing data)")
    expect(output).toContain("database schema is up to date")
    const state = JSON.parse(fs.readFileSync(path.join(STATE_DIR, "demo.json"), "utf8"))
    expect(state.publishableKey).toBe(firstKey)
    const products = await fetch(`${state.urls.medusa}/store/products`, {
      headers: { "x-publishable-api-key": state.publishableKey },
    })
    expect(((await products.json()) as { products: unknown[] }).products).toHaveLength(3)

    // npm alone gets the signal, as from `kill <npm's pid>` for a demo started in the background.
    process.kill(run.child.pid!, signal)
    expect(await waitForExit(run)).toBe(0)
    expect(run.output()).toContain("Stopped everything")
    await expectEverythingStopped()
  })
})
