/**
 * The cart a store pay-by-points route acts for: it exists, is not completed, is in rupees, and its region offers
 * Plural. Anything else is a 4xx that says why, before Plural or the plugin's tables are touched.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { resolvePluralGateway } from "../../../../utils/resolve-plural-gateway"
import { PLURAL_PROVIDER_ID } from "../../../../shared/plural-provider"

export type PayingCart = { id: string; customer_id: string | null; currency_code: string; total: number }

export async function payingCart(scope: MedusaContainer, cartId: string): Promise<PayingCart> {
  const query = scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "cart",
    fields: ["id", "customer_id", "currency_code", "total", "completed_at", "region.payment_providers.id"],
    filters: { id: cartId },
  })
  const cart = data[0]
  if (!cart) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart ${cartId} was not found`)
  if (cart.completed_at) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This cart is already an order")
  const providers = (cart.region?.payment_providers ?? []) as ({ id: string } | null)[]
  const offersPlural = providers.some((p) => p?.id === PLURAL_PROVIDER_ID)
  if (!offersPlural) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This cart's region does not offer Plural payments")
  if (cart.currency_code.toLowerCase() !== "inr") {
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "Pay by points is available for carts in Indian rupees (INR) only")
  }
  if (!resolvePluralGateway(scope).options.pay_by_points) {
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This store does not offer pay by points")
  }
  return { id: cart.id, customer_id: cart.customer_id ?? null, currency_code: cart.currency_code.toLowerCase(), total: Number(cart.total) }
}
