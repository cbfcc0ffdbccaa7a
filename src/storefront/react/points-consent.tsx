"use client"
/**
 * Pay by points, for Plural's hosted page: the shopper opts in, reads the store's consent text and agrees to it (an
 * unticked box, their own action); the consent's id goes into the cart's choice, so `PluralPayButton` starts the
 * payment with it and Plural's page offers POINTS. Optionally they check what their card's points can pay. Renders
 * nothing when the store does not offer pay by points for this cart, or for a UPI flow.
 */
import { useEffect, useId, useRef, useState } from "react"
import {
  checkPointsBalance,
  getPointsConsent,
  givePointsConsent,
  PluralStorefrontError,
  type PluralStoreClient,
  type PointsBalance,
  type PointsConsentInfo,
} from "../index"
import { useChoiceProps, type PluralChoice } from "./choice"
import { shopperMessage } from "./use-plural-settlement"

export type PluralPointsConsentProps = {
  /** How to reach the Medusa store API (a JS SDK instance, or `{ baseUrl, publishableKey }`). */
  client: PluralStoreClient
  /** The cart being paid: the consent is kept in its choice for the pay button (see `usePluralChoice`). */
  cartId: string
  /**
   * The store's answer to `getPointsConsent` when the page already has it (null: no pay by points for this cart);
   * otherwise the component asks for it after hydration.
   */
  consent?: PointsConsentInfo | null
  /** Offer the balance check (card number and the mobile number registered with it). Default true. */
  balanceCheck?: boolean
  /** Controlled use: the choice and its change handler (otherwise the shared per-cart choice). */
  value?: PluralChoice
  onChange?: (choice: PluralChoice) => void
  className?: string
}

const CHANGED_TEXT = "The points terms have just changed: please read them again and tick the box to agree."
const CONSENT_UNREACHABLE = "We could not record your agreement. Check your connection and try again."
const BALANCE_UNREACHABLE = "We could not check your points right now. Try again in a minute, or pay without points."

const inr = (amount: number) => new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" }).format(amount)

export function PluralPointsConsent(props: PluralPointsConsentProps) {
  const [choice, change] = useChoiceProps(props)
  const [info, setInfo] = useState(props.consent)
  const [agreeing, setAgreeing] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const id = useId()

  const load = () => getPointsConsent(props.client, props.cartId).then(setInfo, () => setInfo(null))
  useEffect(() => {
    if (props.consent === undefined) void load()
  }, [props.cartId])
  // No points for this cart (or the store could not say): nothing to untick, so pay without them.
  useEffect(() => {
    if (info === null && choice.payWithPoints) change({ payWithPoints: false, pointsConsentId: undefined })
  }, [info, choice.payWithPoints])

  if (!info || choice.flow !== "hosted") return null

  const agree = async (checked: boolean) => {
    setError(null)
    if (!checked) return change({ pointsConsentId: undefined })
    setAgreeing(true)
    try {
      const consent = await givePointsConsent(props.client, props.cartId, info.text_version)
      change({ pointsConsentId: consent.id })
    } catch (e) {
      const changed = e instanceof PluralStorefrontError && e.status === 409
      if (changed) await load()
      setError(changed ? CHANGED_TEXT : shopperMessage(e, CONSENT_UNREACHABLE))
    } finally {
      setAgreeing(false)
    }
  }

  return (
    <div className={props.className} data-plural-points="" data-testid="plural-points">
      <label>
        <input
          type="checkbox"
          checked={choice.payWithPoints === true}
          disabled={agreeing}
          onChange={(event) => {
            setError(null)
            change({ payWithPoints: event.target.checked, pointsConsentId: undefined })
          }}
          data-testid="plural-points-opt-in"
        />{" "}
        Pay with my card's reward points
      </label>
      {choice.payWithPoints ? (
        <div data-plural-points-details="">
          <p id={`${id}-text`} data-testid="plural-points-consent-text">
            {info.text}
          </p>
          <label>
            <input
              type="checkbox"
              checked={Boolean(choice.pointsConsentId)}
              disabled={agreeing}
              onChange={(event) => void agree(event.target.checked)}
              aria-describedby={`${id}-text`}
              data-testid="plural-points-agree"
            />{" "}
            I have read and agree to this
          </label>
          {error ? (
            <p role="alert" data-testid="plural-points-error">
              {error}
            </p>
          ) : null}
          {props.balanceCheck === false ? null : <PointsBalanceCheck client={props.client} cartId={props.cartId} />}
        </div>
      ) : null}
    </div>
  )
}

/**
 * What the card's points can pay. The card number stays in its field (never in state), goes to the store once and is
 * cleared right after; only its last 4 digits are shown. The field has no `name`, so no form ever submits it.
 */
function PointsBalanceCheck({ client, cartId }: { client: PluralStoreClient; cartId: string }) {
  const card = useRef<HTMLInputElement>(null)
  const mobile = useRef<HTMLInputElement>(null)
  const [checking, setChecking] = useState(false)
  const [balance, setBalance] = useState<PointsBalance | null>(null)
  const [error, setError] = useState<string | null>(null)
  const id = useId()

  const check = async () => {
    setChecking(true)
    setBalance(null)
    setError(null)
    try {
      setBalance(await checkPointsBalance(client, { cartId, cardNumber: card.current!.value, mobileNumber: mobile.current!.value }))
    } catch (e) {
      // A code without a status: the helper refused the card or mobile number before sending (its words are the shopper's).
      const refusedHere = e instanceof PluralStorefrontError && e.code !== undefined && e.status === undefined
      setError(refusedHere ? e.message : shopperMessage(e, BALANCE_UNREACHABLE))
    } finally {
      if (card.current) card.current.value = ""
      setChecking(false)
    }
  }

  return (
    <div data-plural-points-balance="">
      <p>Check what your points can pay (optional):</p>
      <label htmlFor={`${id}-card`}>Card number</label>
      <input id={`${id}-card`} type="text" inputMode="numeric" autoComplete="off" ref={card} data-testid="plural-points-card-number" />
      <label htmlFor={`${id}-mobile`}>Mobile number registered with the card</label>
      <input id={`${id}-mobile`} type="tel" inputMode="numeric" autoComplete="tel" ref={mobile} data-testid="plural-points-mobile" />
      <button type="button" onClick={check} disabled={checking} data-testid="plural-points-check">
        Check my points
      </button>
      {balance ? (
        <p role="status" data-testid="plural-points-balance">
          {balance.is_eligible
            ? `Card •••• ${balance.card_last4}: ${balance.redeemable_points.toLocaleString("en-IN")} points can pay ${inr(balance.redeemable_amount)} of this order.`
            : `Card •••• ${balance.card_last4} has no points this order can use.`}
        </p>
      ) : null}
      {error ? (
        <p role="alert" data-testid="plural-points-balance-error">
          {error}
        </p>
      ) : null}
    </div>
  )
}
