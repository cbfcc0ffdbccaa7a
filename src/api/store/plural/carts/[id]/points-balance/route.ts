/**
 * The shopper checks what their card's reward points can pay for this cart, before paying. The card number is read
 * once, sent to Plural, and never stored or logged; the answer names the card by its last 4 digits only. Limited in
 * rate per cart and per client address, counted in PostgreSQL so that every instance shares the count.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { PLURAL_MODULE } from "../../../../../../modules/plural"
import type { PluralModuleService } from "../../../../../../modules/plural/service"
import { toMinorUnits } from "../../../../../../utils/money"
import { resolvePluralGateway } from "../../../../../../utils/resolve-plural-gateway"
import { pointsBalanceAnswer } from "../../../../../utils/points-balance-answer"
import { payingCart } from "../../paying-cart"
import type { StorePointsBalanceRequest } from "./validators"

export async function POST(req: MedusaRequest<StorePointsBalanceRequest>, res: MedusaResponse) {
  const cart = await payingCart(req.scope, req.params.id)
  const gateway = resolvePluralGateway(req.scope)
  const { per_cart, per_ip, window_seconds } = gateway.options.points_balance_rate_limit
  const ledger = req.scope.resolve<PluralModuleService>(PLURAL_MODULE)
  for (const [key, limit] of [[`points-balance:cart:${cart.id}`, per_cart], [`points-balance:ip:${req.ip ?? "unknown"}`, per_ip]] as const) {
    const taken = await ledger.takeRateLimit(key, limit, window_seconds)
    if (!taken.allowed) {
      res.setHeader("Retry-After", String(taken.retry_after_seconds))
      res.status(429).json({
        type: "too_many_requests",
        message: `Too many points balance checks. Try again in ${Math.ceil(taken.retry_after_seconds / 60)} minute(s), or pay without checking.`,
      })
      return
    }
  }

  const { card_number, registered_mobile_number } = req.validatedBody
  try {
    const balance = await gateway.checkPointsBalance({
      card_number,
      registered_mobile_number,
      amount: toMinorUnits(cart.total, cart.currency_code),
      currency_code: cart.currency_code,
    })
    res.json(pointsBalanceAnswer(card_number, balance))
  } catch (error) {
    // The gateway has logged Plural's answer for the merchant; the shopper reads only what they can act on. Plural
    // refuses (422) a card whose registered mobile number is not the one given.
    if (!(error instanceof MedusaError)) throw error
    if (error.type !== MedusaError.Types.NOT_ALLOWED) {
      res.status(503).json({ type: "unexpected_state", message: "We could not check your points right now. Try again in a minute, or pay without points." })
      return
    }
    res.status(400).json({
      type: "invalid_data",
      code: "POINTS_CARD_NOT_VERIFIED",
      message: "This card and mobile number could not be verified for reward points. Check the card number and the mobile number registered with your bank.",
    })
  }
}
