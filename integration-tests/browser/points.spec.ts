/**
 * Pay by points in the demo storefront, in headless Chromium, with the sandbox's points cards: the shopper opts in,
 * reads and agrees to the consent text, checks the balance (eligible, not eligible, wrong mobile number) and pays on
 * Plural's page with points; a shopper who opts in but does not agree cannot pay with points, and pays without them.
 * The card number never stays on the page, and the stored consent is what the admin sees for the order.
 *
 * Needs a PostgreSQL server in DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD and Chromium (see support.ts). Run after
 * the plugin build.
 */
import fs from "node:fs"
import path from "node:path"
import { chromium, type Browser, type Page } from "playwright-core"
import { POINTS_CARD_MOBILE } from "../../src/sandbox"
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, dropTestDatabase, freePort, testDatabase, type TestDatabase } from "./support"

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startDemo } = require("../../scripts/demo/start.cjs")

const STATE_DIR = path.join(ROOT, ".cache", "browser-points")
const POINTS_CARD = "4111111111111112"
const NO_POINTS_CARD = "4000000000000002"

jest.setTimeout(15 * 60_000)

type Demo = {
  urls: { storefront: string; medusa: string; admin: string; sandbox: string }
  admin: { email: string; password: string }
  stop(): Promise<void>
}

let demo: Demo
let browser: Browser
let db: TestDatabase
const pageErrors: string[] = []

beforeAll(async () => {
  db = testDatabase("plural_points_browser")
  const ports: Record<string, number> = {}
  for (const name of ["medusa", "storefront", "sandbox"]) ports[name] = await freePort()
  fs.rmSync(STATE_DIR, { recursive: true, force: true })
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  demo = await startDemo({ stateDir: STATE_DIR, database: db, ports, buildPlugin: "never", log: (m: string) => process.stdout.write(`[points] ${m}\n`) })
})

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([])
})

afterAll(async () => {
  await browser?.close().catch(() => {})
  await demo?.stop()
  await dropTestDatabase(db)
})

async function shot(page: Page, name: string) {
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, `points-${name}.png`), fullPage: true })
}

/** A fresh shopper at checkout with one product, pay by points opted into. */
async function checkoutWithPoints(): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`))
  await page.goto(demo.urls.storefront)
  await page.getByTestId("buy-masala-chai-tin").click()
  await page.getByTestId("points-opt-in").check()
  await page.getByTestId("points-consent-text").waitFor()
  return page
}

async function checkBalance(page: Page, card: string, mobile: string) {
  await page.getByTestId("points-card-number").fill(card)
  await page.getByTestId("points-mobile").fill(mobile)
  await page.getByTestId("points-check").click()
  await page.locator('[data-testid="points-result"]:not([hidden]), [data-testid="points-error"]:not([hidden])').waitFor()
  // The card number is gone from the field and from the page once checked.
  expect(await page.getByTestId("points-card-number").inputValue()).toBe("")
  expect(await page.content()).not.toContain(card)
}

async function adminToken(): Promise<string> {
  const response = await fetch(`${demo.urls.medusa}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(demo.admin),
  })
  return ((await response.json()) as { token: string }).token
}

/** The order paid with points in the first test, and its consent as the admin API lists it. */
let paid: { orderId: string; consent: { text_version: string; plural_order_id: string } } | undefined

const onSandbox = (page: Page) => page.waitForURL((url) => url.origin === new URL(demo.urls.sandbox).origin, { timeout: 60_000 })

