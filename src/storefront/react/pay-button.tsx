"use client"
/**
 * The Plural pay button: starts the payment the shopper chose (see `PluralPaymentChoice`) and follows it — to
 * Plural's hosted page, or, for UPI, shows what the shopper needs (the app link, the QR code, "approve the request")
 * while it polls until the cart is an order, then goes to the confirmation page.
 */
import { useEffect, useState, type ReactNode } from "react"
import { isValidUpiVpa, startPluralPayment, type PluralAction, type PluralCartLike } from "../index"
import { usePluralChoice, type PluralChoice } from "./choice"
import { leaveFor, shopperMessage, usePluralSettlement, type PluralSettlementOptions } from "./use-plural-settlement"

export type PluralPayButtonProps = PluralSettlementOptions & {
  /** The cart to pay (the starter's `cart` fits). */
  cart: PluralCartLike
  /** The choice to pay with; default the one `PluralPaymentChoice` keeps for this cart. */
  choice?: PluralChoice
  /** E.g. while the cart has no shipping method or address yet. */
  disabled?: boolean
  /** Default "Place order". */
  children?: ReactNode
  className?: string
}

type Shown = Exclude<PluralAction, { action: "redirect" }> | null

export function PluralPayButton(props: PluralPayButtonProps) {
  const [shared] = usePluralChoice(props.cart.id)
  const choice = props.choice ?? shared
  const { state, setState, wait, stop } = usePluralSettlement(props)
  const [starting, setStarting] = useState(false)
  const [shown, setShown] = useState<Shown>(null)
  // Back from Plural's page with the browser's back button, the page may come from the back-forward cache as it was
  // left (starting); the shopper must be able to pay again.
  useEffect(() => {
    const restored = (event: PageTransitionEvent) => event.persisted && setStarting(false)
    window.addEventListener("pageshow", restored)
    return () => window.removeEventListener("pageshow", restored)
  }, [])
  const needsVpa = choice.flow === "upi_collect" && !isValidUpiVpa(choice.upiVpa)
  const needsConsent = choice.flow === "hosted" && choice.payWithPoints && !choice.pointsConsentId
  const busy = starting || state.status === "waiting" || state.status === "completed"

  const pay = async () => {
    stop()
    setShown(null)
    setStarting(true)
    try {
      const { flow, upiVpa, pointsConsentId } = choice
      const next = await startPluralPayment(props.client, { cart: props.cart, flow, upiVpa, pointsConsentId })
      if (next.action === "redirect") {
        // Plural's page returns the shopper to the plugin, which settles the payment and sends them on.
        return leaveFor(next.url, props.navigate)
      }
      setShown(next)
      setStarting(false)
      await wait(props.cart.id)
    } catch (error) {
      setStarting(false)
      setState({ status: "failed", reason: shopperMessage(error) })
    }
  }

  return (
    <div className={props.className} data-plural-pay="" data-status={starting ? "starting" : state.status}>
      {shown && state.status !== "failed" ? <UpiStep shown={shown} /> : null}
      {state.status === "waiting" ? (
        <p role="status" data-testid="plural-waiting">
          Waiting for your payment to be confirmed…
        </p>
      ) : null}
      {state.status === "unconfirmed" ? (
        <p role="status" data-testid="plural-unconfirmed">
          We have not heard from your UPI app yet. If you approved the payment, please wait a moment, then check again.{" "}
          <button type="button" onClick={() => wait(props.cart.id)} data-testid="plural-check-again">
            Check again
          </button>
        </p>
      ) : null}
      {state.status === "failed" ? (
        <p role="alert" data-testid="plural-error">
          {state.reason}
        </p>
      ) : null}
      {needsVpa ? <p data-testid="plural-needs-vpa">Enter your UPI ID, such as name@bank, to pay by UPI request.</p> : null}
      {needsConsent ? (
        <p data-testid="plural-needs-points-consent">
          To pay with points, read the points terms and tick “I have read and agree”, or untick “Pay with my card's reward
          points”.
        </p>
      ) : null}
      <button
        type="button"
        onClick={pay}
        disabled={props.disabled || needsVpa || needsConsent || busy}
        aria-busy={starting}
        data-testid="plural-pay-button"
      >
        {props.children ?? "Place order"}
      </button>
    </div>
  )
}

/** What the shopper does on their phone while the page waits. */
function UpiStep({ shown }: { shown: NonNullable<Shown> }) {
  switch (shown.action) {
    case "open_upi_app":
      return (
        <p data-testid="plural-upi-intent">
          <a href={shown.url} data-testid="plural-upi-app-link">
            Open your UPI app to pay
          </a>
        </p>
      )
    case "show_qr":
      return (
        <figure data-testid="plural-upi-qr">
          <img src={shown.imageUrl} alt="UPI QR code: scan it with any UPI app to pay" width={256} height={256} />
          <figcaption>Scan with any UPI app and approve the payment.</figcaption>
        </figure>
      )
    case "await_approval":
      return <p data-testid="plural-upi-collect">We sent a payment request to your UPI app: approve it there.</p>
  }
}
