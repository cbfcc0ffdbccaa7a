/**
 * What the order still owes (after an order edit, exchange or claim), collected through Plural: a hosted checkout
 * for that amount, its link copied for the merchant to send. Asking again answers the same link while it can still
 * pay what is owed, so a second click never opens a second checkout.
 */
import { Button, Text, toast } from "@medusajs/ui"
import { useMutation } from "@tanstack/react-query"
import { errorMessage, formatMajor, formatMinor, pluralApi } from "../lib/plural"
import { Copyable } from "./plural-payment"

type Props = {
  orderId: string
  /** What the order owes, in the main unit (rupees) as the dashboard's order has it. */
  owed: { amount: number; currency_code: string }
  onCreated: () => void
}

/** The clipboard may be refused (an insecure origin, a denied permission): the link is shown to copy by hand. */
async function copyToClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

export function PluralPaymentLinkSection({ orderId, owed, onCreated }: Props) {
  const link = useMutation({
    mutationFn: async () => {
      const { payment_link } = await pluralApi.paymentLink(orderId)
      return { ...payment_link, copied: await copyToClipboard(payment_link.url) }
    },
    onSuccess: (made) => {
      const amount = formatMinor(made.amount, made.currency_code)
      toast.success("Plural", {
        description: made.copied ? `Payment link for ${amount} copied. Send it to the shopper.` : `Payment link for ${amount} ready: copy it below.`,
      })
      onCreated()
    },
    onError: (error) => toast.error("Plural", { description: errorMessage(error) }),
  })

  return (
    <div className="flex flex-col gap-y-2 px-6 py-4" data-testid="plural-payment-link">
      <div className="flex items-center justify-between gap-x-4">
        <div>
          <Text size="small" weight="plus" leading="compact" data-testid="plural-owed">
            Still owed: {formatMajor(owed.amount, owed.currency_code)}
          </Text>
          <Text size="small" className="text-ui-fg-subtle">
            Send the shopper a Plural checkout for it. Once paid, the order owes nothing.
          </Text>
        </div>
        <Button
          size="small"
          variant="secondary"
          isLoading={link.isPending}
          onClick={() => link.mutate()}
          data-testid="plural-payment-link-create"
        >
          {link.data ? "Copy link again" : "Copy Plural payment link"}
        </Button>
      </div>
      {link.data && (
        <div className="bg-ui-bg-subtle rounded-md px-3 py-2 txt-compact-small">
          <Copyable value={link.data.url} testId="plural-payment-link-url" />
        </div>
      )}
    </div>
  )
}
