/**
 * Plural sends the shopper's browser here after a payment (form POST or query string). A bad signature changes
 * nothing; a good one is still confirmed with Plural before the cart is completed. The browser always ends on the
 * storefront: success (with the order id), or failure (with a reason it can show).
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CallbackFields } from "../../../../plural"
import { settlePluralPaymentWorkflow } from "../../../../workflows/settle-plural-payment"
import { resolvePluralProvider } from "../../../../utils/resolve-plural-provider"

function returnedFields(req: MedusaRequest): Record<string, string> {
  const source = (req.method === "GET" ? req.query : req.body) as Record<string, unknown> | undefined
  return Object.fromEntries(Object.entries(source ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
}

function to(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base)
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value)
  return url.toString()
}

async function handle(req: MedusaRequest, res: MedusaResponse) {
  const provider = resolvePluralProvider(req.scope)
  const { storefront_success_url: success, storefront_failure_url: failure } = provider.options
  const logger = req.scope.resolve("logger")

  const fields = CallbackFields.safeParse(returnedFields(req))
  if (!fields.success || !provider.verifyCallback(fields.data)) {
    logger.warn("Plural callback with a missing or wrong signature: nothing changed")
    return res.redirect(303, to(failure, { code: "INVALID_SIGNATURE", reason: "We could not verify the payment response. If you were charged, your order will be confirmed by email." }))
  }

  try {
    const { order_id, status, payment_status } = fields.data
    const { result } = await settlePluralPaymentWorkflow(req.scope).run({
      input: { plural_order_id: order_id, observed_status: (status ?? payment_status)?.toUpperCase() },
    })
    if (result.status === "completed") return res.redirect(303, to(success, { order_id: result.order_id, cart_id: result.cart_id }))
    if (result.status === "pending" && result.last_attempt && !result.paid) {
      // The attempt failed and the shopper is back with us: let them try again from the storefront.
      return res.redirect(303, to(failure, { cart_id: result.cart_id, code: result.last_attempt.code, reason: result.last_attempt.reason }))
    }
    if (result.status === "pending") return res.redirect(303, to(success, { cart_id: result.cart_id, status: "pending" }))
    return res.redirect(303, to(failure, { cart_id: result.cart_id, code: result.code, reason: result.reason }))
  } catch (error) {
    logger.error(`Plural callback for order ${fields.data.order_id} could not be settled: ${(error as Error).message}`)
    // True whatever failed: the ledger gives every paid order an owner (an order, or the money back) on its own.
    return res.redirect(
      303,
      to(failure, { code: "NOT_CONFIRMED", reason: "We could not confirm the payment yet. If you were charged, you will receive your order confirmation or a full refund automatically." })
    )
  }
}

export const GET = handle
export const POST = handle
