/** What every browser test needs: where things are, how Chromium starts here, and free loopback ports. */
import net from "node:net"
import path from "node:path"

export const ROOT = path.resolve(__dirname, "..", "..")
export const ARTIFACTS = path.join(ROOT, "artifacts")

/** Debian's Chromium; never a browser a test tool downloads. */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium"
/** Headless as root, and quiet: without the background-networking flags Chromium keeps dialling out. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]

/**
 * A port the system just handed out. The demo's defaults (9000/8000/9100) are where a developer's own `npm run demo`
 * listens, and a port that is free when the demo starts can be taken by the time it binds it minutes later.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })
}

/** Integer paise → "₹1,234.50", written independently of the widgets' formatter. */
export function rupees(paise: number): string {
  const whole = Math.floor(paise / 100)
  const fraction = String(paise % 100).padStart(2, "0")
  return `₹${new Intl.NumberFormat("en-IN").format(whole)}.${fraction}`
}

export type TestDatabase = { host: string; port: number; user: string; password: string; database: string }

/** A new database for one test file's demo, on the server in DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD. */
export function testDatabase(prefix: string): TestDatabase {
  if (!process.env.DB_HOST) throw new Error("The browser tests need DB_HOST & co. (run them through npm test)")
  return {
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USERNAME || "postgres",
    password: process.env.DB_PASSWORD || "",
    database: `${prefix}_${process.pid}_${Date.now().toString(36)}`,
  }
}

/** Drops a test file's database when it is done. */
export async function dropTestDatabase(db: TestDatabase): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require("pg")
  const client = new Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: "postgres" })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS "${db.database}" WITH (FORCE)`)
  await client.end()
}
