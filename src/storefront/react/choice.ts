"use client"
/**
 * The shopper's Plural choice (flow and UPI id) for one cart, shared by the payment choice and the pay button even
 * when they sit in different steps of the checkout (the Next.js starter's payment and review steps are siblings).
 * Kept in the tab's sessionStorage so a reload keeps it, and forgotten once the cart is paid.
 */
import { useCallback, useSyncExternalStore } from "react"
import { PLURAL_FLOWS, type PluralFlow } from "../index"

export type PluralChoice = {
  flow: PluralFlow
  upiVpa: string
  /** Pay by points (hosted checkout): the shopper opted in, and the id of the consent they then gave. */
  payWithPoints?: boolean
  pointsConsentId?: string
}

const DEFAULT_CHOICE: PluralChoice = { flow: "hosted", upiVpa: "" }
const keyOf = (cartId: string) => `medusa-payment-plural:choice:${cartId}`
const choices = new Map<string, PluralChoice>()
const listeners = new Set<() => void>()

function storage(): Storage | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.sessionStorage
  } catch {
    return undefined // storage disabled: the choice lives as long as the page
  }
}

function read(cartId: string): PluralChoice {
  const known = choices.get(cartId)
  if (known) return known
  let choice = DEFAULT_CHOICE
  try {
    const stored = JSON.parse(storage()?.getItem(keyOf(cartId)) ?? "null") as Partial<PluralChoice> | null
    if (stored && PLURAL_FLOWS.includes(stored.flow as PluralFlow)) {
      choice = {
        flow: stored.flow as PluralFlow,
        upiVpa: typeof stored.upiVpa === "string" ? stored.upiVpa : "",
        payWithPoints: stored.payWithPoints === true,
        pointsConsentId: typeof stored.pointsConsentId === "string" ? stored.pointsConsentId : undefined,
      }
    }
  } catch {
    // unreadable: the default
  }
  choices.set(cartId, choice)
  return choice
}

function write(cartId: string, choice: PluralChoice | undefined) {
  if (choice) choices.set(cartId, choice)
  else choices.delete(cartId)
  try {
    if (choice) storage()?.setItem(keyOf(cartId), JSON.stringify(choice))
    else storage()?.removeItem(keyOf(cartId))
  } catch {
    // full or disabled storage: the in-memory choice still holds for this page
  }
  listeners.forEach((listener) => listener())
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

/** The cart's Plural choice and a setter merging a change into it. */
export function usePluralChoice(cartId: string): [PluralChoice, (change: Partial<PluralChoice>) => void] {
  const choice = useSyncExternalStore(subscribe, () => read(cartId), () => DEFAULT_CHOICE)
  const update = useCallback((change: Partial<PluralChoice>) => write(cartId, { ...read(cartId), ...change }), [cartId])
  return [choice, update]
}

/** A component's choice: the caller's (`value`, `onChange`) when given, else the cart's shared one. */
export function useChoiceProps(props: {
  cartId: string
  value?: PluralChoice
  onChange?: (choice: PluralChoice) => void
}): [PluralChoice, (change: Partial<PluralChoice>) => void] {
  const [shared, setShared] = usePluralChoice(props.cartId)
  const choice = props.value ?? shared
  return [choice, (patch) => (props.onChange ? props.onChange({ ...choice, ...patch }) : setShared(patch))]
}

/** Forgets a paid cart's choice (its UPI id included). */
export function forgetPluralChoice(cartId: string) {
  write(cartId, undefined)
}
