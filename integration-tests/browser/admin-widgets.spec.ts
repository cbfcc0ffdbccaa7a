/**
 * The admin widgets in a real dashboard: the demo store (pre-auth on) gets two orders paid through the Plural sandbox,
 * then headless Chromium logs in to the admin and uses the "Plural" widget (status, amount, sync, capture, release)
 * and the points balance check. Screenshots go to artifacts/.
 *
 *   npx medusa plugin:build && npx jest --selectProjects browser --runInBand -- admin-widgets
 *
 * PostgreSQL: DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD when set, else the demo's embedded one.
 */
import path from "node:path"
import type { Page } from "playwright-core"
import { startAdminDemo, type AdminSession, type Demo } from "./admin-demo"
import { ARTIFACTS, rupees } from "./support"

jest.setTimeout(15 * 60_000)

const POINTS_CARD = "4111111111111112" // the sandbox's test points card (src/sandbox/points.ts)

let session: AdminSession
let demo: Demo
let page: Page

async function json<T = any>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, init)
  const text = await response.text()
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : (undefined as T)
}

function store<T = any>(route: string, body?: unknown): Promise<T> {
  return json<T>(`${demo.urls.medusa}${route}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", "x-publishable-api-key": demo.publishableKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

/**
 * A shopper's order through the store API, paid on the sandbox's "hosted page" and returned to Medusa's callback
 * route with Plural's signed fields, exactly as a browser would. Pre-auth: the order is AUTHORIZED at Plural.
 */
async function placePluralOrder(): Promise<{ orderId: string; paise: number; pluralOrderId: string }> {
  const { products } = await store(`/store/products?handle=masala-chai-tin&region_id=${demo.regionId}&fields=*variants`)
  const address = {
    first_name: "Asha",
    last_name: "Rao",
    address_1: "12 MG Road",
    city: "Bengaluru",
    postal_code: "560001",
    country_code: "in",
    phone: "+91 98765 43210",
  }
  const { cart } = await store("/store/carts", {
    region_id: demo.regionId,
    email: "shopper@example.in",
    items: [{ variant_id: products[0].variants[0].id, quantity: 1 }],
    shipping_address: address,
    billing_address: address,
  })
  const { shipping_options } = await store(`/store/shipping-options?cart_id=${cart.id}`)
  await store(`/store/carts/${cart.id}/shipping-methods`, { option_id: shipping_options[0].id })
  const { payment_collection } = await store("/store/payment-collections", { cart_id: cart.id })
  const created = await store(`/store/payment-collections/${payment_collection.id}/payment-sessions`, {
    provider_id: "pp_plural_plural",
    data: {},
  })
  const session = created.payment_collection.payment_sessions.find((s: any) => s.provider_id === "pp_plural_plural")
  const pluralOrderId: string = session.data.plural_order_id

  const paid = await json(`${demo.urls.sandbox}/_sandbox/orders/${pluralOrderId}/complete`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ outcome: "success", send_webhook: false }),
  })
  expect(paid.order.status).toBe("AUTHORIZED")
  const back = await fetch(`${demo.urls.medusa}/hooks/plural/callback`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(paid.callback.fields).toString(),
    redirect: "manual",
  })
  const location = back.headers.get("location") ?? ""
  const orderId = new URL(location).searchParams.get("order_id")
  if (!orderId) throw new Error(`the callback did not complete the order: ${back.status} ${location}`)
  return { orderId, paise: session.data.amount, pluralOrderId }
}

/** The page, and the widget itself (the dashboard scrolls its main column, so a full-page shot would miss it). */
async function screenshot(name: string, testId?: string) {
  if (testId) {
    const widget = page.getByTestId(testId)
    await widget.scrollIntoViewIfNeeded()
    await widget.screenshot({ path: path.join(ARTIFACTS, `admin-widgets-${name}-widget.png`) })
  }
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-widgets-${name}.png`) })
}

async function openOrder(orderId: string) {
  await page.goto(`${demo.urls.admin}/orders/${orderId}`)
  await page.getByTestId("plural-widget").waitFor({ timeout: 60_000 })
}

const toast = (text: string) => page.locator("[data-sonner-toast]", { hasText: text }).first()

beforeAll(async () => {
  session = await startAdminDemo({ name: "admin-widgets", medusaPortFrom: 19_400, preAuth: true })
  ;({ demo, page } = session)
})

afterAll(() => session?.close())

