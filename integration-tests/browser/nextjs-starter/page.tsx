/**
 * The two pages of Medusa's Next.js starter that Plural changes, reduced to what the components need: the checkout
 * (`/{country_code}/checkout`, the failure URL) and the order confirmation (`/{country_code}/order/{id}/confirmed`,
 * the success URL). The test bundles the components the package ships, resolved as a storefront resolves them.
 */
import Medusa from "@medusajs/js-sdk"
import type { HttpTypes } from "@medusajs/types"
import { useEffect, useState } from "react"
import { createRoot } from "react-dom/client"
import {
  PluralPayButton,
  PluralPaymentChoice,
  PluralReturnStatus,
  type PluralCompletion,
} from "../../../src/storefront/react" // bundled from the built package (see the spec's bundlePage)

declare global {
  interface Window {
    STORE: { publishableKey: string }
  }
}

const sdk = new Medusa({ baseUrl: window.location.origin, publishableKey: window.STORE.publishableKey })
const CONFIRMATION_URL = "/{country_code}/order/{order_id}/confirmed"
/** Every `onCompleted` call, kept across the tab's page loads for the test to read (the starter forgets its cart there). */
const COMPLETED = "plural-completed"

function onCompleted(completion: PluralCompletion) {
  const seen = JSON.parse(sessionStorage.getItem(COMPLETED) ?? "[]") as PluralCompletion[]
  sessionStorage.setItem(COMPLETED, JSON.stringify([...seen, completion]))
}

function Checkout({ countryCode }: { countryCode: string }) {
  const cartId = new URLSearchParams(window.location.search).get("cart_id")
  const [cart, setCart] = useState<HttpTypes.StoreCart>()
  useEffect(() => {
    if (cartId) sdk.store.cart.retrieve(cartId, { fields: "*payment_collection" }).then(({ cart }) => setCart(cart))
  }, [cartId])
  const settlement = { client: sdk, confirmationUrl: CONFIRMATION_URL, countryCode, onCompleted }
  return (
    <main>
      <h1>Checkout</h1>
      <PluralReturnStatus {...settlement} />
      {cart ? (
        <section data-testid="payment-step">
          <PluralPaymentChoice cartId={cart.id} />
          <PluralPayButton {...settlement} cart={cart} />
        </section>
      ) : null}
    </main>
  )
}

function Confirmed({ countryCode, orderId }: { countryCode: string; orderId: string }) {
  return (
    <main>
      <h1 data-testid="order-confirmed">Thank you! Order {orderId} is confirmed.</h1>
      <PluralReturnStatus client={sdk} confirmationUrl={CONFIRMATION_URL} countryCode={countryCode} onCompleted={onCompleted} />
    </main>
  )
}

function Page() {
  const path = window.location.pathname
  const confirmed = /^\/([a-z]{2})\/order\/([^/]+)\/confirmed$/.exec(path)
  if (confirmed) return <Confirmed countryCode={confirmed[1]} orderId={decodeURIComponent(confirmed[2])} />
  const checkout = /^\/([a-z]{2})\/checkout$/.exec(path)
  if (checkout) return <Checkout countryCode={checkout[1]} />
  return <h1 data-testid="not-found">Not found: {path}</h1>
}

createRoot(document.getElementById("root")!).render(<Page />)
