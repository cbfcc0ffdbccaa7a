import type { MedusaContainer, PaymentSessionDTO } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { capturePaymentWorkflow, completeCartWorkflow } from "@medusajs/medusa/core-flows"
import { PAID_STATUSES, SESSION_STATUS_OF } from "../../providers/plural/utils/status"
import { parseSessionData, type PluralSessionData } from "../../providers/plural/utils/session-data"
import { PLURAL_PROVIDER_ID, resolvePluralProvider } from "../../utils/resolve-plural-provider"

export type SettlementResult =
  | { status: "completed"; cart_id?: string; order_id?: string }
  | { status: "pending"; cart_id?: string; last_attempt?: { reason: string; code: string } }
  | { status: "failed"; cart_id?: string; reason: string; code: string }

/**
 * Brings Medusa in line with what Plural says about a session's order: paid → the cart becomes an order (and a
 * processed payment is captured), failed → the session is marked so the shopper can retry, else → pending.
 * Idempotent; the calling workflow holds a lock on the session so concurrent callers run one after the other.
 */
export const settlePluralSessionStep = createStep(
  "settle-plural-session",
  async ({ session_id }: { session_id: string }, { container }) => {
    return new StepResponse(await settle(container, session_id))
  }
)

async function settle(container: MedusaContainer, sessionId: string): Promise<SettlementResult> {
  const paymentModule = container.resolve(Modules.PAYMENT)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)

  const [session] = await paymentModule.listPaymentSessions(
    { id: sessionId },
    { relations: ["payment"], select: ["id", "status", "data", "amount", "currency_code", "provider_id", "payment_collection_id"] }
  )
  if (!session || session.provider_id !== PLURAL_PROVIDER_ID) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `No Plural payment session ${sessionId}`)
  }
  const data = parseSessionData(session.data)
  const { data: links } = await query.graph({
    entity: "cart_payment_collection",
    fields: ["cart_id"],
    filters: { payment_collection_id: session.payment_collection_id },
  })
  const cartId: string | undefined = links[0]?.cart_id
  const existingOrderId = cartId ? await orderOfCart(container, cartId) : undefined

  const provider = resolvePluralProvider(container)
  const plural = await provider.readOrder(data.plural_order_id)

  if (existingOrderId) {
    await captureIfPluralProcessed(container, session, plural.status)
    return { status: "completed", cart_id: cartId, order_id: existingOrderId }
  }

  if (!PAID_STATUSES.has(plural.status)) {
    const status = SESSION_STATUS_OF[plural.status]
    const detail = plural.payments.at(-1)?.error_detail
    if (status === "pending") {
      // ATTEMPTED: this try failed, but the order can still be paid.
      const last_attempt = detail?.code ? { code: detail.code, reason: detail.message ?? detail.code } : undefined
      return { status: "pending", cart_id: cartId, last_attempt }
    }
    const failure = { code: detail?.code ?? plural.status, message: detail?.message ?? `The payment was ${plural.status.toLowerCase()}` }
    await markSession(container, session, data, { ...data, plural_status: plural.status, failure }, status === "canceled" ? "canceled" : "error")
    return { status: "failed", cart_id: cartId, reason: failure.message, code: failure.code }
  }

  if (!cartId) {
    // A payment collection without a cart (e.g. an order edit): authorizing the session is all there is to do.
    await paymentModule.authorizePaymentSession(session.id, {})
    return { status: "completed" }
  }

  try {
    const { result } = await completeCartWorkflow(container).run({ input: { id: cartId } })
    return { status: "completed", cart_id: cartId, order_id: result.id }
  } catch (error) {
    const [fresh] = await paymentModule.listPaymentSessions({ id: session.id }, { select: ["status", "data"] })
    const failure = (fresh?.data as Partial<PluralSessionData> | undefined)?.failure
    const message = (error as Error).message
    logger.error(
      `Plural order ${plural.order_id} is ${plural.status} but cart ${cartId} could not be completed: ${message}. ` +
        `The shopper has paid: complete the cart or refund the payment from Plural's dashboard.`
    )
    return { status: "failed", cart_id: cartId, reason: failure?.message ?? message, code: failure?.code ?? "CART_NOT_COMPLETED" }
  }
}

async function orderOfCart(container: MedusaContainer, cartId: string): Promise<string | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data[0]?.order_id
}

/** Captured at Plural (auto-capture, or from Plural's dashboard) but not yet in Medusa: record the capture. */
async function captureIfPluralProcessed(
  container: MedusaContainer,
  session: PaymentSessionDTO,
  pluralStatus: keyof typeof SESSION_STATUS_OF
): Promise<void> {
  const payment = session.payment
  if (!payment || payment.captured_at || SESSION_STATUS_OF[pluralStatus] !== "captured") return
  await capturePaymentWorkflow(container).run({ input: { payment_id: payment.id } })
}

async function markSession(
  container: MedusaContainer,
  session: PaymentSessionDTO,
  current: PluralSessionData,
  data: PluralSessionData,
  status: "error" | "canceled"
): Promise<void> {
  if (session.status === status && current.failure) return
  await container.resolve(Modules.PAYMENT).updatePaymentSession({
    id: session.id,
    amount: session.amount,
    currency_code: session.currency_code,
    data,
    status,
  })
}
