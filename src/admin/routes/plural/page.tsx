/**
 * "Plural" in the sidebar: the Plural payments that need the merchant or that the plugin settled on its own
 * (money without an order, automatic refunds and releases, refunds in doubt, failing webhooks), newest first, and
 * a button that reconciles now rather than at the job's next run.
 */
import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCard } from "@medusajs/icons"
import { Button, Container, Select, Table, Text, toast } from "@medusajs/ui"
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { Link } from "react-router-dom"
import { LoadError } from "../../components/load-error"
import { ExceptionBadge } from "../../components/plural-exception"
import { Copyable } from "../../components/plural-payment"
import { ViewTitle } from "../../components/view-title"
import {
  EXCEPTION_BADGES,
  type PluralException,
  type PluralExceptionKind,
  type ReconcileSummary,
  errorMessage,
  formatDateTime,
  formatExceptionAmount,
  pluralApi,
} from "../../lib/plural"

const PAGE_SIZE = 50
/** Radix's Select cannot hold an empty value, so "every kind" needs a name of its own. */
const ALL = "all"
const KINDS = Object.keys(EXCEPTION_BADGES) as PluralExceptionKind[]

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** "Checked 12 Plural orders: 3 completed, 1 refunded." Only what happened is named. */
function describeSummary(summary: ReconcileSummary): string {
  const parts = [
    summary.completed && `${summary.completed} completed`,
    summary.pending && `${summary.pending} still pending`,
    summary.failed && `${summary.failed} failed`,
    summary.expired && `${summary.expired} expired`,
    summary.refunded && `${summary.refunded} refunded`,
    summary.released && `${summary.released} released`,
    summary.webhooks_retried && `${plural(summary.webhooks_retried, "webhook")} retried`,
    summary.errors && plural(summary.errors, "error"),
  ].filter(Boolean)
  const checked = `Checked ${plural(summary.checked, "Plural order")}`
  return parts.length ? `${checked}: ${parts.join(", ")}.` : `${checked}.`
}

function PluralOrderCell({ exception }: { exception: PluralException }) {
  const { plural_order_id, merchant_order_reference } = exception
  if (!plural_order_id && !merchant_order_reference) return <>—</>
  return (
    <div className="flex flex-col">
      {plural_order_id && <Copyable value={plural_order_id} />}
      {merchant_order_reference && (
        <span className="text-ui-fg-muted truncate font-mono">{merchant_order_reference}</span>
      )}
    </div>
  )
}

function MedusaCell({ exception }: { exception: PluralException }) {
  if (exception.order_id) {
    return (
      <Link
        to={`/orders/${exception.order_id}`}
        className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover font-mono"
        data-testid="plural-exception-order"
      >
        {exception.order_id}
      </Link>
    )
  }
  if (exception.cart_id) {
    return (
      <span className="flex flex-col">
        <span className="text-ui-fg-muted">Cart</span>
        <Copyable value={exception.cart_id} />
      </span>
    )
  }
  return <>—</>
}

