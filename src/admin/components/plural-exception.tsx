/** A Plural exception's kind badge, and the compact notice the order widget shows above the payments. */
import { Badge, Text, clx } from "@medusajs/ui"
import { type PluralException, exceptionKind, formatExceptionAmount } from "../lib/plural"

export function ExceptionBadge({ kind }: { kind: string }) {
  const { label, color } = exceptionKind(kind)
  return (
    <Badge size="2xsmall" color={color} className="whitespace-nowrap" data-testid="plural-exception-kind">
      {label}
    </Badge>
  )
}

export function PluralExceptionNotice({ exception }: { exception: PluralException }) {
  // Red is what the merchant must act on; the rest is for their information.
  const urgent = exceptionKind(exception.kind).color === "red"
  return (
    <div
      className={clx("rounded-md px-3 py-2", urgent ? "bg-ui-tag-red-bg" : "bg-ui-bg-subtle")}
      data-testid="plural-exception"
      data-kind={exception.kind}
    >
      <div className="flex items-center justify-between gap-x-2">
        <ExceptionBadge kind={exception.kind} />
        <Text size="small" weight="plus" leading="compact">
          {formatExceptionAmount(exception)}
        </Text>
      </div>
      {exception.reason && (
        <Text size="small" className="pt-1">
          {exception.reason}
        </Text>
      )}
      <Text size="small" className={clx("pt-1", urgent ? "text-ui-fg-error" : "text-ui-fg-subtle")}>
        {exception.action}
      </Text>
    </div>
  )
}
