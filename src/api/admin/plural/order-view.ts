/** Plural's view of a Medusa order, for the admin widget: each Plural payment as Plural sees it right now. */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { parseSessionData } from "../../../utils/session-data"
import { resolvePluralGateway } from "../../../utils/resolve-plural-gateway"
import { PLURAL_PROVIDER_ID } from "../../../shared/plural-provider"
import type { PluralOrderView, PluralPaymentView } from "../../../shared/answers"
import { listExceptions } from "./exceptions"

type OrderPayment = {
  id: string
  provider_id: string
  payment_session_id?: string
  data: Record<string, unknown> | null
  captured_at: string | Date | null
  canceled_at: string | Date | null
}

export async function pluralPaymentsOfOrder(container: MedusaContainer, orderId: string): Promise<OrderPayment[]> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "payment_collections.payments.*"],
    filters: { id: orderId },
  })
  if (!data[0]) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order ${orderId} was not found`)
  const collections = (data[0].payment_collections ?? []) as unknown as { payments?: OrderPayment[] }[]
  return collections.flatMap((c) => c?.payments ?? []).filter((p) => p?.provider_id === PLURAL_PROVIDER_ID)
}

/** A time as the admin reads it: ISO, whether Medusa gave a Date or a string. */
const isoTime = (time: string | Date | null): string | null => (time ? new Date(time).toISOString() : null)

export async function pluralOrderView(container: MedusaContainer, orderId: string): Promise<PluralOrderView> {
  const gateway = resolvePluralGateway(container)
  const payments = await pluralPaymentsOfOrder(container, orderId)
  const pluralOrderIds = payments.map((p) => parseSessionData(p.data).plural_order_id)
  const { exceptions } = await listExceptions(container, { plural_order_ids: pluralOrderIds, limit: 100 })
  return {
    order_id: orderId,
    exceptions,
    payments: await Promise.all(
      payments.map(async (payment): Promise<PluralPaymentView> => {
        const data = parseSessionData(payment.data)
        const plural = await gateway.readOrder(data.plural_order_id, 0)
        const latest = plural.payments.at(-1)
        const card = latest?.payment_option?.card_data
        // Only an open authorisation can be captured or released.
        const authorisationOpen = plural.status === "AUTHORIZED" && !payment.captured_at && !payment.canceled_at
        return {
          payment_id: payment.id,
          session_id: data.session_id,
          flow: data.flow,
          pre_auth: data.pre_auth,
          captured_at: isoTime(payment.captured_at),
          canceled_at: isoTime(payment.canceled_at),
          points_consent_at: data.points_consent_at ?? null,
          plural: {
            order_id: plural.order_id,
            merchant_order_reference: plural.merchant_order_reference,
            status: plural.status,
            amount: plural.order_amount,
            payment_method: latest?.payment_method ?? null,
            card: card ? { network: card.network_name ?? null, type: card.card_type ?? null, last4: card.last4_digit ?? null } : null,
            rrn: latest?.acquirer_data?.rrn || null,
            captures: latest?.capture_data ?? [],
            refunds: data.refunds ?? [],
            error: latest?.error_detail ?? null,
          },
          can_capture: authorisationOpen,
          can_cancel: authorisationOpen,
        }
      })
    ),
  }
}
