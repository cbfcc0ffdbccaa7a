/** One Plural payment as Plural sees it: status, amount, method, references, captures, refunds, consent, actions. */
import { Badge, Button, Copy, StatusBadge, Text } from "@medusajs/ui"
import type { ReactNode } from "react"
import {
  REFUND_COLORS,
  STATUS_COLORS,
  type PluralPaymentView,
  describeMethod,
  formatDateTime,
  formatMinor,
  humanize,
} from "../lib/plural"

type Props = {
  payment: PluralPaymentView
  busy: boolean
  onCapture: (payment: PluralPaymentView) => void
  onRelease: (payment: PluralPaymentView) => void
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="grid grid-cols-2 items-center gap-x-4 py-1">
      <Text size="small" leading="compact" className="text-ui-fg-subtle">
        {label}
      </Text>
      <div className="text-ui-fg-base txt-compact-small min-w-0 break-all" data-testid={testId}>
        {children}
      </div>
    </div>
  )
}

export function Copyable({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className="flex items-center gap-x-1">
      <span className="truncate font-mono" data-testid={testId}>
        {value}
      </span>
      <Copy content={value} className="text-ui-fg-muted shrink-0" />
    </span>
  )
}

function PointsConsent({ at }: { at: string | null }) {
  return at ? (
    <span data-testid="plural-points-consent">Consented {formatDateTime(at)}</span>
  ) : (
    <span className="text-ui-fg-muted" data-testid="plural-points-consent">
      No consent recorded
    </span>
  )
}

/** A titled list under the payment (its captures, its refunds); nothing at all while it is empty. */
function Listing<T>({ title, testId, items, children }: { title: string; testId: string; items: T[]; children: (item: T) => ReactNode }) {
  if (!items.length) return null
  return (
    <div className="pt-2" data-testid={testId}>
      <Text size="small" weight="plus" leading="compact">
        {title}
      </Text>
      <ul>{items.map(children)}</ul>
    </div>
  )
}

type Capture = PluralPaymentView["plural"]["captures"][number]
type Refund = PluralPaymentView["plural"]["refunds"][number]

function CaptureItem({ capture }: { capture: Capture }) {
  return (
    <li className="txt-compact-small flex justify-between gap-x-2 py-1">
      <span className="truncate font-mono text-ui-fg-subtle">{capture.merchant_capture_reference}</span>
      <span>
        {formatMinor(capture.capture_amount.value, capture.capture_amount.currency)}
        {capture.created_at ? ` · ${formatDateTime(capture.created_at)}` : ""}
      </span>
    </li>
  )
}

function RefundItem({ refund, currency }: { refund: Refund; currency: string }) {
  const failed = refund.status.toUpperCase() === "FAILED"
  return (
    <li
      className={failed ? "bg-ui-tag-red-bg my-1 rounded-md px-2 py-1" : "py-1"}
      data-testid={failed ? "plural-refund-failed" : "plural-refund"}
    >
      <div className="txt-compact-small flex items-center justify-between gap-x-2">
        <span className="truncate font-mono text-ui-fg-subtle">{refund.reference}</span>
        <span className="flex items-center gap-x-2">
          {formatMinor(refund.amount, currency)}
          <StatusBadge color={REFUND_COLORS[refund.status.toUpperCase()] ?? "grey"}>{humanize(refund.status)}</StatusBadge>
        </span>
      </div>
      {failed && (
        <Text size="xsmall" className="text-ui-fg-error pt-1">
          Plural could not make this refund. Refund the shopper another way (e.g. a bank transfer) and
          note it on the order.
        </Text>
      )}
    </li>
  )
}

export function PluralPayment({ payment, busy, onCapture, onRelease }: Props) {
  const { plural } = payment
  // Only an open authorisation offers these; releasing comes first, capturing (the primary action) last.
  const actions = [
    {
      offered: payment.can_cancel,
      run: onRelease,
      variant: "secondary" as const,
      testId: "plural-cancel",
      label: "Release authorisation",
    },
    {
      offered: payment.can_capture,
      run: onCapture,
      variant: "primary" as const,
      testId: "plural-capture",
      label: `Capture ${formatMinor(plural.amount.value, plural.amount.currency)}`,
    },
  ].filter((action) => action.offered)
  return (
    <div className="px-6 py-4" data-testid="plural-payment" data-payment-id={payment.payment_id}>
      <div className="flex items-center justify-between gap-x-2 pb-2">
        <span className="flex items-center gap-x-2">
          <StatusBadge color={STATUS_COLORS[plural.status] ?? "grey"} data-testid="plural-status">
            {humanize(plural.status)}
          </StatusBadge>
          {payment.pre_auth && (
            <Badge size="2xsmall" color="blue">
              Pre-auth
            </Badge>
          )}
        </span>
        <Text size="large" weight="plus" leading="compact" data-testid="plural-amount">
          {formatMinor(plural.amount.value, plural.amount.currency)}
        </Text>
      </div>

      <Row label="Method" testId="plural-method">
        {describeMethod(payment)}
      </Row>
      <Row label="RRN">{plural.rrn ? <Copyable value={plural.rrn} /> : "—"}</Row>
      <Row label="Plural order">
        <Copyable value={plural.order_id} testId="plural-order-id" />
      </Row>
      <Row label="Merchant reference">
        <Copyable value={plural.merchant_order_reference} />
      </Row>
      <Row label="Pay by points">
        <PointsConsent at={payment.points_consent_at} />
      </Row>
      {payment.captured_at && <Row label="Captured in Medusa">{formatDateTime(payment.captured_at)}</Row>}
      {payment.canceled_at && <Row label="Released">{formatDateTime(payment.canceled_at)}</Row>}

      {plural.error && (
        <div className="bg-ui-tag-red-bg mt-2 rounded-md px-2 py-1" data-testid="plural-error">
          <Text size="small" className="text-ui-fg-error">
            {plural.error.code}: {plural.error.message}
          </Text>
        </div>
      )}

      <Listing title="Captures" testId="plural-captures" items={plural.captures}>
        {(capture) => <CaptureItem key={capture.merchant_capture_reference} capture={capture} />}
      </Listing>
      <Listing title="Refunds" testId="plural-refunds" items={plural.refunds}>
        {(refund) => <RefundItem key={refund.reference} refund={refund} currency={plural.amount.currency} />}
      </Listing>

      {actions.length > 0 && (
        <div className="flex justify-end gap-x-2 pt-3">
          {actions.map((action) => (
            <Button
              key={action.testId}
              size="small"
              variant={action.variant}
              disabled={busy}
              onClick={() => action.run(payment)}
              data-testid={action.testId}
            >
              {action.label}
            </Button>
          ))}
        </div>
      )}
    </div>
  )
}
