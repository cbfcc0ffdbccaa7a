/**
 * The React components (`medusa-payment-plural/storefront/react`, from the build) in headless Chromium, on the
 * Next.js starter's two pages (nextjs-starter/page.tsx) against a running store: the return URLs are the starter's
 * `/{country_code}/order/{order_id}/confirmed` and `/{country_code}/checkout?step=payment`. A hosted payment (and a
 * declined one, then retried), a UPI collect and a UPI QR payment end on the confirmation page of the order that
 * holds the payment, with Plural's side checked through the sandbox.
 *
 * The page is bundled with esbuild and served on loopback by a small server that also forwards `/store` and `/hooks`
 * to Medusa (as a storefront's rewrites would: the browser sees one origin).
 *
 *   npx medusa plugin:build && npx jest --selectProjects browser --runInBand -- nextjs-starter
 */
import fs from "node:fs"
import http from "node:http"
import os from "node:os"
import path from "node:path"
import { build, type Plugin } from "esbuild"
import { chromium, type Browser, type Page } from "playwright-core"
import { resolvePluralGateway } from "../../src/utils/resolve-plural-gateway"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control } from "../helpers/sandbox"
import { orderOfCart, PROVIDER_ID } from "../helpers/store"
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT } from "./support"

jest.setTimeout(10 * 60_000)

type Storefront = { url: string; stop(): Promise<void> }

/**
 * The page's bundle. The page imports the components' sources, so that it type-checks without a build; the bundle
 * takes what the package ships instead, resolved through its own `exports` as a storefront resolves it.
 */
