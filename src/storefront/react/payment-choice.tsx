"use client"
/**
 * The Plural payment choice: Plural's hosted page (cards, netbanking, wallets, UPI) or UPI straight from the
 * checkout — the UPI app on this phone (intent), a request to the shopper's UPI id (collect) or a QR code.
 */
import { useId } from "react"
import { isValidUpiVpa, PLURAL_FLOWS, type PluralFlow } from "../index"
import { useChoiceProps, type PluralChoice } from "./choice"

export type PluralFlowLabels = Partial<Record<PluralFlow, { title: string; description?: string }>>

export const DEFAULT_FLOW_LABELS: Record<PluralFlow, { title: string; description: string }> = {
  hosted: { title: "Card, netbanking, wallet or UPI", description: "You pay on Plural's secure page" },
  upi_intent: { title: "UPI app on this phone", description: "Opens your UPI app to approve the payment" },
  upi_collect: { title: "UPI ID", description: "We send a payment request to your UPI app" },
  upi_qr: { title: "UPI QR code", description: "Scan it with any UPI app" },
}

export type PluralPaymentChoiceProps = {
  /** The cart being paid: the choice is kept per cart for the pay button (see `usePluralChoice`). */
  cartId: string
  /** The choices to offer, in this order. Default: all four. */
  flows?: readonly PluralFlow[]
  labels?: PluralFlowLabels
  /** Controlled use: the choice and its change handler (otherwise the shared per-cart choice). */
  value?: PluralChoice
  onChange?: (choice: PluralChoice) => void
  className?: string
}

export function PluralPaymentChoice(props: PluralPaymentChoiceProps) {
  const [choice, change] = useChoiceProps(props)
  const name = useId()
  const flows = props.flows ?? PLURAL_FLOWS
  const vpaInvalid = choice.upiVpa.trim() !== "" && !isValidUpiVpa(choice.upiVpa)

  return (
    <div className={props.className} data-plural-choice="" role="radiogroup" aria-label="Pay with Plural">
      {flows.map((flow) => {
        const label = { ...DEFAULT_FLOW_LABELS[flow], ...props.labels?.[flow] }
        return (
          <div key={flow} data-plural-flow={flow} data-selected={choice.flow === flow ? "" : undefined}>
            <label>
              <input
                type="radio"
                name={name}
                value={flow}
                checked={choice.flow === flow}
                onChange={() => change({ flow })}
                data-testid={`plural-flow-${flow}`}
              />{" "}
              <span data-plural-title="">{label.title}</span>
              {label.description ? <small data-plural-description=""> {label.description}</small> : null}
            </label>
            {flow === "upi_collect" && choice.flow === "upi_collect" ? (
              <div data-plural-vpa="">
                <label htmlFor={`${name}-vpa`}>Your UPI ID</label>
                <input
                  id={`${name}-vpa`}
                  type="text"
                  inputMode="email"
                  autoComplete="off"
                  placeholder="name@bank"
                  value={choice.upiVpa}
                  onChange={(event) => change({ upiVpa: event.target.value })}
                  aria-invalid={vpaInvalid}
                  data-testid="plural-upi-vpa"
                />
                {vpaInvalid ? <p role="alert">Enter your UPI ID, such as name@bank</p> : null}
              </div>
            ) : null}
          </div>
        )
      })}
    </div>
  )
}
