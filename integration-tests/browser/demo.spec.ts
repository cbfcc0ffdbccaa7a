/**
 * The demo end to end, in headless Chromium: `startDemo` brings up the sandbox, a Medusa store with this plugin and
 * the storefront on a fresh database; a shopper buys through the sandbox's hosted checkout page, then declines and
 * retries; the admin API shows the orders with captured Plural payments; the demo stops completely and comes up
 * again on the same data.
 *
 * Needs a PostgreSQL server in DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD (npm test provides one) and Chromium at
 * /usr/bin/chromium (or CHROMIUM_PATH). Run after the plugin build (`npm test` builds first).
 */
import fs from "node:fs"
import path from "node:path"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"
import { ROOT, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, dropTestDatabase, freePort, isListening, testDatabase, type TestDatabase } from "./support"

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startDemo } = require("../../scripts/demo/start.cjs")

const STATE_DIR = path.join(ROOT, ".cache", "browser-demo")

jest.setTimeout(15 * 60_000)

type Demo = {
  urls: { storefront: string; medusa: string; admin: string; sandbox: string }
  publishableKey: string
  admin: { email: string; password: string }
  stateFile: string
  timings: Record<string, number>
  stop(): Promise<void>
}

async function adminToken(demo: Demo): Promise<string> {
  const response = await fetch(`${demo.urls.medusa}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(demo.admin),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { token: string }).token
}

async function adminOrder(demo: Demo, orderId: string) {
  const fields = "id,display_id,total,currency_code,payment_status,*payment_collections,*payment_collections.payments"
  const response = await fetch(`${demo.urls.medusa}/admin/orders/${orderId}?fields=${encodeURIComponent(fields)}`, {
    headers: { authorization: `Bearer ${await adminToken(demo)}` },
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { order: any }).order
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, `demo-${name}.png`), fullPage: true })
}

/** "₹1,234.50" → 1234.5 */
const rupeesIn = (text: string | null) => Number((text ?? "").replace(/[^\d.]/g, ""))

/** The storefront's home page → the product's buy button → the checkout, paid or failed as below. */
async function buyThroughHostedPage(page: Page, demo: Demo, product: string, button: "pay" | "fail", name: string) {
  await page.goto(demo.urls.storefront)
  await page.getByTestId(`buy-${product}`).click()
  await checkoutThroughHostedPage(page, demo, button, name)
}

/**
 * Product page → checkout → Plural's hosted page (sandbox) → the given button → back on the storefront. The total
 * the checkout shows (shipping and tax included) is what the hosted page charges, and the page fits its card.
 */
async function checkoutThroughHostedPage(page: Page, demo: Demo, button: "pay" | "fail", name: string) {
  await page.getByTestId("pay-button").waitFor()
  await expect(page.getByTestId("cart-shipping").textContent()).resolves.toMatch(/₹/)
  const shown = rupeesIn(await page.getByTestId("cart-total").textContent())
  expect(shown).toBeGreaterThan(0)
  await shot(page, `${name}-checkout`)
  await page.getByTestId("pay-button").click()
  await page.waitForURL((url) => url.origin === new URL(demo.urls.sandbox).origin, { timeout: 60_000 })
  await page.getByTestId(button).waitFor()
  expect(rupeesIn(await page.getByTestId("amount").textContent())).toBe(shown)
  const card = (await page.locator("main").boundingBox())!
  const select = (await page.getByTestId("error-code").boundingBox())!
  expect(select.x + select.width).toBeLessThanOrEqual(card.x + card.width)
  await shot(page, `${name}-plural`)
  await page.getByTestId(button).click()
  await page.waitForURL((url) => url.origin === new URL(demo.urls.storefront).origin, { timeout: 60_000 })
}

/** Console errors and uncaught exceptions of the storefront's pages (the sandbox's pages are Plural's). */
const storefrontErrors: string[] = []
function watchConsole(page: Page, demo: Demo) {
  const onStorefront = () => new URL(page.url()).origin === new URL(demo.urls.storefront).origin
  page.on("console", (message) => {
    if (message.type() === "error" && onStorefront()) storefrontErrors.push(`${page.url()}: ${message.text()}`)
  })
  page.on("pageerror", (error) => {
    if (onStorefront()) storefrontErrors.push(`${page.url()}: ${error.message}`)
  })
}

describe("npm run demo", () => {
  let demo: Demo
  let browser: Browser
  let context: BrowserContext
  let db: TestDatabase
  const ports: Record<string, number> = {}
  const log = (message: string) => process.stdout.write(`[demo] ${message}\n`)
  /** The first order bought, read again after the restart. */
  let firstOrder: string

  beforeAll(async () => {
    db = testDatabase("plural_demo_browser")
    for (const name of ["medusa", "storefront", "sandbox"]) ports[name] = await freePort()
    // An empty demo folder and a new database (the admin dashboard build is cached by content elsewhere).
    fs.rmSync(STATE_DIR, { recursive: true, force: true })
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  })

  afterEach(() => {
    const errors = storefrontErrors.splice(0)
    expect(errors).toEqual([])
  })

  /** A page of the current browser context whose console errors fail the test. */
  const newPage = async () => {
    const page = await context.newPage()
    watchConsole(page, demo)
    return page
  }

  afterAll(async () => {
    await context?.close().catch(() => {})
    await browser?.close().catch(() => {})
    await demo?.stop()
    // The test's own database goes too.
    await dropTestDatabase(db)
  })

  it("comes up from an empty data folder with the store, admin, sandbox and storefront answering", async () => {
    demo = await startDemo({ stateDir: STATE_DIR, database: db, ports, buildPlugin: "never", log })
    log(`cold start: ${(demo.timings.total / 1000).toFixed(1)}s`)
    const state = JSON.parse(fs.readFileSync(demo.stateFile, "utf8"))
    expect(state.urls).toEqual(demo.urls)
    // One host everywhere, the sandbox included.
    expect(state.sandbox.url).toBe(demo.urls.sandbox)
    for (const url of Object.values<string>(state.urls)) expect(new URL(url).hostname).toBe("localhost")
    expect(state.publishableKey).toMatch(/^pk_/)
    for (const url of [`${demo.urls.medusa}/health`, `${demo.urls.admin}/`, demo.urls.storefront]) {
      expect((await fetch(url)).status).toBe(200)
    }
    // The storefront's icon, where its page and a browser's default ask for it.
    expect(await (await fetch(demo.urls.storefront)).text()).toContain('<link rel="icon" href="/favicon.svg"')
    for (const icon of ["/favicon.svg", "/favicon.ico"]) {
      const response = await fetch(`${demo.urls.storefront}${icon}`)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-type")).toBe("image/svg+xml")
    }
    const sandboxOrders = await fetch(`${demo.urls.sandbox}/_sandbox/orders`)
    expect(sandboxOrders.status).toBe(200)
  })

  it("buys a product through Plural's hosted checkout and the admin shows a captured Plural payment", async () => {
    context = await browser.newContext()
    const page = await newPage()
    await buyThroughHostedPage(page, demo, "masala-chai-tin", "pay", "success")

    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 })
    expect(new URL(page.url()).pathname).toBe("/order/confirmed")
    const orderId = (await page.getByTestId("order-id").textContent())!.trim()
    expect(orderId).toMatch(/^order_/)
    // ₹499.50 + ₹99 shipping: paise survive the round trip.
    await expect(page.getByTestId("order-total").textContent()).resolves.toContain("598.50")
    await shot(page, "success-confirmed")

    const order = await adminOrder(demo, orderId)
    firstOrder = orderId
    expect(order.currency_code).toBe("inr")
    expect(Number(order.total)).toBeCloseTo(598.5)
    expect(order.payment_status).toBe("captured")
    const payments = order.payment_collections.flatMap((c: any) => c.payments)
    expect(payments).toHaveLength(1)
    expect(payments[0].provider_id).toBe("pp_plural_plural")
    expect(payments[0].captured_at).toBeTruthy()
    expect(payments[0].data.plural_order_id).toBeTruthy()
  })

  it("shows a clear failure when the payment is declined, then succeeds on retry", async () => {
    const page = await newPage()
    await buyThroughHostedPage(page, demo, "block-printed-tote", "fail", "declined")

    await page.getByTestId("payment-failed").waitFor({ timeout: 30_000 })
    expect(new URL(page.url()).pathname).toBe("/checkout/failed")
    await expect(page.getByTestId("failure-reason").textContent()).resolves.toMatch(/declined|failed/i)
    await shot(page, "declined-failure")

    await page.getByTestId("try-again").click()
    await checkoutThroughHostedPage(page, demo, "pay", "retry")
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 })
    const orderId = (await page.getByTestId("order-id").textContent())!.trim()
    await shot(page, "retry-confirmed")

    const order = await adminOrder(demo, orderId)
    expect(order.payment_status).toBe("captured")
    const payments = order.payment_collections.flatMap((c: any) => c.payments)
    expect(payments).toHaveLength(1)
    expect(payments[0].provider_id).toBe("pp_plural_plural")
    await page.close()
  })

  it("waits on the confirmation page when Plural confirms the payment late (as wallets do)", async () => {
    const configure = (patch: Record<string, unknown>) =>
      fetch(`${demo.urls.sandbox}/_sandbox/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(patch),
      })
    expect((await configure({ processingDelayMs: 4000 })).status).toBe(200)
    const page = await newPage()
    try {
      const returns: string[] = []
      page.on("framenavigated", (frame) => frame === page.mainFrame() && returns.push(frame.url()))
      await buyThroughHostedPage(page, demo, "masala-chai-tin", "pay", "late")
      await page.getByTestId("order-confirmed").waitFor({ timeout: 60_000 })
      expect(returns.some((url) => url.includes("status=pending"))).toBe(true)
      const order = await adminOrder(demo, (await page.getByTestId("order-id").textContent())!.trim())
      expect(order.payment_status).toBe("captured")
    } finally {
      await configure({ processingDelayMs: 0 })
      await page.close()
    }
  })

  it("UPI: a declined collect request shows the failure; a retry by QR code is approved and confirmed", async () => {
    const page = await newPage()
    const latestPendingPluralOrder = async () => {
      const orders = (await (await fetch(`${demo.urls.sandbox}/_sandbox/orders`)).json()) as any[]
      const pending = orders.filter((o) => o.status === "PENDING")
      expect(pending.length).toBeGreaterThan(0)
      return pending[pending.length - 1].order_id as string
    }
    // The shopper's UPI app answers: the sandbox's control API plays that part.
    const approve = async (outcome: "success" | "failure") => {
      const response = await fetch(`${demo.urls.sandbox}/_sandbox/orders/${await latestPendingPluralOrder()}/complete`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome }),
      })
      expect(response.status).toBe(200)
    }

    await page.goto(demo.urls.storefront)
    await page.getByTestId("buy-brass-diya-set").click()
    await page.getByTestId("flow-upi_collect").check()
    await page.getByTestId("upi-vpa").fill("asha@okdemo")
    await page.getByTestId("pay-button").click()
    await page.getByTestId("payment-waiting").waitFor({ timeout: 30_000 })
    await shot(page, "upi-collect-waiting")
    await approve("failure")
    await page.getByTestId("payment-failed").waitFor({ timeout: 60_000 })
    await shot(page, "upi-collect-declined")

    await page.getByTestId("try-again").click()
    await page.getByTestId("flow-upi_qr").check()
    await page.getByTestId("pay-button").click()
    await page.getByTestId("upi-qr").waitFor({ timeout: 30_000 })
    await shot(page, "upi-qr")
    expect(new URL(page.url()).pathname).toBe("/checkout")
    await approve("success")

    await page.getByTestId("order-confirmed").waitFor({ timeout: 60_000 })
    await shot(page, "upi-qr-confirmed")
    const order = await adminOrder(demo, (await page.getByTestId("order-id").textContent())!.trim())
    expect(order.payment_status).toBe("captured")
    expect(order.payment_collections[0].payments[0].data.flow).toBe("upi_qr")
    await page.close()
  })

  it("stops everything it started, and comes up again on the existing data, still taking payments", async () => {
    const adminView = async () => {
      const response = await fetch(`${demo.urls.medusa}/admin/plural/orders/${firstOrder}`, {
        headers: { authorization: `Bearer ${await adminToken(demo)}` },
      })
      return { status: response.status, body: (await response.json()) as any }
    }
    const before = await adminView()
    expect(before.status).toBe(200)
    expect(before.body.payments[0].plural.status).toBe("PROCESSED")
    const pluralOrders = ((await (await fetch(`${demo.urls.sandbox}/_sandbox/orders`)).json()) as unknown[]).length
    await context.close()
    await demo.stop()
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false)
    expect(fs.existsSync(demo.stateFile)).toBe(false)

    demo = await startDemo({ stateDir: STATE_DIR, database: db, ports, buildPlugin: "never", log })
    log(`warm start: ${(demo.timings.total / 1000).toFixed(1)}s`)
    // The seed ran again without duplicating anything, and the earlier orders are still there.
    const store = await fetch(`${demo.urls.medusa}/store/products?limit=50`, {
      headers: { "x-publishable-api-key": demo.publishableKey },
    })
    expect(((await store.json()) as { products: unknown[] }).products).toHaveLength(3)
    const orders = await fetch(`${demo.urls.medusa}/admin/orders?fields=id`, {
      headers: { authorization: `Bearer ${await adminToken(demo)}` },
    })
    expect(((await orders.json()) as { count: number }).count).toBe(4)
    // The sandbox kept its orders too: the admin widget still reads Plural's view of the first one.
    expect(((await (await fetch(`${demo.urls.sandbox}/_sandbox/orders`)).json()) as unknown[]).length).toBe(pluralOrders)
    const after = await adminView()
    expect(after.status).toBe(200)
    expect(after.body.payments[0].plural).toEqual(before.body.payments[0].plural)

    // A restarted sandbox and store still take payments (no id of the first run comes back).
    context = await browser.newContext()
    const page = await newPage()
    await buyThroughHostedPage(page, demo, "masala-chai-tin", "pay", "after-restart")
    await page.getByTestId("order-confirmed").waitFor({ timeout: 30_000 })
    await context.close()

    await demo.stop()
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false)
  })
})