describe("admin widgets", () => {
  it("shows Plural's view of a pre-authorised order; sync, then capture", async () => {
    const { orderId, paise, pluralOrderId } = await placePluralOrder()
    await openOrder(orderId)

    const status = page.getByTestId("plural-status")
    await expect(status.textContent()).resolves.toBe("Authorized")
    await expect(page.getByTestId("plural-amount").textContent()).resolves.toBe(rupees(paise))
    await expect(page.getByTestId("plural-order-id").textContent()).resolves.toBe(pluralOrderId)
    await expect(page.getByTestId("plural-points-consent").textContent()).resolves.toBe("No consent recorded")
    await screenshot("authorized", "plural-widget")

    await page.getByTestId("plural-sync").click()
    await toast("Synced from Plural").waitFor()
    await screenshot("synced", "plural-widget")

    await page.getByTestId("plural-capture").click()
    await toast("Captured").waitFor()
    await page.getByTestId("plural-status").filter({ hasText: "Processed" }).waitFor()
    expect(await page.getByTestId("plural-capture").count()).toBe(0)
    await screenshot("captured", "plural-widget")
  })

  it("releases a pre-authorisation after the confirmation prompt", async () => {
    const { orderId } = await placePluralOrder()
    await openOrder(orderId)

    await page.getByTestId("plural-cancel").click()
    await page.getByRole("button", { name: "Release", exact: true }).click()
    await toast("The authorisation was released").waitFor()
    await page.getByTestId("plural-status").filter({ hasText: "Cancelled" }).waitFor()
    await screenshot("released", "plural-widget")
  })

  it("the Plural page shows money given back automatically, with what to do, and runs the reconciliation", async () => {
    // The cart changes in another tab after its Plural order was made; the shopper then pays the old page anyway.
    const { products } = await store(`/store/products?handle=masala-chai-tin&region_id=${demo.regionId}&fields=*variants`)
    const { cart } = await store("/store/carts", {
      region_id: demo.regionId,
      email: "shopper@example.in",
      items: [{ variant_id: products[0].variants[0].id, quantity: 1 }],
    })
    const { payment_collection } = await store("/store/payment-collections", { cart_id: cart.id })
    const sessionOf = async () => {
      const created = await store(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_plural_plural", data: {} })
      return created.payment_collection.payment_sessions.find((s: any) => s.provider_id === "pp_plural_plural")
    }
    const stale = await sessionOf()
    await sessionOf()
    await json(`${demo.urls.sandbox}/_sandbox/orders/${stale.data.plural_order_id}/complete`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "success", send_webhook: true }),
    })

    await page.goto(`${demo.urls.admin}/plural`)
    await page.getByTestId("plural-exceptions-page").waitFor({ timeout: 60_000 })
    // The webhook is processed a moment after it is acknowledged: reload until the row is there.
    const row = page.locator(`[data-testid="plural-exception-row"]`, { hasText: stale.data.plural_order_id })
    for (let i = 0; i < 30 && !(await row.count()); i++) {
      await page.waitForTimeout(1000)
      await page.reload()
      await page.getByTestId("plural-exceptions-page").waitFor()
    }
    await expect(row.getAttribute("data-kind")).resolves.toBe("released_automatically")
    await expect(row.textContent()).resolves.toMatch(/session was deleted[\s\S]*Nothing to do/)
    expect((await json(`${demo.urls.sandbox}/_sandbox/orders/${stale.data.plural_order_id}`)).status).toBe("CANCELLED")
    await screenshot("plural-page", "plural-exceptions-page")

    await page.getByTestId("plural-reconcile").click()
    await toast("Plural reconciled").waitFor()
  })

  it("checks a points balance and shows only the card's last 4 digits", async () => {
    const { orderId } = await placePluralOrder()
    await openOrder(orderId)

    await page.getByTestId("points-card-number").fill(POINTS_CARD)
    await page.getByTestId("points-mobile").fill("9876543210")
    // Prefilled from the order total.
    expect(Number(await page.getByTestId("points-amount").inputValue())).toBeGreaterThan(0)
    await page.getByTestId("points-check-submit").click()

    const result = page.getByTestId("points-result")
    await result.waitFor()
    const text = (await result.textContent()) ?? ""
    expect(text).toContain("•••• 1112")
    expect(text).toContain("Eligible")
    expect(await page.getByTestId("points-card-number").inputValue()).toBe("")
    expect(await page.content()).not.toContain(POINTS_CARD)
    await screenshot("points", "points-widget")
  })
})