const PluralPage = () => {
  const queryClient = useQueryClient()
  const [kind, setKind] = useState<PluralExceptionKind | undefined>()
  const [offset, setOffset] = useState(0)

  const list = useQuery({
    queryKey: ["plural", "exceptions", kind ?? ALL, offset],
    queryFn: () => pluralApi.exceptions({ kind, limit: PAGE_SIZE, offset }),
    // The filter's counts and the current rows stay on screen while the next page loads.
    placeholderData: keepPreviousData,
    retry: false,
  })

  const reconcile = useMutation({
    mutationFn: pluralApi.reconcile,
    onSuccess: ({ summary }) => {
      const show = summary.errors ? toast.warning : toast.success
      show("Plural reconciled", { description: describeSummary(summary) })
    },
    onError: (error) => toast.error("Plural", { description: errorMessage(error) }),
    // Reconciling may complete carts into orders and settle exceptions: every Plural view and the order list refetch.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ["plural"] }),
        queryClient.invalidateQueries({ queryKey: ["orders"] }),
      ]),
  })

  const counts = list.data?.counts ?? {}
  const allCount = KINDS.reduce((sum, k) => sum + (counts[k] ?? 0), 0)
  const rows = list.data?.exceptions ?? []
  // The counts give the total; the page in hand is a floor, should they lag behind the list.
  const total = Math.max(kind ? (counts[kind] ?? 0) : allCount, offset + rows.length)
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE))

  const filter = (value: string) => {
    setKind(value === ALL ? undefined : (value as PluralExceptionKind))
    setOffset(0)
  }

  return (
    <Container className="divide-y p-0" data-testid="plural-exceptions-page">
      <div className="flex flex-wrap items-center justify-between gap-4 px-6 py-4">
        <ViewTitle
          level="h1"
          title="Plural"
          description="Plural payments without an order, automatic refunds and releases, refunds in doubt and failing webhooks"
        />
        <div className="flex items-center gap-x-2">
          <div className="w-60">
            <Select size="small" value={kind ?? ALL} onValueChange={filter}>
              <Select.Trigger data-testid="plural-kind-filter">
                <Select.Value />
              </Select.Trigger>
              <Select.Content>
                <Select.Item value={ALL}>All ({allCount})</Select.Item>
                {KINDS.map((k) => (
                  <Select.Item key={k} value={k}>
                    {EXCEPTION_BADGES[k].label} ({counts[k] ?? 0})
                  </Select.Item>
                ))}
              </Select.Content>
            </Select>
          </div>
          <Button
            size="small"
            variant="secondary"
            onClick={() => reconcile.mutate()}
            isLoading={reconcile.isPending}
            data-testid="plural-reconcile"
          >
            Reconcile now
          </Button>
        </div>
      </div>

      {list.isPending ? (
        <Text size="small" className="text-ui-fg-subtle px-6 py-4">
          Loading…
        </Text>
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => list.refetch()} />
      ) : rows.length === 0 && offset > 0 ? (
        // The page emptied under us (a reconcile settled its rows): the way back, not a false "all clear".
        <div className="px-6 py-8 text-center">
          <Button size="small" variant="transparent" onClick={() => setOffset(0)}>
            Back to the first page
          </Button>
        </div>
      ) : rows.length === 0 ? (
        <Text size="small" className="text-ui-fg-subtle px-6 py-8 text-center" data-testid="plural-exceptions-empty">
          {kind ? `Nothing under “${EXCEPTION_BADGES[kind].label}”.` : "Every Plural payment has an owner."}
        </Text>
      ) : (
        <div>
          <div className="overflow-x-auto">
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.HeaderCell>When</Table.HeaderCell>
                  <Table.HeaderCell>Kind</Table.HeaderCell>
                  <Table.HeaderCell>Amount</Table.HeaderCell>
                  <Table.HeaderCell>Plural order</Table.HeaderCell>
                  <Table.HeaderCell>Medusa</Table.HeaderCell>
                  <Table.HeaderCell>What happened</Table.HeaderCell>
                  <Table.HeaderCell>What to do</Table.HeaderCell>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {rows.map((exception) => (
                  <Table.Row
                    key={exception.id}
                    className="[&_td]:py-3 [&_td]:align-top"
                    data-testid="plural-exception-row"
                    data-kind={exception.kind}
                  >
                    <Table.Cell className="whitespace-nowrap">{formatDateTime(exception.occurred_at)}</Table.Cell>
                    <Table.Cell>
                      <ExceptionBadge kind={exception.kind} />
                    </Table.Cell>
                    <Table.Cell className="text-ui-fg-base whitespace-nowrap">
                      {formatExceptionAmount(exception)}
                    </Table.Cell>
                    <Table.Cell>
                      <PluralOrderCell exception={exception} />
                    </Table.Cell>
                    <Table.Cell>
                      <MedusaCell exception={exception} />
                    </Table.Cell>
                    {/* A table cell ignores min-width; a block inside it keeps the prose readable. */}
                    <Table.Cell>
                      <div className="min-w-64">{exception.reason ?? "—"}</div>
                    </Table.Cell>
                    <Table.Cell className="text-ui-fg-base">
                      <div className="min-w-64">{exception.action}</div>
                    </Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          </div>
          <Table.Pagination
            count={total}
            pageSize={PAGE_SIZE}
            pageIndex={Math.floor(offset / PAGE_SIZE)}
            pageCount={pageCount}
            canPreviousPage={offset > 0}
            canNextPage={offset + PAGE_SIZE < total}
            previousPage={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            nextPage={() => setOffset(offset + PAGE_SIZE)}
          />
        </div>
      )}
    </Container>
  )
}

export const config = defineRouteConfig({
  label: "Plural",
  icon: CreditCard,
})

export default PluralPage
