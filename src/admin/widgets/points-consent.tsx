/**
 * "Pay-by-points consents" on an order and on a customer: each consent the shopper gave (the text version, when,
 * the Plural order that offered points under it), the exact text on demand, and a CSV export for an audit (this
 * order's or customer's, or the whole store's).
 */
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminCustomer, AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Container, Text } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { ViewTitle } from "../components/view-title"
import { type PointsConsentFilter, type PointsConsentRecord, errorMessage, formatDateTime, pluralApi, pointsConsentsCsvUrl } from "../lib/plural"

type Subject = AdminOrder | AdminCustomer

const isOrder = (subject: Subject): subject is AdminOrder => "currency_code" in subject && "total" in subject

function ConsentRow({ consent }: { consent: PointsConsentRecord }) {
  return (
    <li className="flex flex-col gap-y-1 px-6 py-3" data-testid="points-consent">
      <div className="flex items-center justify-between">
        <Text size="small" weight="plus" leading="compact" data-testid="points-consent-at">
          {formatDateTime(consent.consented_at)}
        </Text>
        <Text size="xsmall" className="text-ui-fg-subtle" data-testid="points-consent-version">
          Text {consent.text_version}
        </Text>
      </div>
      <Text size="xsmall" className="text-ui-fg-subtle">
        Plural order <span data-testid="points-consent-plural-order">{consent.plural_order_id ?? "none yet"}</span> · cart {consent.cart_id}
      </Text>
      <details>
        <summary className="txt-compact-xsmall text-ui-fg-interactive cursor-pointer">Text the shopper agreed to</summary>
        <Text size="xsmall" className="pt-1" data-testid="points-consent-text">
          {consent.text}
        </Text>
      </details>
    </li>
  )
}

const PointsConsentWidget = ({ data }: DetailWidgetProps<Subject>) => {
  const filter: PointsConsentFilter = isOrder(data) ? { order_id: data.id } : { customer_id: data.id }
  const consents = useQuery({
    queryKey: ["plural", "points-consents", filter],
    queryFn: () => pluralApi.pointsConsents({ ...filter, limit: 20, offset: 0 }),
    retry: false,
  })
  const rows = consents.data?.consents ?? []
  // On an order without points there is nothing to show; a customer's page always offers the audit export.
  if (isOrder(data) && consents.isSuccess && !rows.length) return null

  return (
    <Container className="divide-y p-0" data-testid="points-consent-widget">
      <div className="flex items-center justify-between px-6 py-4">
        <ViewTitle title="Pay-by-points consents" description="What the shopper agreed to before paying with reward points" />
        <div className="flex shrink-0 flex-col items-end gap-y-1 whitespace-nowrap">
          <a className="txt-compact-small text-ui-fg-interactive" href={pointsConsentsCsvUrl(filter)} download data-testid="points-consents-csv">
            Export CSV
          </a>
          <a className="txt-compact-xsmall text-ui-fg-subtle" href={pointsConsentsCsvUrl({})} download data-testid="points-consents-csv-all">
            All consents
          </a>
        </div>
      </div>
      {consents.isError && (
        <Text size="small" className="text-ui-fg-error px-6 py-4">
          {errorMessage(consents.error)}
        </Text>
      )}
      {consents.isSuccess && !rows.length && (
        <Text size="small" className="text-ui-fg-muted px-6 py-4" data-testid="points-consent-none">
          No consent recorded
        </Text>
      )}
      {rows.length > 0 && (
        <ul className="divide-y">
          {rows.map((consent) => (
            <ConsentRow key={consent.id} consent={consent} />
          ))}
        </ul>
      )}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: ["order.details.side.after", "customer.details.after"],
})

export default PointsConsentWidget
