/**
 * A demo store and its admin dashboard, logged in, in headless Chromium: what the admin's browser tests start from.
 * Each test file has its own demo folder and database, so it never disturbs a demo someone is running.
 */
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import net from "node:net"
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, freePort } from "./support"

// The demo is CommonJS so that Jest can load it in-process.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startDemo } = require("../../scripts/demo/start.cjs")

export type Demo = {
  urls: { medusa: string; admin: string; sandbox: string; storefront: string }
  publishableKey: string
  regionId: string
  admin: { email: string; password: string }
  stop(): Promise<void>
}

/**
 * The first port from `from` on that nothing listens on: for a demo whose admin dashboard is built for its Medusa
 * URL, a port that stays the same from run to run keeps that build valid.
 */
async function freePortFrom(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer()
      server.once("error", () => resolve(false))
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error(`no free port from ${from}`)
}

export type AdminSession = { demo: Demo; browser: BrowserContext; page: Page; close(): Promise<void> }

/**
 * `name` names the demo folder, the database and the Chromium profile; `medusaPortFrom` where to look for Medusa's
 * port. The dashboard bundle holds the backend URL it was built with, while the demo reuses its admin build whatever
 * the port: Medusa keeps a stable port, and the demo starts over when it has to move.
 */
export async function startAdminDemo(options: {
  name: string
  medusaPortFrom: number
  preAuth: boolean
  permissions?: string[]
}): Promise<AdminSession> {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const env = process.env
  const medusaPort = await freePortFrom(options.medusaPortFrom)
  const portFile = path.join(ROOT, ".demo", `browser-${options.name}.port`)
  const reset = !fs.existsSync(portFile) || fs.readFileSync(portFile, "utf8") !== String(medusaPort)
  const demo: Demo = await startDemo({
    stateDir: path.join(ROOT, ".demo", `browser-${options.name}`),
    reset,
    database: env.DB_HOST
      ? {
          host: env.DB_HOST,
          port: Number(env.DB_PORT || 5432),
          user: env.DB_USERNAME || "postgres",
          password: env.DB_PASSWORD || "",
          database: `medusa_plural_${options.name.replace(/-/g, "_")}`,
        }
      : undefined,
    ports: { medusa: medusaPort, storefront: await freePort(), sandbox: await freePort() },
    env: { ...env, PLURAL_PRE_AUTH: String(options.preAuth) },
    log: (message: string) => process.stdout.write(`${message}\n`),
  })
  fs.writeFileSync(portFile, String(medusaPort))

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-chromium-`))
  let browser: BrowserContext | undefined
  const close = async () => {
    await browser?.close().catch(() => {})
    fs.rmSync(userDataDir, { recursive: true, force: true })
    await demo.stop()
  }
  const consoleErrors: string[] = []
  try {
    // A fresh profile each run (playwright takes it as the persistent context's folder, not as --user-data-dir).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      viewport: { width: 1440, height: 1000 },
      args: CHROMIUM_ARGS,
      permissions: options.permissions,
    })
    const page = browser.pages()[0] ?? (await browser.newPage())
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text())
    })
    page.on("pageerror", (error) => consoleErrors.push(error.message))
    await page.goto(`${demo.urls.admin}/login`)
    await page.locator('input[name="email"]').fill(demo.admin.email)
    await page.locator('input[name="password"]').fill(demo.admin.password)
    await page.locator('button[type="submit"]').click()
    await page.waitForURL((url) => !url.pathname.endsWith("/login"), { timeout: 60_000 }).catch(async (error) => {
      await page.screenshot({ path: path.join(ARTIFACTS, `${options.name}-login-failed.png`) }).catch(() => {})
      throw new Error(`could not log in to ${demo.urls.admin}: ${error.message}\nbrowser errors:\n${consoleErrors.join("\n")}`)
    })
    return { demo, browser, page, close }
  } catch (error) {
    // Nothing left running: the demo's processes would keep Jest from exiting.
    await close()
    throw error
  }
}
