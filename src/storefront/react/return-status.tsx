"use client"
/**
 * The return from Plural, on the page the plugin sends the shopper to: the confirmation page (paid: run
 * `onCompleted`, e.g. forget the cart cookie) or the checkout (failed: the reason; not confirmed yet: poll until the
 * order exists, then go to the confirmation page). Renders nothing when the page was not reached from Plural.
 */
import { useEffect, useState } from "react"
import { readPluralReturn, type PluralReturn as Returned } from "../index"
import { usePluralSettlement, type PluralSettlementOptions } from "./use-plural-settlement"

export type PluralReturnStatusProps = PluralSettlementOptions & {
  /** Default `window.location`; tests and frameworks may pass the URL. */
  location?: string | URL | { search: string }
  className?: string
}

export function PluralReturnStatus(props: PluralReturnStatusProps) {
  const [returned, setReturned] = useState<Returned | null>(null)
  const { state, wait, complete } = usePluralSettlement(props)

  // Read once, after hydration (the server render cannot see the browser's URL).
  useEffect(() => {
    const back = readPluralReturn(props.location ?? window.location)
    setReturned(back)
    if (back?.status === "pending") void wait(back.cartId, false)
    if (back?.status === "completed" && back.cartId) void complete({ orderId: back.orderId, cartId: back.cartId }, false)
  }, [])

  if (!returned || returned.status === "completed") return null
  const failure = returned.status === "failed" ? returned : state.status === "failed" ? state : null
  return (
    <div className={props.className} data-plural-return={returned.status} data-testid="plural-return">
      {failure ? (
        <p role="alert" data-testid="plural-return-error">
          {failure.reason}
        </p>
      ) : state.status === "unconfirmed" ? (
        <p role="status">Your payment is not confirmed yet. If you paid, your order confirmation will follow by email.</p>
      ) : (
        <p role="status" data-testid="plural-return-pending">
          Confirming your payment…
        </p>
      )}
    </div>
  )
}
