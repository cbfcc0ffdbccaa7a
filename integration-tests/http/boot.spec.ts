/**
 * Bad provider options must stop a store from booting, with a message that names each bad option — not surface
 * later as a failed payment. This runs Medusa's own CLI on the test store, as a merchant would.
 */
import { spawnSync } from "node:child_process"
import path from "node:path"
import { Client } from "pg"

const app = path.join(__dirname, "../app")
const database = "plural_boot_check"
const server = {
  host: process.env.DB_HOST ?? "localhost",
  port: Number(process.env.DB_PORT ?? 5432),
  user: process.env.DB_USERNAME ?? "postgres",
  password: process.env.DB_PASSWORD ?? "",
}

async function admin(sql: string) {
  const client = new Client({ ...server, database: "postgres" })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

beforeAll(() => admin(`drop database if exists ${database}`).then(() => admin(`create database ${database}`)))
afterAll(() => admin(`drop database if exists ${database}`))

it("refuses to boot with bad Plural options and names each one", () => {
  const auth = `${encodeURIComponent(server.user)}${server.password ? `:${encodeURIComponent(server.password)}` : ""}`
  const run = spawnSync(process.execPath, [path.join(__dirname, "../../node_modules/.bin/medusa"), "db:migrate"], {
    cwd: app,
    encoding: "utf8",
    timeout: 240_000,
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATABASE_URL: `postgres://${auth}@${server.host}:${server.port}/${database}`,
      PLURAL_PROVIDER_OPTIONS: JSON.stringify({ client_id: "merchant-1", secret_key: "not-hex", backend_url: "localhost:9000" }),
    },
  })
  const output = `${run.stdout}${run.stderr}`
  expect(run.status).not.toBe(0)
  expect(output).toContain("medusa-payment-plural: invalid provider options")
  expect(output).toContain("client_secret: is required")
  expect(output).toContain("secret_key: must be the hex string Plural gave you")
  expect(output).toMatch(/backend_url: must be an absolute http\(s\) URL/)
  expect(output).not.toContain("merchant-1")
}, 300_000)
