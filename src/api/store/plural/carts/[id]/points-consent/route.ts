/**
 * The shopper's consent to pay with reward points, which Plural's agreements with the banks require before any
 * points are redeemed. GET: the text to show (the merchant's `points_consent` option) and the cart's latest consent.
 * POST `{text_version}`: the shopper agreed to that text; it is stored as evidence, and the answer's `id` goes into
 * the payment session's data (`points_consent_id`) so that hosted checkout offers POINTS.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { PLURAL_MODULE } from "../../../../../../modules/plural"
import type { PluralModuleService } from "../../../../../../modules/plural/service"
import type { PointsConsent } from "../../../../../../modules/plural/types"
import { resolvePluralGateway } from "../../../../../../utils/resolve-plural-gateway"
import { payingCart } from "../../paying-cart"

const ConsentRequest = z.object({ text_version: z.string().min(1).max(100) })

/** What a storefront sees of a stored consent. */
const consentView = (c: PointsConsent) => ({ id: c.id, text_version: c.text_version, consented_at: new Date(c.consented_at).toISOString() })

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const cart = await payingCart(req.scope, req.params.id)
  const { version, text } = resolvePluralGateway(req.scope).options.points_consent
  const ledger = req.scope.resolve<PluralModuleService>(PLURAL_MODULE)
  const { consents } = await ledger.listPointsConsents({ cart_id: cart.id }, { limit: 1, offset: 0 })
  res.json({ text_version: version, text, consent: consents[0] ? consentView(consents[0]) : null })
}

export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const body = ConsentRequest.safeParse(req.body ?? {})
  if (!body.success) throw new MedusaError(MedusaError.Types.INVALID_DATA, "text_version: must be the version of the consent text the shopper agreed to")
  const cart = await payingCart(req.scope, req.params.id)
  const { version, text } = resolvePluralGateway(req.scope).options.points_consent
  if (body.data.text_version !== version) {
    // Answered here: Medusa's error handler replaces a CONFLICT's message with a generic one.
    res.status(409).json({
      type: "conflict",
      message: `text_version: the consent text has changed (now ${version}). Show the shopper the current text (GET this route) and ask again.`,
    })
    return
  }
  const ledger = req.scope.resolve<PluralModuleService>(PLURAL_MODULE)
  const consent = await ledger.recordPointsConsent({ cart_id: cart.id, customer_id: cart.customer_id, text_version: version, text })
  res.status(201).json({ consent: consentView(consent) })
}
