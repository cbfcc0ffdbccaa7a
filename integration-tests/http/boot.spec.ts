/**
 * What Medusa's own CLI does with the plugin, as a merchant runs it on the test store: bad provider options stop
 * the store naming each one; `medusa db:migrate` works where no Plural variable exists (CI, a pre-deploy step) while
 * `medusa start` still refuses to run without them; and wrong credentials are reported at start, in one log line,
 * without holding the start up. One database, the steps in order.
 */
import { spawn, spawnSync } from "node:child_process"
import path from "node:path"
import { Client } from "pg"
import { startSandbox, type Sandbox } from "../../src/sandbox"
import { freePort } from "../browser/support"

const app = path.join(__dirname, "../app")
const medusaBin = path.join(__dirname, "../../node_modules/.bin/medusa")
const database = "plural_boot_check"
const server = {
  host: process.env.DB_HOST ?? "localhost",
  port: Number(process.env.DB_PORT ?? 5432),
  user: process.env.DB_USERNAME ?? "postgres",
  password: process.env.DB_PASSWORD ?? "",
}
const auth = `${encodeURIComponent(server.user)}${server.password ? `:${encodeURIComponent(server.password)}` : ""}`

async function sql(text: string, db = "postgres") {
  const client = new Client({ ...server, database: db })
  await client.connect()
  try {
    return (await client.query(text)).rows
  } finally {
    await client.end()
  }
}

/** The environment of a command on the test store: its database, and these provider options (none: unset). */
function env(options?: Record<string, unknown>): NodeJS.ProcessEnv {
  const { PLURAL_PROVIDER_OPTIONS: _other, ...rest } = process.env
  return {
    ...rest,
    NODE_OPTIONS: "",
    DATABASE_URL: `postgres://${auth}@${server.host}:${server.port}/${database}`,
    ...(options ? { PLURAL_PROVIDER_OPTIONS: JSON.stringify(options) } : {}),
  }
}

function medusa(args: string[], options?: Record<string, unknown>) {
  const run = spawnSync(process.execPath, [medusaBin, ...args], { cwd: app, encoding: "utf8", timeout: 240_000, env: env(options) })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

beforeAll(() => sql(`drop database if exists ${database}`).then(() => sql(`create database ${database}`)))
afterAll(() => sql(`drop database if exists ${database}`))

it("refuses to boot with bad Plural options and names each one", () => {
  const run = medusa(["db:migrate"], { client_id: "merchant-1", secret_key: "not-hex", backend_url: "localhost:9000" })
  expect(run.status).not.toBe(0)
  expect(run.output).toContain("medusa-payment-plural: invalid provider options")
  expect(run.output).toContain("client_secret: is required")
  expect(run.output).toContain("secret_key: must be the hex string Plural gave you")
  expect(run.output).toMatch(/backend_url: must be an absolute http\(s\) URL/)
  expect(run.output).not.toContain("merchant-1")
}, 300_000)

it("medusa db:migrate runs without any Plural variable: the plugin's tables are made and the provider registered", async () => {
  const run = medusa(["db:migrate"])
  expect(run.output).not.toContain("invalid provider options")
  expect(run.status).toBe(0)
  expect(run.output).toContain("Plural: no credentials set")
  const tables = await sql(`select table_name from information_schema.tables where table_name in ('plural_order', 'plural_refund', 'plural_webhook_event')`, database)
  expect(tables.map((t) => t.table_name).sort()).toEqual(["plural_order", "plural_refund", "plural_webhook_event"])
  expect(await sql(`select id, is_enabled from payment_provider where id = 'pp_plural_plural'`, database)).toEqual([{ id: "pp_plural_plural", is_enabled: true }])
}, 300_000)

it("medusa start without the Plural variables still refuses to run, naming them", () => {
  // An empty value counts as unset: PLURAL_ENVIRONMENT= is no reason to stop, a missing secret is.
  const run = medusa(["start"], { environment: "", client_secret: "" })
  expect(run.status).not.toBe(0)
  expect(run.output).toContain("medusa-payment-plural: invalid provider options")
  expect(run.output).toContain("client_secret: is required")
  expect(run.output).not.toMatch(/environment: /)
}, 300_000)

describe("wrong credentials at start", () => {
  let sandbox: Sandbox
  const TOKEN_COUNTER = 1000
  beforeAll(async () => {
    sandbox = await startSandbox()
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ route: "token", kind: "latency", latency_ms: 1, count: TOKEN_COUNTER }),
    })
  })
  afterAll(() => sandbox?.stop())

  it("are reported in one log line while the store starts and serves anyway", async () => {
    const options = {
      client_id: sandbox.merchant.client_id,
      client_secret: "not-the-sandbox-secret",
      secret_key: sandbox.merchant.secret_key,
      webhook_secret: sandbox.merchant.webhook_secret,
      base_url: sandbox.url,
      backend_url: "http://localhost:9000",
      storefront_success_url: "http://storefront.test/order/confirmed",
      storefront_failure_url: "http://storefront.test/checkout",
    }
    const port = await freePort()
    const child = spawn(process.execPath, [medusaBin, "start"], { cwd: app, env: { ...env(options), PORT: String(port) } })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const exited = new Promise((resolve) => child.once("exit", resolve))
    try {
      await until(() => /Server is ready on port/.test(output) && /refused the credentials/.test(output), () => output, 240)
      const health = await fetch(`http://127.0.0.1:${port}/health`)
      expect(health.status).toBe(200)
      const lines = output.split("\n").filter((line) => line.includes("Plural:") && line.includes("credentials"))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/refused the credentials.*PLURAL_CLIENT_ID, PLURAL_CLIENT_SECRET/)
      expect(output).not.toContain("not-the-sandbox-secret")
      // One token request: what is left of the counted no-op fault on the token route tells how many were made.
      const [fault] = (await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()) as { count: number }[]
      expect(TOKEN_COUNTER - fault.count).toBe(1)
    } finally {
      child.kill("SIGTERM")
      await exited
    }
  }, 300_000)
})

async function until(ready: () => boolean, seen: () => string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (ready()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`gave up waiting; output so far:\n${seen()}`)
}
