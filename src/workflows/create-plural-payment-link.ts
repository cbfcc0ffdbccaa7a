/**
 * A Plural hosted checkout for what an order still owes. Medusa gives an order a payment collection of its own when
 * an order edit, exchange or claim leaves an amount to pay; this workflow opens a Plural session on that collection
 * through Medusa's own `createPaymentSessionsWorkflow`, so the provider writes the ledger row as for any checkout and
 * the payment settles through the same exactly-once path as a cart (captured on the order's collection).
 *
 * Asked again, it answers the same link while that link can still pay what the order owes: a second click, a second
 * instance or a retry never opens a second checkout for the same amount. A link the order has outgrown (another
 * edit changed the amount, or it expired) is replaced; Medusa deletes the old session, so should the shopper pay the
 * old link anyway, the ledger refunds it as an orphan.
 */
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { acquireLockStep, createPaymentSessionsWorkflow, releaseLockStep } from "@medusajs/medusa/core-flows"
import type { BigNumberInput, MedusaContainer } from "@medusajs/framework/types"
import { PLURAL_MODULE } from "../modules/plural"
import type { PluralModuleService } from "../modules/plural/service"
import { toMinorUnits } from "../utils/money"
import { PluralSessionData } from "../shared/session-data"
import { SESSION_STATUS_OF } from "../shared/statuses"
import { resolvePluralGateway } from "../utils/resolve-plural-gateway"
import { PLURAL_PROVIDER_ID } from "../shared/plural-provider"
import type { PluralPaymentLink } from "../shared/answers"
import { settlePluralPaymentWorkflow } from "./settle-plural-payment"

export const createPluralPaymentLinkWorkflowId = "create-plural-payment-link"

export type { PluralPaymentLink }

type Collection = {
  id: string
  status: string
  amount: BigNumberInput
  currency_code: string
  payment_sessions?: { id: string; provider_id: string; data: unknown }[]
}

/** Collections Medusa still waits to be paid, nothing authorized on them yet. */
const PAYABLE = new Set(["not_paid", "awaiting"])

async function outstanding(container: MedusaContainer, orderId: string): Promise<{ customer_id?: string; collection: Collection }> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "status",
      "customer_id",
      "payment_collections.id",
      "payment_collections.status",
      "payment_collections.amount",
      "payment_collections.currency_code",
      "payment_collections.payment_sessions.id",
      "payment_collections.payment_sessions.provider_id",
      "payment_collections.payment_sessions.data",
    ],
    filters: { id: orderId },
  })
  const order = data[0]
  if (!order) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order ${orderId} was not found`)
  if (order.status === "canceled") throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Order ${orderId} is canceled: there is nothing to collect`)
  const collection = ((order.payment_collections ?? []) as unknown as Collection[]).find((c) => c && PAYABLE.has(c.status))
  if (!collection || toMinorUnits(collection.amount, collection.currency_code) <= 0) {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      `Order ${orderId} owes nothing: it has no payment awaiting. Medusa asks for one when an order edit, exchange or claim leaves an amount to pay.`
    )
  }
  return { customer_id: order.customer_id ?? undefined, collection }
}

/** The collection's Plural session, if any, with its stored data (a session Plural never made an order for: none). */
function pluralSessionOf(collection: Collection) {
  for (const session of collection.payment_sessions ?? []) {
    if (session?.provider_id !== PLURAL_PROVIDER_ID) continue
    const data = PluralSessionData.safeParse(session.data)
    if (data.success && data.data.plural_order_id) return { id: session.id, data: data.data }
  }
  return undefined
}

type Prepared = { order_id: string; payment_collection_id: string; customer_id?: string; link?: PluralPaymentLink }

/**
 * The order's outstanding collection, and the link to answer again when the collection's Plural session can still
 * pay it. A session Plural already shows paid is settled first: it pays the order (or, stale, is refunded) and the
 * merchant learns that, instead of the shopper being asked to pay twice.
 */
const prepareLinkStep = createStep("prepare-plural-payment-link", async (input: { order_id: string }, { container }) => {
  const { customer_id, collection } = await outstanding(container, input.order_id)
  const prepared: Prepared = { order_id: input.order_id, payment_collection_id: collection.id, customer_id }
  const existing = pluralSessionOf(collection)
  if (!existing) return new StepResponse(prepared)

  const plural = await resolvePluralGateway(container).readOrder(existing.data.plural_order_id, 0)
  if (SESSION_STATUS_OF[plural.status] !== "pending") {
    // Paid, failed or cancelled: settled first, so that a paid link pays the order instead of being replaced.
    const { result } = await settlePluralPaymentWorkflow(container).run({ input: { plural_order_id: plural.order_id } })
    if (result.status === "completed" || result.status === "pending") {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `The shopper already paid the Plural link for order ${input.order_id} (Plural order ${plural.order_id}): it ${
          result.status === "completed" ? "is" : "is being"
        } recorded on the order. Reload the order to see it.`
      )
    }
    return new StepResponse(prepared)
  }

  const amount = toMinorUnits(collection.amount, collection.currency_code)
  const row = await container.resolve<PluralModuleService>(PLURAL_MODULE).findOrder({ plural_order_id: plural.order_id })
  const payable = row?.state === "open" && (!row.expires_at || new Date(row.expires_at) > new Date())
  if (!payable || existing.data.amount !== amount) return new StepResponse(prepared)
  return new StepResponse({ ...prepared, link: linkOf(input.order_id, collection.id, existing.id, existing.data, false) })
})

function linkOf(orderId: string, collectionId: string, sessionId: string, data: PluralSessionData, created: boolean): PluralPaymentLink {
  if (!data.redirect_url) {
    throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Plural gave no checkout page for order ${orderId}: try again`)
  }
  return {
    order_id: orderId,
    payment_collection_id: collectionId,
    session_id: sessionId,
    plural_order_id: data.plural_order_id,
    url: data.redirect_url,
    amount: data.amount,
    currency_code: data.currency_code,
    created,
  }
}

export const createPluralPaymentLinkWorkflow = createWorkflow(createPluralPaymentLinkWorkflowId, (input: { order_id: string }) => {
  // One link at a time per order, across instances: two clicks never open two checkouts for one amount.
  const key = transform({ input }, ({ input }) => `plural-payment-link:${input.order_id}`)
  acquireLockStep({ key, timeout: 30, ttl: 120 })
  const prepared = prepareLinkStep(input)
  const session = when("no-payable-plural-link", { prepared }, ({ prepared }) => !prepared.link).then(() =>
    createPaymentSessionsWorkflow.runAsStep({
      input: {
        payment_collection_id: prepared.payment_collection_id,
        provider_id: PLURAL_PROVIDER_ID,
        customer_id: prepared.customer_id,
        data: { flow: "hosted" },
      },
    })
  )
  const link = transform({ prepared, session }, ({ prepared, session }): PluralPaymentLink => {
    if (prepared.link) return prepared.link
    return linkOf(prepared.order_id, prepared.payment_collection_id, session!.id, PluralSessionData.parse(session!.data), true)
  })
  releaseLockStep({ key })
  return new WorkflowResponse(link)
})
