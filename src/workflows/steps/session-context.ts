/** The Medusa side of a Plural order: its payment session, collection, cart and any order they already became. */
import type { BigNumberInput, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { LedgerOrder } from "../../modules/plural/types"
import { PLURAL_PROVIDER_ID } from "../../shared/plural-provider"
import type { PluralSessionData } from "../../shared/session-data"
import { toMinorUnits } from "../../utils/money"
import { parseSessionData } from "../../utils/session-data"

export type SessionContext = {
  session?: { id: string; status: string; amount: unknown; currency_code: string; data: PluralSessionData; payment?: { id: string; captured_at?: unknown } | null }
  payment_collection_id?: string
  cart_id?: string
  /** The Medusa order the cart (or the payment collection) already belongs to. */
  order_id?: string
  /**
   * Set when the collection's order has to be paid through it: the order's own collection (what it owes after an
   * edit, exchange or claim), or a cart's whose order was made but never got this session's payment (the process
   * died between Medusa creating the order and authorising the session).
   */
  collection?: OrderCollection
}

/** An order's own payment collection as it stands now; `amount` in minor units (paise). */
export type OrderCollection = { status: string; amount: number; order_status: string }

/** What the shopper's session shows after a payment that did not go through: the reason, and the session's status. */
export type SessionMark = { failure: { code: string; message: string }; status: "error" | "canceled" }

/**
 * Each lookup's filter depends on the one before (and which link table is asked depends on whether there is a cart),
 * so they run in one step rather than as query-graph steps, where an undefined filter would match every row.
 */
export async function loadSessionContext(container: MedusaContainer, row: LedgerOrder): Promise<SessionContext> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const [session] = await container
    .resolve(Modules.PAYMENT)
    .listPaymentSessions(
      { id: row.session_id },
      { relations: ["payment"], select: ["id", "status", "data", "amount", "currency_code", "provider_id", "payment_collection_id"] }
    )
  const collectionId = session?.payment_collection_id ?? row.payment_collection_id ?? undefined
  if (!collectionId) return {}
  const { data: carts } = await query.graph({ entity: "cart_payment_collection", fields: ["cart_id"], filters: { payment_collection_id: collectionId } })
  const cartId: string | undefined = carts[0]?.cart_id
  const { data: orders } = cartId
    ? await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
    : await query.graph({ entity: "order_payment_collection", fields: ["order_id"], filters: { payment_collection_id: collectionId } })
  const ours = session && session.provider_id === PLURAL_PROVIDER_ID && safeSessionData(session.data)
  const orderId: string | undefined = orders[0]?.order_id
  return {
    session: ours ? { ...session, data: ours } : undefined,
    payment_collection_id: collectionId,
    cart_id: cartId,
    order_id: orderId,
    collection: orderId && (!cartId || (ours && !session.payment)) ? await orderCollection(container, collectionId, orderId) : undefined,
  }
}

async function orderCollection(container: MedusaContainer, collectionId: string, orderId: string): Promise<OrderCollection> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const [{ data: collections }, { data: orders }] = await Promise.all([
    query.graph({ entity: "payment_collection", fields: ["status", "amount", "currency_code"], filters: { id: collectionId } }),
    query.graph({ entity: "order", fields: ["status"], filters: { id: orderId } }),
  ])
  const collection = collections[0]
  const order_status = orders[0]?.status ?? "canceled"
  if (!collection) return { status: "deleted", amount: 0, order_status }
  return { status: collection.status, amount: toMinorUnits(collection.amount as BigNumberInput, collection.currency_code), order_status }
}

/** A session whose data has no Plural order (the process died before storing it) is not this order's session. */
function safeSessionData(data: unknown): PluralSessionData | undefined {
  try {
    return parseSessionData(data)
  } catch {
    return undefined
  }
}

/** Shows the shopper's session why the payment did not go through, so the storefront can offer another try. */
export async function markSession(container: MedusaContainer, context: SessionContext, { failure, status }: SessionMark): Promise<void> {
  const session = context.session
  if (!session || (session.status === status && session.data.failure?.code === failure.code)) return
  await container.resolve(Modules.PAYMENT).updatePaymentSession({
    id: session.id,
    amount: session.amount as number,
    currency_code: session.currency_code,
    data: { ...session.data, failure },
    status,
  })
}