async function bundlePage(): Promise<string> {
  const modules = fs.mkdtempSync(path.join(os.tmpdir(), "plural-starter-"))
  const shipped: Plugin = {
    name: "medusa-payment-plural as shipped",
    setup(bundler) {
      bundler.onResolve({ filter: /\/src\/storefront\/react$/ }, () =>
        bundler.resolve("medusa-payment-plural/storefront/react", { kind: "import-statement", resolveDir: modules })
      )
    },
  }
  try {
    fs.mkdirSync(path.join(modules, "node_modules"))
    fs.symlinkSync(ROOT, path.join(modules, "node_modules", "medusa-payment-plural"), "dir")
    const result = await build({
      plugins: [shipped],
      entryPoints: [path.join(__dirname, "nextjs-starter", "page.tsx")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2020",
      jsx: "automatic",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    })
    return result.outputFiles[0].text
  } finally {
    fs.rmSync(modules, { recursive: true, force: true })
  }
}

/** Serves the page on every path, the bundle, and forwards the store API and Plural's returns to Medusa. */
async function startStorefront(medusaUrl: string, publishableKey: string): Promise<Storefront> {
  const bundle = await bundlePage()
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Starter checkout</title><link rel="icon" href="data:,">
<script>window.STORE = ${JSON.stringify({ publishableKey })}</script></head>
<body><div id="root"></div><script type="module" src="/app.js"></script></body></html>`
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/"
    if (url.startsWith("/store/") || url.startsWith("/hooks/")) {
      const target = new URL(url, medusaUrl)
      const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      upstream.on("error", () => res.writeHead(502).end())
      req.pipe(upstream)
      return
    }
    if (url === "/app.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(bundle)
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

pluralStoreTestRunner({
  seed: "once",
  testSuite: ({ api, getContainer, sandbox, store }) => {
    let storefront: Storefront
    let browser: Browser
    let page: Page
    const consoleErrors: string[] = []

    beforeAll(async () => {
      storefront = await startStorefront(api.defaults.baseURL!, store.storeHeaders.headers["x-publishable-api-key"])
      // The provider's URLs are pointed at the storefront once it listens.
      Object.assign(resolvePluralGateway(getContainer()).options, {
        // Plural returns the shopper through the storefront's origin, which forwards /hooks to Medusa.
        backend_url: storefront.url,
        storefront_success_url: `${storefront.url}/{country_code}/order/{order_id}/confirmed`,
        storefront_failure_url: `${storefront.url}/{country_code}/checkout?step=payment`,
      })
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
      fs.mkdirSync(ARTIFACTS, { recursive: true })
    })

    beforeEach(async () => {
      page = await browser.newPage()
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text())
      })
      page.on("pageerror", (error) => consoleErrors.push(error.message))
    })

    afterEach(async () => {
      const name = expect.getState().currentTestName?.replace(/\W+/g, "-").slice(0, 60)
      await page.screenshot({ path: path.join(ARTIFACTS, `nextjs-starter-${name}.png`), fullPage: true }).catch(() => {})
      await page.close()
      expect(consoleErrors.splice(0)).toEqual([])
    })

    afterAll(async () => {
      await browser?.close()
      await storefront?.stop()
    })

    /** A shopper's cart for one item with an Indian address: what the starter's earlier checkout steps leave. */
    async function newCart(): Promise<{ id: string }> {
      const address = { first_name: "Asha", last_name: "Rao", address_1: "12 MG Road", city: "Bengaluru", postal_code: "560001", country_code: "in", phone: "+91 98765 43210" }
      const { data } = await api.post(
        "/store/carts",
        { region_id: store.inr.region_id, email: "shopper@example.in", items: [{ variant_id: store.inr.variant_id, quantity: 1 }], shipping_address: address, billing_address: address },
        store.storeHeaders
      )
      return data.cart
    }

    /** The Plural order of the cart's current payment session. */
    async function pluralOrderOf(cartId: string): Promise<string> {
      const { data } = await api.get(`/store/carts/${cartId}?fields=*payment_collection.payment_sessions`, store.storeHeaders)
      const session = data.cart.payment_collection.payment_sessions.find((s: { provider_id: string }) => s.provider_id === PROVIDER_ID)
      return session.data.plural_order_id
    }

    async function openCheckout(cartId: string) {
      await page.goto(`${storefront.url}/in/checkout?cart_id=${cartId}`)
      await page.getByTestId("payment-step").waitFor()
    }

    /** Place order → Plural's hosted page → `button` there; answers the Plural order the page was for. */
    async function payOnPluralPage(cartId: string, button: "pay" | "fail"): Promise<string> {
      await page.getByTestId("plural-pay-button").click()
      await page.waitForURL((url) => url.origin === sandbox.url)
      const pluralOrderId = await pluralOrderOf(cartId)
      await page.getByTestId(button).click()
      return pluralOrderId
    }

    /** The page the shopper ends on is the order's, and that order holds the Plural payment Plural has captured. */
    async function expectConfirmed(cartId: string, pluralOrderId: string) {
      await page.waitForURL((url) => url.pathname.endsWith("/confirmed"), { timeout: 60_000 })
      await page.getByTestId("order-confirmed").waitFor()
      const order = await orderOfCart(getContainer(), cartId)
      expect(new URL(page.url()).pathname).toBe(`/in/order/${order.id}/confirmed`)
      const [payment] = order.payment_collections[0].payments
      expect(payment.captured_at).toBeTruthy()
      expect(payment.data.plural_order_id).toBe(pluralOrderId)
      const plural = await control(sandbox, "GET", `/orders/${pluralOrderId}`)
      expect(plural.status).toBe("PROCESSED")
      expect(plural.order_amount.value).toBe(Math.round(Number(payment.amount) * 100))
      // The merchant's hook ran once across the tab's pages, for this order and cart (the starter forgets its cart there).
      await expect(page.evaluate(() => JSON.parse(sessionStorage.getItem("plural-completed") ?? "[]"))).resolves.toEqual([{ orderId: order.id, cartId }])
    }

    it("hosted: the shopper pays on Plural's page and lands on /in/order/{order_id}/confirmed", async () => {
      const cart = await newCart()
      await openCheckout(cart.id)
      await expect(page.getByTestId("plural-flow-hosted").isChecked()).resolves.toBe(true)
      await expectConfirmed(cart.id, await payOnPluralPage(cart.id, "pay"))
    })

    it("hosted, declined: back on the checkout with the reason; paying again ends on the order page", async () => {
      const cart = await newCart()
      await openCheckout(cart.id)
      const declined = await payOnPluralPage(cart.id, "fail")

      await page.waitForURL((url) => url.pathname === "/in/checkout" && url.searchParams.has("code"), { timeout: 60_000 })
      await expect(page.getByTestId("plural-return-error").textContent()).resolves.toBeTruthy()
      await page.screenshot({ path: path.join(ARTIFACTS, "nextjs-starter-declined.png"), fullPage: true })
      expect(await orderOfCart(getContainer(), cart.id)).toBeUndefined()
      expect((await control(sandbox, "GET", `/orders/${declined}`)).status).not.toBe("PROCESSED")

      const retried = await payOnPluralPage(cart.id, "pay")
      expect(retried).not.toBe(declined)
      await expectConfirmed(cart.id, retried)
    })

    it("UPI collect: the shopper enters a UPI ID, approves on the phone, and the page goes to the order by itself", async () => {
      const cart = await newCart()
      await openCheckout(cart.id)
      await page.getByTestId("plural-flow-upi_collect").check()
      await expect(page.getByTestId("plural-pay-button").isDisabled()).resolves.toBe(true)
      await page.getByTestId("plural-upi-vpa").fill("asha@okbank")
      await page.getByTestId("plural-pay-button").click()

      await page.getByTestId("plural-upi-collect").waitFor()
      await page.getByTestId("plural-waiting").waitFor()
      await page.screenshot({ path: path.join(ARTIFACTS, "nextjs-starter-upi-collect-waiting.png"), fullPage: true })
      const pluralOrderId = await pluralOrderOf(cart.id)
      const pending = await control(sandbox, "GET", `/orders/${pluralOrderId}`)
      expect(pending.payments.at(-1).payment_option.upi_details.payer.vpa).toBe("asha@okbank")
      // The shopper approves in the UPI app: the sandbox's phone side.
      await control(sandbox, "POST", `/orders/${pluralOrderId}/complete`, { outcome: "success", send_webhook: false })
      await expectConfirmed(cart.id, pluralOrderId)
    })

    it("UPI QR: the page shows a scannable QR image and goes to the order once it is paid", async () => {
      const cart = await newCart()
      await openCheckout(cart.id)
      await page.getByTestId("plural-flow-upi_qr").check()
      await page.getByTestId("plural-pay-button").click()

      const image = page.getByTestId("plural-upi-qr").locator("img")
      await image.waitFor()
      await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await image.elementHandle())
      await page.screenshot({ path: path.join(ARTIFACTS, "nextjs-starter-upi-qr-waiting.png"), fullPage: true })
      const pluralOrderId = await pluralOrderOf(cart.id)
      expect(await image.getAttribute("src")).toContain(sandbox.url)
      await control(sandbox, "POST", `/orders/${pluralOrderId}/complete`, { outcome: "success", send_webhook: true })
      await expectConfirmed(cart.id, pluralOrderId)
    })
  },
})
