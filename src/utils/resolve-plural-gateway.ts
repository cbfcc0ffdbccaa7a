import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import type { PluralGateway } from "../providers/plural/gateway"
import type { PluralProviderService } from "../providers/plural/service"
import { PLURAL_PROVIDER_ID } from "../shared/plural-provider"

/**
 * The gateway of the provider the payment module built, so routes, workflows and jobs share its options and its
 * Plural client (one token, one connection pool) instead of being configured twice. Providers live in the payment
 * module's own container, which Medusa exposes on the module service as `__container__`.
 */
export function resolvePluralGateway(container: MedusaContainer): PluralGateway {
  const payment = container.resolve(Modules.PAYMENT) as unknown as { __container__?: Record<string, unknown> }
  try {
    const provider = payment.__container__?.[PLURAL_PROVIDER_ID] as PluralProviderService | undefined
    if (provider) return provider.gateway
  } catch {
    // awilix throws for an unregistered name; reported below.
  }
  throw new MedusaError(
    MedusaError.Types.NOT_FOUND,
    `The Plural payment provider is not registered. Add { resolve: "medusa-payment-plural/providers/plural", id: "plural", options } to the payment module's providers in medusa-config.`
  )
}