describe("pay by points in the demo storefront", () => {
  it("eligible card: the consent text, the redeemable points and amount, then Plural's page offers points and the order is paid", async () => {
    const page = await checkoutWithPoints()
    await expect(page.getByTestId("points-consent-text").textContent()).resolves.toMatch(/reward points/)
    await checkBalance(page, POINTS_CARD, POINTS_CARD_MOBILE)
    const result = (await page.getByTestId("points-result").textContent())!
    expect(result).toMatch(/•••• 1112: [\d,]+ points can pay ₹[\d,.]+ of this order/)
    await shot(page, "eligible")

    await page.getByTestId("points-agree").check()
    await page.getByTestId("pay-button").click()
    await onSandbox(page)
    await page.getByTestId("method-points").check()
    await shot(page, "plural-page")
    await page.getByTestId("pay").click()
    await page.getByTestId("order-confirmed").waitFor({ timeout: 60_000 })
    const orderId = (await page.getByTestId("order-id").textContent())!.trim()

    // The consent is on record for the order, with the text the shopper read.
    const response = await fetch(`${demo.urls.medusa}/admin/plural/points-consents?order_id=${orderId}`, {
      headers: { authorization: `Bearer ${await adminToken()}` },
    })
    const { consents } = (await response.json()) as { consents: { text: string; text_version: string; order_id: string; plural_order_id: string }[] }
    expect(consents).toHaveLength(1)
    paid = { orderId, consent: consents[0] }
    expect(consents[0]).toMatchObject({ order_id: orderId, text: expect.stringMatching(/reward points/) })
    const plural = await (await fetch(`${demo.urls.sandbox}/_sandbox/orders/${consents[0].plural_order_id}`)).json()
    expect(plural.payments.at(-1).payment_method).toBe("POINTS")
    await page.close()
  })

  it("a card without points: not eligible", async () => {
    const page = await checkoutWithPoints()
    await checkBalance(page, NO_POINTS_CARD, POINTS_CARD_MOBILE)
    await expect(page.getByTestId("points-result").textContent()).resolves.toBe("Card •••• 0002 has no points this order can use.")
    await shot(page, "not-eligible")
    await page.close()
  })

  it("a wrong mobile number: the shopper is told to check it", async () => {
    const page = await checkoutWithPoints()
    await checkBalance(page, POINTS_CARD, "9000000000")
    await expect(page.getByTestId("points-error").textContent()).resolves.toMatch(/could not be verified.*mobile number/)
    expect(await page.getByTestId("points-result").isHidden()).toBe(true)
    await shot(page, "wrong-mobile")
    await page.close()
  })

  it("consent declined: no paying with points; unticking points pays without them", async () => {
    const page = await checkoutWithPoints()
    await page.getByTestId("pay-button").click()
    const error = page.getByTestId("checkout-error")
    await error.waitFor()
    await expect(error.textContent()).resolves.toMatch(/agree/)
    expect(new URL(page.url()).origin).toBe(new URL(demo.urls.storefront).origin)
    await shot(page, "declined")

    await page.getByTestId("points-opt-in").uncheck()
    await page.getByTestId("pay-button").click()
    await onSandbox(page)
    await page.getByTestId("method-card").waitFor()
    expect(await page.getByTestId("method-points").count()).toBe(0)
    await page.close()
  })

  it("the admin: the consent on the order's page, and its CSV export", async () => {
    expect(paid).toBeDefined()
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${demo.urls.admin}/login`)
    await page.locator('input[name="email"]').fill(demo.admin.email)
    await page.locator('input[name="password"]').fill(demo.admin.password)
    await page.locator('button[type="submit"]').click()
    await page.waitForURL((url) => !url.pathname.endsWith("/login"), { timeout: 60_000 })

    await page.goto(`${demo.urls.admin}/orders/${paid!.orderId}`)
    await page.getByTestId("points-consent-widget").waitFor({ timeout: 60_000 })
    await expect(page.getByTestId("points-consent-version").textContent()).resolves.toBe(`Text ${paid!.consent.text_version}`)
    await expect(page.getByTestId("points-consent-plural-order").textContent()).resolves.toBe(paid!.consent.plural_order_id)
    await page.getByTestId("points-consent-widget").screenshot({ path: path.join(ARTIFACTS, "points-admin-widget.png") })

    // The export link works with the dashboard's own session.
    const href = await page.getByTestId("points-consents-csv").getAttribute("href")
    const csv = await page.request.get(new URL(href!, demo.urls.admin).toString())
    expect(csv.status()).toBe(200)
    expect(csv.headers()["content-type"]).toContain("text/csv")
    const lines = (await csv.text()).trimEnd().split("\r\n")
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(`,${paid!.orderId},${paid!.consent.plural_order_id},`)
    await page.close()
  })
})
