/**
 * "Pay by points" balance check, on an INR order (amount prefilled from the order total) and on a customer.
 *
 * The card number is an uncontrolled input: it is read from the form once on submit, sent, and the field is cleared;
 * it is never kept in React state, a query cache or a log, and only its last 4 digits (from the answer) are shown.
 */
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminCustomer, AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Button, Container, Input, Label, StatusBadge, Text } from "@medusajs/ui"
import { type ComponentProps, type FormEvent, type Ref, useRef, useState } from "react"
import { ViewTitle } from "../components/view-title"
import { type PointsBalance, errorMessage, formatMajor, pluralApi } from "../lib/plural"
import { normalizeMobileNumber, POINTS_CARD_NUMBER_PATTERN, REGISTERED_MOBILE_PATTERN } from "../../shared"

type Subject = AdminOrder | AdminCustomer

const isOrder = (subject: Subject): subject is AdminOrder => "currency_code" in subject && "total" in subject

function PointsResult({ result }: { result: PointsBalance }) {
  const money = (value: number) => formatMajor(value, result.currency_code)
  return (
    <div className="bg-ui-bg-subtle rounded-md px-3 py-2" data-testid="points-result">
      <div className="flex items-center justify-between pb-1">
        <Text size="small" weight="plus" leading="compact">
          Card •••• {result.card_last4}
        </Text>
        <StatusBadge color={result.is_eligible ? "green" : "grey"}>
          {result.is_eligible ? "Eligible" : "Not eligible"}
        </StatusBadge>
      </div>
      <dl className="txt-compact-small grid grid-cols-2 gap-y-1">
        <dt className="text-ui-fg-subtle">Points balance</dt>
        <dd className="text-right">{money(result.balance)}</dd>
        <dt className="text-ui-fg-subtle">Redeemable points</dt>
        <dd className="text-right">{result.redeemable_points.toLocaleString("en-IN")}</dd>
        <dt className="text-ui-fg-subtle">Redeemable amount</dt>
        <dd className="text-right">{money(result.redeemable_amount)}</dd>
      </dl>
    </div>
  )
}

/** One labelled input of the form. */
function Field({
  id,
  label,
  inputRef,
  ...input
}: { id: string; label: string; inputRef?: Ref<HTMLInputElement> } & Omit<ComponentProps<typeof Input>, "id" | "size" | "ref">) {
  return (
    <div className="flex flex-col gap-y-1">
      <Label size="small" htmlFor={id}>
        {label}
      </Label>
      <Input id={id} ref={inputRef} size="small" {...input} />
    </div>
  )
}

/** Digits only; a +91 / 0 prefix on the mobile number is dropped (the rule the storefront helper uses too). */
const digits = (value: FormDataEntryValue | null) => String(value ?? "").replace(/\D/g, "")
const mobile = (value: FormDataEntryValue | null) => normalizeMobileNumber(String(value ?? ""))

const PointsBalanceWidget = ({ data }: DetailWidgetProps<Subject>) => {
  const cardInput = useRef<HTMLInputElement>(null)
  const [result, setResult] = useState<PointsBalance | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [checking, setChecking] = useState(false)

  const order = isOrder(data) ? data : null
  const currency = (order?.currency_code ?? "inr").toLowerCase()
  // Pay by points is a rupee feature.
  if (currency !== "inr") return null

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const body = {
      card_number: digits(form.get("card_number")),
      registered_mobile_number: mobile(form.get("registered_mobile_number")),
      amount: Number(form.get("amount")),
      currency_code: currency,
    }
    setResult(null)
    setError(null)
    if (!POINTS_CARD_NUMBER_PATTERN.test(body.card_number)) return setError("Enter the card number (12 to 19 digits).")
    if (!REGISTERED_MOBILE_PATTERN.test(body.registered_mobile_number)) return setError("Enter the 10-digit mobile number registered with the card.")
    if (!(body.amount > 0)) return setError("Enter the amount to pay, in rupees.")
    setChecking(true)
    try {
      setResult(await pluralApi.pointsBalance(body))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      if (cardInput.current) cardInput.current.value = ""
      setChecking(false)
    }
  }

  return (
    <Container className="divide-y p-0" data-testid="points-widget">
      <ViewTitle
        className="px-6 py-4"
        title="Plural points balance"
        description={`What a card's reward points could pay ${order ? "for this order" : ""}`}
      />
      <form className="flex flex-col gap-y-3 px-6 py-4" onSubmit={submit} autoComplete="off">
        <Field
          id="plural-points-card"
          label="Card number"
          inputRef={cardInput}
          name="card_number"
          inputMode="numeric"
          autoComplete="off"
          data-testid="points-card-number"
        />
        <Field
          id="plural-points-mobile"
          label="Registered mobile"
          name="registered_mobile_number"
          type="tel"
          inputMode="numeric"
          defaultValue={order?.shipping_address?.phone ?? ""}
          data-testid="points-mobile"
        />
        <Field
          id="plural-points-amount"
          label="Amount (₹)"
          name="amount"
          type="number"
          step="0.01"
          min="0.01"
          defaultValue={order ? String(order.total) : ""}
          data-testid="points-amount"
        />
        {error && (
          <Text size="small" className="text-ui-fg-error" data-testid="points-error">
            {error}
          </Text>
        )}
        {result && <PointsResult result={result} />}
        <div className="flex justify-end">
          <Button size="small" variant="secondary" type="submit" isLoading={checking} data-testid="points-check-submit">
            Check balance
          </Button>
        </div>
      </form>
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: ["order.details.side.after", "customer.details.after"],
})

export default PointsBalanceWidget
