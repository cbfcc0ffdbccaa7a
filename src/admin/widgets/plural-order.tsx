/**
 * "Plural" on the order page: Plural's live view of the order's Plural payments, with capture, release and sync,
 * and above them whatever the merchant should know about those payments (a refund that failed, say), and a Plural
 * payment link for what the order still owes. Renders nothing when the order has no Plural payment and owes nothing.
 */
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Button, Container, toast, usePrompt } from "@medusajs/ui"
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { LoadError } from "../components/load-error"
import { PluralExceptionNotice } from "../components/plural-exception"
import { PluralPayment } from "../components/plural-payment"
import { PluralPaymentLinkSection } from "../components/plural-payment-link"
import { ViewTitle } from "../components/view-title"
import { type PluralPaymentView, errorMessage, formatMinor, pluralApi } from "../lib/plural"
import { PLURAL_PROVIDER_ID } from "../../shared"

const viewKey = (orderId: string) => ["plural", "order", orderId] as const

/** False only when the dashboard's order says for sure that no payment went through Plural. */
function mayHavePluralPayments(order: AdminOrder): boolean {
  const collections = order.payment_collections
  if (!collections) return true
  return collections.some((c) => !c.payments || c.payments.some((p) => p.provider_id === PLURAL_PROVIDER_ID))
}

/**
 * What the order still owes (after an order edit, exchange or claim), when Medusa waits for it on a payment
 * collection nothing was authorized on yet; undefined when it owes nothing.
 */
function owedOf(order: AdminOrder): { amount: number; currency_code: string } | undefined {
  const pending = Number(order.summary?.pending_difference ?? 0)
  const collection = order.payment_collections?.find((c) => c.status === "not_paid" || c.status === "awaiting")
  if (!collection || !(pending > 0)) return undefined
  return { amount: Number(collection.amount), currency_code: order.currency_code }
}

const PluralOrderWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const queryClient = useQueryClient()
  const prompt = usePrompt()
  const owed = owedOf(order)
  const enabled = mayHavePluralPayments(order) || Boolean(owed)
  const view = useQuery({
    queryKey: viewKey(order.id),
    queryFn: () => pluralApi.orderView(order.id),
    enabled,
    retry: false,
  })

  /** After an action: our view, and the dashboard's own order (its payment section) both refetch. */
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: viewKey(order.id) }),
      queryClient.invalidateQueries({ queryKey: ["orders"] }),
    ])

  const action = useMutation({
    mutationFn: async (run: () => Promise<string>) => run(),
    onSuccess: (message) => toast.success("Plural", { description: message }),
    onError: (error) => toast.error("Plural", { description: errorMessage(error) }),
    onSettled: refresh,
  })

  const capture = (payment: PluralPaymentView) =>
    action.mutate(async () => {
      await pluralApi.capture(payment.payment_id)
      return `Captured ${formatMinor(payment.plural.amount.value, payment.plural.amount.currency)} in Plural.`
    })

  const release = async (payment: PluralPaymentView) => {
    const confirmed = await prompt({
      title: "Release the authorisation?",
      description: `Plural releases the hold of ${formatMinor(payment.plural.amount.value, payment.plural.amount.currency)} on the shopper's card. It can no longer be captured.`,
      confirmText: "Release",
      cancelText: "Keep",
    })
    if (!confirmed) return
    action.mutate(async () => {
      await pluralApi.release(payment.payment_id)
      return "The authorisation was released."
    })
  }

  const sync = () =>
    action.mutate(async () => {
      const synced = await pluralApi.sync(order.id)
      queryClient.setQueryData(viewKey(order.id), synced)
      return "Synced from Plural."
    })

  if (!enabled || view.isPending) return null
  if (view.isSuccess && view.data.payments.length === 0 && !owed) return null
  const exceptions = view.data?.exceptions ?? []

  return (
    <Container className="divide-y p-0" data-testid="plural-widget">
      <div className="flex items-center justify-between px-6 py-4">
        <ViewTitle title="Plural" description="Live from Plural (Pine Labs Online)" />
        <Button size="small" variant="secondary" onClick={sync} isLoading={action.isPending} data-testid="plural-sync">
          Sync from Plural
        </Button>
      </div>
      {owed && <PluralPaymentLinkSection orderId={order.id} owed={owed} onCreated={refresh} />}
      {view.isError ? (
        <LoadError error={view.error} onRetry={() => view.refetch()} />
      ) : (
        <>
          {exceptions.length > 0 && (
            <div className="flex flex-col gap-y-2 px-6 py-4" data-testid="plural-exceptions">
              {exceptions.map((exception) => (
                <PluralExceptionNotice key={exception.id} exception={exception} />
              ))}
            </div>
          )}
          {view.data?.payments.map((payment) => (
            <PluralPayment
              key={payment.payment_id}
              payment={payment}
              busy={action.isPending}
              onCapture={capture}
              onRelease={release}
            />
          ))}
        </>
      )}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "order.details.after",
})

export default PluralOrderWidget
