// The demo storefront: product → cart → email and address → shipping → Plural → confirmation, through Medusa's store
// API (@medusajs/js-sdk) and medusa-payment-plural's storefront helper. Plain DOM, no framework.
import Medusa from "@medusajs/js-sdk"
import { pollPluralPayment, readPluralReturn, startPluralPayment } from "medusa-payment-plural/storefront"
import { escape, inr } from "./html.js"
import { mountPointsPanel } from "./points.js"

const config = window.PLURAL_DEMO
const sdk = new Medusa({ baseUrl: config.medusaUrl, publishableKey: config.publishableKey })
const app = document.getElementById("app")
const CART_KEY = "plural-demo-cart"

function render(html) {
  app.innerHTML = html
}

function showError(error, where) {
  const message = error?.message || String(error)
  const box = document.getElementById(where)
  if (box) {
    box.hidden = false
    box.textContent = message
  } else {
    render(`<p class="error" data-testid="error">${escape(message)}</p>`)
  }
}

function go(path) {
  window.history.pushState({}, "", path)
  route()
}

// ---------------------------------------------------------------------------------------------------------------
// Products

async function productsPage() {
  const { products } = await sdk.store.product.list({
    region_id: config.regionId,
    fields: "id,title,handle,description,*variants.calculated_price",
    limit: 20,
  })
  render(`
    <h1>Shop</h1>
    <div class="grid">
      ${products
        .map((p) => {
          const variant = p.variants?.[0]
          const price = variant?.calculated_price?.calculated_amount
          return `<article class="card" data-testid="product-${escape(p.handle)}">
            <h2>${escape(p.title)}</h2>
            <p class="muted">${escape(p.description)}</p>
            <p class="price">${inr(price)}</p>
            <button data-variant="${escape(variant?.id)}" data-testid="buy-${escape(p.handle)}">Buy now</button>
          </article>`
        })
        .join("")}
    </div>`)
  for (const button of app.querySelectorAll("button[data-variant]")) {
    button.addEventListener("click", async () => {
      button.disabled = true
      try {
        const { cart } = await sdk.store.cart.create({
          region_id: config.regionId,
          items: [{ variant_id: button.dataset.variant, quantity: 1 }],
        })
        localStorage.setItem(CART_KEY, cart.id)
        go("/checkout")
      } catch (error) {
        showError(error)
      }
    })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checkout

const CART_FIELDS =
  "id,email,currency_code,total,subtotal,shipping_total,tax_total,completed_at,*items,*shipping_address,*shipping_methods,*payment_collection"

async function loadCart(cartId) {
  const { cart } = await sdk.store.cart.retrieve(cartId, { fields: CART_FIELDS })
  return cart
}

/** The cart's own totals: what Plural will be asked to charge once a shipping option is on the cart. */
function summary(cart) {
  const shipped = cart.shipping_methods?.length > 0
  return `<h2>Your order</h2>
    <ul class="lines">
      ${cart.items
        .map((item) => `<li><span>${escape(item.product_title ?? item.title)} × ${item.quantity}</span><span>${inr(item.total ?? item.unit_price * item.quantity)}</span></li>`)
        .join("")}
    </ul>
    <ul class="lines">
      <li><span>Shipping</span><span data-testid="cart-shipping">${shipped ? inr(cart.shipping_total) : "choose an option"}</span></li>
      <li><span>Tax</span><span data-testid="cart-tax">${inr(cart.tax_total)}</span></li>
      <li class="total"><span>Total</span><span data-testid="cart-total">${shipped ? inr(cart.total) : "—"}</span></li>
    </ul>`
}

/** Puts the shipping option on the cart (unless it is there already) and returns the cart with its new totals. */
async function chooseShipping(cart, optionId) {
  if (!optionId || cart.shipping_methods?.some((m) => m.shipping_option_id === optionId)) return cart
  await sdk.store.cart.addShippingMethod(cart.id, { option_id: optionId })
  return loadCart(cart.id)
}

async function checkoutPage() {
  const cartId = localStorage.getItem(CART_KEY)
  if (!cartId) return go("/")
  let cart
  try {
    cart = await loadCart(cartId)
  } catch {
    localStorage.removeItem(CART_KEY)
    return go("/")
  }
  if (cart.completed_at) {
    localStorage.removeItem(CART_KEY)
    return go("/")
  }
  const { shipping_options: options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cart.id })
  // The option shown as chosen is on the cart, so the summary shows what the shopper will pay.
  const chosen = options.find((o) => cart.shipping_methods?.some((m) => m.shipping_option_id === o.id)) ?? options[0]
  cart = await chooseShipping(cart, chosen?.id)
  const address = cart.shipping_address ?? {}
  const value = (v, fallback) => escape(v || fallback)
  render(`
    <h1>Checkout</h1>
    <div class="checkout">
      <form id="checkout" class="panel" novalidate>
        <fieldset>
          <legend>Contact</legend>
          <label>Email <input type="email" name="email" required value="${value(cart.email, "shopper@example.in")}" data-testid="email" /></label>
          <label>Mobile <input type="tel" name="phone" value="${value(address.phone, "9876543210")}" /></label>
        </fieldset>
        <fieldset>
          <legend>Delivery address</legend>
          <div class="row">
            <label>First name <input type="text" name="first_name" required value="${value(address.first_name, "Asha")}" /></label>
            <label>Last name <input type="text" name="last_name" required value="${value(address.last_name, "Rao")}" /></label>
          </div>
          <label>Address <input type="text" name="address_1" required value="${value(address.address_1, "21 Residency Road")}" /></label>
          <div class="row">
            <label>City <input type="text" name="city" required value="${value(address.city, "Bengaluru")}" /></label>
            <label>PIN code <input type="text" name="postal_code" required value="${value(address.postal_code, "560025")}" /></label>
          </div>
          <label>State <input type="text" name="province" value="${value(address.province, "Karnataka")}" /></label>
        </fieldset>
        <fieldset>
          <legend>Shipping</legend>
          ${options
            .map(
              (o) => `<label class="inline"><input type="radio" name="shipping" value="${escape(o.id)}" ${
                o === chosen ? "checked" : ""
              } data-testid="shipping-option" /> ${escape(o.name)} — ${inr(o.calculated_price?.calculated_amount ?? o.amount)}</label>`
            )
            .join("") || `<p class="error">No shipping option for this address.</p>`}
        </fieldset>
        <fieldset>
          <legend>Pay with Plural</legend>
          <label class="inline"><input type="radio" name="flow" value="hosted" checked data-testid="flow-hosted" /> Cards, UPI, netbanking, wallets (Plural checkout page)</label>
          <label class="inline"><input type="radio" name="flow" value="upi_intent" data-testid="flow-upi_intent" /> UPI app on this phone</label>
          <label class="inline"><input type="radio" name="flow" value="upi_collect" data-testid="flow-upi_collect" /> UPI id (collect request)</label>
          <label id="vpa-row" hidden>UPI id <input type="text" name="upi_vpa" placeholder="name@bank" value="asha@okdemo" data-testid="upi-vpa" /></label>
          <label class="inline"><input type="radio" name="flow" value="upi_qr" data-testid="flow-upi_qr" /> Scan a UPI QR code</label>
          <div id="points-panel"></div>
        </fieldset>
        <p id="checkout-error" class="error" hidden data-testid="checkout-error"></p>
        <button type="submit" data-testid="pay-button">Pay with Plural</button>
      </form>
      <aside class="panel" id="summary">${summary(cart)}</aside>
    </div>
    <section id="payment" class="panel" hidden data-testid="payment-panel"></section>`)

  const form = document.getElementById("checkout")
  const vpaRow = document.getElementById("vpa-row")
  const points = await mountPointsPanel(document.getElementById("points-panel"), { sdk, cartId: cart.id, form })
  const submit = form.querySelector("button[type=submit]")
  form.addEventListener("change", async (event) => {
    vpaRow.hidden = form.flow.value !== "upi_collect"
    if (event.target.name !== "shipping") return
    submit.disabled = true
    try {
      cart = await chooseShipping(cart, event.target.value)
      document.getElementById("summary").innerHTML = summary(cart)
    } catch (error) {
      showError(error, "checkout-error")
    } finally {
      submit.disabled = false
    }
  })
  form.addEventListener("submit", async (event) => {
    event.preventDefault()
    submit.disabled = true
    document.getElementById("checkout-error").hidden = true
    try {
      await pay(cart.id, new FormData(form), points)
    } catch (error) {
      showError(error, "checkout-error")
      submit.disabled = false
    }
  })
}

async function pay(cartId, form, points) {
  const address = {
    first_name: form.get("first_name"),
    last_name: form.get("last_name"),
    address_1: form.get("address_1"),
    city: form.get("city"),
    postal_code: form.get("postal_code"),
    province: form.get("province"),
    phone: form.get("phone"),
    country_code: "in",
  }
  await sdk.store.cart.update(cartId, { email: form.get("email"), shipping_address: address, billing_address: address })
  const shipping = form.get("shipping")
  if (!shipping) throw new Error("Choose a shipping option")
  // The address may change the shipping price or the tax: the option goes on again, and the summary shows the
  // cart as it is charged.
  await sdk.store.cart.addShippingMethod(cartId, { option_id: shipping })
  const cart = await loadCart(cartId)
  document.getElementById("summary").innerHTML = summary(cart)

  const flow = form.get("flow") || "hosted"
  // Pay by points: the consent the shopper just gave (hosted checkout only), or none.
  const pointsConsentId = flow === "hosted" ? await points.consentId() : undefined
  const action = await startPluralPayment(sdk, { cart, flow, upiVpa: form.get("upi_vpa") || undefined, pointsConsentId })
  if (action.action === "redirect") {
    window.location.assign(action.url)
    return
  }

  const panel = document.getElementById("payment")
  panel.hidden = false
  const amount = inr(cart.total)
  if (action.action === "open_upi_app") {
    panel.innerHTML = `<h2>Pay ${amount} in your UPI app</h2>
      <p><a class="button" href="${escape(action.url)}" target="_blank" rel="noopener" data-testid="open-upi-app">Open UPI app</a></p>
      <p class="muted" data-testid="payment-waiting">Waiting for the payment…</p>`
  } else if (action.action === "show_qr") {
    panel.innerHTML = `<h2>Scan to pay ${amount}</h2>
      <img class="qr" src="${escape(action.imageUrl)}" alt="UPI QR code" data-testid="upi-qr" />
      <p class="muted" data-testid="payment-waiting">Waiting for the payment…</p>`
  } else {
    panel.innerHTML = `<h2>Approve ${amount} in your UPI app</h2>
      <p>We sent a collect request to <strong>${escape(form.get("upi_vpa"))}</strong>.</p>
      <p class="muted" data-testid="payment-waiting">Waiting for your approval…</p>`
  }
  panel.scrollIntoView({ behavior: "smooth" })

  const result = await pollPluralPayment(sdk, { cartId, maxAttempts: 90, initialDelayMs: 1500, maxDelayMs: 4000 })
  if (result.status === "completed") {
    go(`/order/confirmed?order_id=${encodeURIComponent(result.order_id)}&cart_id=${encodeURIComponent(cartId)}`)
  } else if (result.status === "failed" || result.status === "refunded") {
    const params = new URLSearchParams({ cart_id: cartId, reason: result.reason, ...(result.code ? { code: result.code } : {}) })
    go(`/checkout/failed?${params}`)
  } else {
    panel.querySelector("[data-testid=payment-waiting]").textContent =
      "We have not heard from Plural yet. If you paid, your order will appear shortly; otherwise try again."
    document.querySelector("#checkout button[type=submit]").disabled = false
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Return pages

async function confirmedPage() {
  let back = readPluralReturn(window.location)
  if (back?.status === "pending") {
    // Plural took the payment but has not confirmed it yet: wait for the plugin to settle it.
    render(`<section class="panel" data-testid="payment-confirming"><h1>Confirming your payment…</h1>
      <p class="muted">This takes a few seconds.</p></section>`)
    const result = await pollPluralPayment(sdk, { cartId: back.cartId, failOnAttempt: false })
    if (result.status === "failed" || result.status === "refunded") {
      const params = new URLSearchParams({ cart_id: back.cartId, reason: result.reason, ...(result.code ? { code: result.code } : {}) })
      return go(`/checkout/failed?${params}`)
    }
    if (result.status === "pending") {
      return render(`<section class="panel"><h1>We are still waiting for Plural</h1>
        <p>If you paid, your order will be confirmed shortly and emailed to you. <a href="">Check again</a></p></section>`)
    }
    window.history.replaceState({}, "", `/order/confirmed?order_id=${encodeURIComponent(result.order_id)}&cart_id=${encodeURIComponent(back.cartId)}`)
    back = readPluralReturn(window.location)
  }
  if (!back || back.status !== "completed") return go("/")
  // A Plural payment link (what an existing order still owed) lands here too, naming the payment collection it paid.
  const paidLink = new URLSearchParams(window.location.search).has("payment_collection_id")
  if (!paidLink) localStorage.removeItem(CART_KEY)
  const { order } = await sdk.store.order.retrieve(back.orderId, {
    fields: "id,display_id,email,total,currency_code,payment_status,*items",
  })
  render(`
    <section class="panel success" data-testid="order-confirmed">
      <h1>${paidLink ? "Thank you! We have received your payment for this order." : "Thank you! Your order is confirmed."}</h1>
      <dl>
        <dt>Order</dt><dd>#${escape(order.display_id)} (<code data-testid="order-id">${escape(order.id)}</code>)</dd>
        <dt>Total paid</dt><dd data-testid="order-total">${inr(order.total)}</dd>
        <dt>Email</dt><dd>${escape(order.email)}</dd>
        <dt>Items</dt><dd>${order.items.map((i) => `${escape(i.product_title ?? i.title)} × ${i.quantity}`).join(", ")}</dd>
      </dl>
      <p><a href="/" class="button">Continue shopping</a></p>
    </section>`)
}

function failedPage() {
  const back = readPluralReturn(window.location)
  const reason = back?.status === "failed" ? back.reason : "The payment did not go through."
  const code = back?.status === "failed" ? back.code : undefined
  if (back?.cartId) localStorage.setItem(CART_KEY, back.cartId)
  render(`
    <section class="panel failure" data-testid="payment-failed">
      <h1>Your payment did not go through</h1>
      <p data-testid="failure-reason">${escape(reason)}${code ? ` <span class="muted">(${escape(code)})</span>` : ""}</p>
      <p>No money was taken for this attempt. Your cart is saved.</p>
      <p><button data-testid="try-again">Try again</button> <a href="/" class="muted">Back to the shop</a></p>
    </section>`)
  app.querySelector("[data-testid=try-again]").addEventListener("click", () => go("/checkout"))
}

// ---------------------------------------------------------------------------------------------------------------

async function route() {
  const pages = { "/": productsPage, "/checkout": checkoutPage, "/order/confirmed": confirmedPage, "/checkout/failed": failedPage }
  const page = pages[window.location.pathname] ?? productsPage
  try {
    await page()
  } catch (error) {
    showError(error)
  }
}

window.addEventListener("popstate", route)
route()
