import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import type { PluralProviderService } from "../providers/plural/service"

/** The payment provider id the store registers Plural under (`id: "plural"` in medusa-config). */
export const PLURAL_PROVIDER_ID = "pp_plural_plural"

/**
 * The provider instance the payment module built, so routes, workflows and jobs share its options and its Plural
 * client (one token, one connection pool) instead of being configured twice. Providers live in the payment
 * module's own container, which Medusa exposes on the module service as `__container__`.
 */
export function resolvePluralProvider(container: MedusaContainer): PluralProviderService {
  const payment = container.resolve(Modules.PAYMENT) as unknown as { __container__?: Record<string, unknown> }
  try {
    const provider = payment.__container__?.[PLURAL_PROVIDER_ID]
    if (provider) return provider as PluralProviderService
  } catch {
    // awilix throws for an unregistered name; reported below.
  }
  throw new MedusaError(
    MedusaError.Types.NOT_FOUND,
    `The Plural payment provider is not registered. Add { resolve: "medusa-payment-plural/providers/plural", id: "plural", options } to the payment module's providers in medusa-config.`
  )
}
