/**
 * Plural sends the shopper's browser here after a payment (form POST or query string). A bad signature changes
 * nothing; a good one is still confirmed with Plural before the cart is completed. The browser always ends on the
 * storefront (see ./landing): success (with the order id), or failure (with a reason it can show).
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { CallbackFields } from "../../../../plural"
import { usesPlaceholder } from "../../../../shared/return-url"
import { settlePluralPaymentWorkflow } from "../../../../workflows/settle-plural-payment"
import { resolvePluralGateway } from "../../../../utils/resolve-plural-gateway"
import { landingFor, storefrontUrl, type StorefrontUrls } from "./landing"

function returnedFields(req: MedusaRequest): Record<string, string> {
  const source = (req.method === "GET" ? req.query : req.body) as Record<string, unknown> | undefined
  return Object.fromEntries(Object.entries(source ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
}

/** The cart's country for `{country_code}`, lower-case as storefront paths have it; unknown leaves the segment out. */
async function countryOf(scope: MedusaContainer, urls: StorefrontUrls, cartId: string | undefined): Promise<string | undefined> {
  if (!cartId || !(usesPlaceholder(urls.success, "country_code") || usesPlaceholder(urls.failure, "country_code"))) return undefined
  try {
    const { data } = await scope.resolve(ContainerRegistrationKeys.QUERY).graph({
      entity: "cart",
      fields: ["shipping_address.country_code", "billing_address.country_code"],
      filters: { id: cartId },
    })
    const cart = data[0] as { shipping_address?: { country_code?: string | null } | null; billing_address?: { country_code?: string | null } | null } | undefined
    return (cart?.shipping_address?.country_code || cart?.billing_address?.country_code)?.toLowerCase() || undefined
  } catch {
    return undefined
  }
}

async function handle(req: MedusaRequest, res: MedusaResponse) {
  const gateway = resolvePluralGateway(req.scope)
  const urls = { success: gateway.options.storefront_success_url, failure: gateway.options.storefront_failure_url }
  const logger = req.scope.resolve("logger")

  const fields = CallbackFields.safeParse(returnedFields(req))
  if (!fields.success || !gateway.verifyCallback(fields.data)) {
    logger.warn("Plural callback with a missing or wrong signature: nothing changed")
    return res.redirect(303, storefrontUrl(urls.failure, {}, { code: "INVALID_SIGNATURE", reason: "We could not verify the payment response. If you were charged, your order will be confirmed by email." }))
  }

  try {
    const { order_id, status, payment_status } = fields.data
    const { result } = await settlePluralPaymentWorkflow(req.scope).run({
      input: { plural_order_id: order_id, observed_status: (status ?? payment_status)?.toUpperCase() },
    })
    return res.redirect(303, landingFor(urls, result, await countryOf(req.scope, urls, result.cart_id)))
  } catch (error) {
    logger.error(`Plural callback for order ${fields.data.order_id} could not be settled: ${(error as Error).message}`)
    // True whatever failed: the ledger gives every paid order an owner (an order, or the money back) on its own.
    return res.redirect(
      303,
      storefrontUrl(urls.failure, {}, { code: "NOT_CONFIRMED", reason: "We could not confirm the payment yet. If you were charged, you will receive your order confirmation or a full refund automatically." })
    )
  }
}

export const GET = handle
export const POST = handle
