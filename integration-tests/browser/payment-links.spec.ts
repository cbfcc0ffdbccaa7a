/**
 * A Plural payment link from the order widget, in a real dashboard: the demo store sells an order through Plural, an
 * order edit adds an item, and headless Chromium, logged in to the admin, copies the Plural link for what the order
 * now owes, pays it on the sandbox's hosted page, lands on the storefront, and sees the order settled in the admin.
 * Screenshots go to artifacts/.
 *
 *   npx medusa plugin:build && npx jest --selectProjects browser --runInBand -- payment-links
 *
 * PostgreSQL: DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD when set, else the demo's embedded one.
 */
import path from "node:path"
import type { BrowserContext, Page } from "playwright-core"
import { startAdminDemo, type AdminSession, type Demo } from "./admin-demo"
import { ARTIFACTS, rupees } from "./support"

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { adminToken, browserReturn, json, readyCart, sandboxControl, startSession, storeApi } = require("../../scripts/lib/store-api.cjs")

jest.setTimeout(15 * 60_000)

let session: AdminSession
let demo: Demo
let browser: BrowserContext
let page: Page

async function screenshot(name: string, target: Page = page) {
  await target.screenshot({ path: path.join(ARTIFACTS, `payment-links-${name}.png`) })
}

/** The admin API with the demo admin's token. */
async function adminApi<T = any>(route: string, body?: unknown): Promise<T> {
  const token = await adminToken(demo.urls.medusa, demo.admin)
  return json(`${demo.urls.medusa}${route}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

/** What the order owes, in paise, as Medusa's order summary says. */
async function owedPaise(orderId: string): Promise<number> {
  const { order } = await adminApi(`/admin/orders/${orderId}?fields=summary`)
  return Math.round(Number(order.summary.pending_difference) * 100)
}

/** A shopper's order paid through Plural at checkout, then an order edit adding one more item, confirmed. */
async function orderOwingAnItem(): Promise<{ orderId: string; owed: number }> {
  const api = storeApi(demo.urls.medusa, demo.publishableKey)
  const cartId = await readyCart(api, demo.regionId)
  const session = await startSession(api, cartId, "pp_plural_plural")
  const paid = await sandboxControl(demo.urls.sandbox, "POST", `/orders/${session.data.plural_order_id}/complete`, { outcome: "success", send_webhook: false })
  const location = await browserReturn(demo.urls.medusa, paid.callback)
  const orderId = new URL(location).searchParams.get("order_id")
  if (!orderId) throw new Error(`the checkout did not make an order: ${location}`)

  const { order } = await adminApi(`/admin/orders/${orderId}?fields=items.variant_id`)
  await adminApi(`/admin/order-edits`, { order_id: orderId })
  await adminApi(`/admin/order-edits/${orderId}/items`, { items: [{ variant_id: order.items[0].variant_id, quantity: 1 }] })
  await adminApi(`/admin/order-edits/${orderId}/request`, {})
  await adminApi(`/admin/order-edits/${orderId}/confirm`, {})
  const owed = await owedPaise(orderId)
  expect(owed).toBeGreaterThan(0)
  return { orderId, owed }
}

beforeAll(async () => {
  // The widget copies the link to the clipboard; the test reads it back from there.
  session = await startAdminDemo({ name: "payment-links", medusaPortFrom: 19_500, preAuth: false, permissions: ["clipboard-read", "clipboard-write"] })
  ;({ demo, browser, page } = session)
})

afterAll(() => session?.close())

it("copies a Plural link for what an edited order owes; the shopper pays it and the order owes nothing", async () => {
  const { orderId, owed } = await orderOwingAnItem()
  await page.goto(`${demo.urls.admin}/orders/${orderId}`)
  const section = page.getByTestId("plural-payment-link")
  await section.waitFor({ timeout: 60_000 })
  await expect(page.getByTestId("plural-owed").textContent()).resolves.toBe(`Still owed: ${rupees(owed)}`)

  await page.getByTestId("plural-payment-link-create").click()
  await page.locator("[data-sonner-toast]", { hasText: `Payment link for ${rupees(owed)} copied` }).first().waitFor()
  const copied = await page.evaluate(() => navigator.clipboard.readText())
  await expect(page.getByTestId("plural-payment-link-url").textContent()).resolves.toBe(copied)
  expect(new URL(copied).origin).toBe(new URL(demo.urls.sandbox).origin)
  await section.scrollIntoViewIfNeeded()
  await section.screenshot({ path: path.join(ARTIFACTS, "payment-links-copied-widget.png") })
  // A second click answers the same link: the shopper is never asked to pay twice.
  await page.getByTestId("plural-payment-link-create").click()
  await page.locator("[data-sonner-toast]", { hasText: "copied" }).nth(1).waitFor()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(copied)

  // The shopper opens the link and pays on Plural's page, then lands on the storefront.
  const shopper = await browser.newPage()
  await shopper.goto(copied)
  await expect(shopper.getByTestId("amount").textContent()).resolves.toBe(rupees(owed))
  await screenshot("hosted-page", shopper)
  await shopper.getByTestId("pay").click()
  await shopper.waitForURL((url) => url.origin === new URL(demo.urls.storefront).origin, { timeout: 60_000 })
  const landing = new URL(shopper.url())
  expect(landing.searchParams.get("order_id")).toBe(orderId)
  expect(landing.searchParams.get("payment_collection_id")).toMatch(/^pay_col_/)
  // The demo storefront's page says what happened: a payment for an existing order, not a new order.
  const confirmed = shopper.getByTestId("order-confirmed")
  await confirmed.waitFor({ timeout: 60_000 })
  await expect(confirmed.locator("h1").textContent()).resolves.toBe("Thank you! We have received your payment for this order.")
  await expect(shopper.getByTestId("order-id").textContent()).resolves.toBe(orderId)
  await screenshot("storefront-landing", shopper)
  await shopper.close()

  expect(await owedPaise(orderId)).toBe(0)
  await page.reload()
  await page.getByTestId("plural-widget").waitFor({ timeout: 60_000 })
  // The checkout's payment and the link's, both processed at Plural.
  await page.getByTestId("plural-payment").nth(1).waitFor()
  expect(await page.getByTestId("plural-status").allTextContents()).toEqual(["Processed", "Processed"])
  expect(await page.getByTestId("plural-amount").allTextContents()).toContain(rupees(owed))
  expect(await page.getByTestId("plural-payment-link").count()).toBe(0)
  await page.getByTestId("plural-widget").screenshot({ path: path.join(ARTIFACTS, "payment-links-settled-widget.png") })
})
