/**
 * What an order still owes, collected through Plural, and what the merchant owes back, refunded through Plural: on a
 * real Medusa and PostgreSQL against the sandbox. Every link ends with its money either on the order's payment
 * collection (the order owes nothing) or back with the shopper — checked on Plural's side through the sandbox's
 * control API and in the plugin's ledger.
 */
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { resolvePluralGateway } from "../../src/utils/resolve-plural-gateway"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control, eventually, pay, returnToStore, SUCCESS_URL } from "../helpers/sandbox"

jest.setTimeout(300_000)

/** The store's product costs ₹499.50. */
const ITEM_PAISE = 49950

pluralStoreTestRunner({
  retries: 1,
  testSuite: ({ api, getContainer, sandbox, store, paidOrder }) => {
    const admin = (method: "get" | "post" | "delete", url: string, body?: unknown) =>
      (method === "post"
        ? api.post(url, body ?? {}, { ...store.adminHeaders, validateStatus: () => true })
        : api[method](url, { ...store.adminHeaders, validateStatus: () => true })) as Promise<{ status: number; data: any }>
    const ok = async (method: "get" | "post", url: string, body?: unknown) => {
      const response = await admin(method, url, body)
      if (response.status >= 300) throw new Error(`${method.toUpperCase()} ${url}: ${response.status} ${JSON.stringify(response.data)}`)
      return response.data
    }
    const sql = async (text: string, values: unknown[] = []) =>
      (await (getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION) as any).raw(text, values)).rows
    const ledgerRow = async (pluralOrderId: string) => (await sql(`select * from plural_order where plural_order_id = ?`, [pluralOrderId]))[0]
    const atPlural = (pluralOrderId: string) => control(sandbox, "GET", `/orders/${pluralOrderId}`)
    const refundsAtPlural = async (pluralOrderId: string) =>
      (await control(sandbox, "GET", "/orders")).filter((o: any) => o.type === "REFUND" && o.parent_order_id === pluralOrderId && o.status !== "FAILED")

    /** What the order still owes (positive) or is owed back (negative), in paise, as Medusa's order summary says. */
    const owed = async (orderId: string): Promise<number> => {
      const { data } = await getContainer().resolve(ContainerRegistrationKeys.QUERY).graph({ entity: "order", fields: ["summary.*"], filters: { id: orderId } })
      return Math.round(Number((data[0] as any).summary.pending_difference) * 100)
    }
    const collectionsOf = async (orderId: string) => {
      const { data } = await getContainer().resolve(ContainerRegistrationKeys.QUERY).graph({
        entity: "order",
        fields: ["payment_collections.id", "payment_collections.status", "payment_collections.amount", "payment_collections.payments.*", "payment_collections.payments.captures.*"],
        filters: { id: orderId },
      })
      return (data[0] as any).payment_collections as any[]
    }

    const itemsOf = async (orderId: string) => {
      const { data } = await getContainer().resolve(ContainerRegistrationKeys.QUERY).graph({ entity: "order", fields: ["items.id", "items.quantity"], filters: { id: orderId } })
      return (data[0] as any).items as { id: string; quantity: number }[]
    }

    /** A shopper's order of `quantity` items, paid through Plural at checkout. */
    async function paidInFull(quantity = 1) {
      const { session, order } = await paidOrder({ quantity })
      expect(await owed(order.id)).toBe(0)
      return { orderId: order.id as string, paymentId: order.payment_collections[0].payments[0].id as string, pluralOrderId: session.data.plural_order_id as string }
    }

    /** An order edit, requested and confirmed as the admin does it; Medusa then asks for (or owes back) the difference. */
    async function edit(orderId: string, change: { add?: number; item?: { id: string; quantity: number } }) {
      await ok("post", `/admin/order-edits`, { order_id: orderId })
      if (change.add) await ok("post", `/admin/order-edits/${orderId}/items`, { items: [{ variant_id: store.inr.variant_id, quantity: change.add }] })
      if (change.item) await ok("post", `/admin/order-edits/${orderId}/items/item/${change.item.id}`, { quantity: change.item.quantity })
      await ok("post", `/admin/order-edits/${orderId}/request`)
      await ok("post", `/admin/order-edits/${orderId}/confirm`)
    }

    const link = (orderId: string) => admin("post", `/admin/plural/orders/${orderId}/payment-link`)

    it("an order edit that adds an item, paid through the Plural link: the order owes nothing, one capture, one link however often asked", async () => {
      const { orderId } = await paidInFull()
      await edit(orderId, { add: 1 })
      expect(await owed(orderId)).toBe(ITEM_PAISE)

      const first = await link(orderId)
      expect(first.status).toBe(201)
      const made = first.data.payment_link
      expect(made).toMatchObject({ order_id: orderId, amount: ITEM_PAISE, currency_code: "inr", created: true })
      expect(made.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3\/checkout-bff\/redirect\/checkout\?token=/)
      // Asked again (a second click, another instance): the same checkout, not a second one.
      const again = await Promise.all([link(orderId), link(orderId)])
      expect(again.map((r) => [r.status, r.data.payment_link.plural_order_id, r.data.payment_link.url])).toEqual([
        [200, made.plural_order_id, made.url],
        [200, made.plural_order_id, made.url],
      ])
      expect(await ledgerRow(made.plural_order_id)).toMatchObject({ state: "open", amount: ITEM_PAISE, session_id: made.session_id })
      expect(await atPlural(made.plural_order_id)).toMatchObject({ status: "CREATED", order_amount: { value: ITEM_PAISE, currency: "INR" } })

      // The shopper pays on Plural's page and comes back: the storefront's success page, told which order was paid.
      const paid = await pay(sandbox, made.plural_order_id, { send_webhook: true })
      const back = await returnToStore(api, paid.callback.fields)
      const landing = new URL(back.headers.location)
      expect(`${landing.origin}${landing.pathname}`).toBe(SUCCESS_URL)
      expect(landing.searchParams.get("order_id")).toBe(orderId)
      expect(landing.searchParams.get("payment_collection_id")).toBe(made.payment_collection_id)
      expect(landing.searchParams.get("cart_id")).toBeNull()

      expect(await owed(orderId)).toBe(0)
      expect(await atPlural(made.plural_order_id)).toMatchObject({ status: "PROCESSED", refunded_amount: 0 })
      expect(await ledgerRow(made.plural_order_id)).toMatchObject({ state: "owned", medusa_order_id: orderId, payment_collection_id: made.payment_collection_id })
      // The webhook and a sync settle it again: still one payment, one capture, nothing owed twice.
      await ok("post", `/admin/plural/orders/${orderId}/sync`)
      await eventually(async () => (await sql(`select status from plural_webhook_event where plural_order_id = ?`, [made.plural_order_id]))[0]?.status === "processed", "the webhook")
      const collection = (await collectionsOf(orderId)).find((c) => c.id === made.payment_collection_id)
      expect(collection.status).toBe("completed")
      expect(collection.payments).toHaveLength(1)
      expect(collection.payments[0].captures).toHaveLength(1)
      expect(await owed(orderId)).toBe(0)
      const captures = await sql(`select count(*)::int as n from order_transaction where order_id = ? and reference = 'capture' and deleted_at is null`, [orderId])
      expect(captures[0].n).toBe(2) // the checkout's and the link's

      // Nothing is owed any more: no new link.
      const none = await link(orderId)
      expect(none.status).toBe(400)
      expect(none.data.message).toMatch(/owes nothing/)
    })

    it("pre-auth: the link's authorisation is captured at Plural, once, so the order owes nothing", async () => {
      const { orderId } = await paidInFull()
      resolvePluralGateway(getContainer()).options.pre_auth = true
      await edit(orderId, { add: 1 })
      const made = (await link(orderId)).data.payment_link
      const paid = await pay(sandbox, made.plural_order_id, { send_webhook: false })
      expect(paid.order.status).toBe("AUTHORIZED")
      await returnToStore(api, paid.callback.fields)
      await ok("post", `/admin/plural/orders/${orderId}/sync`)

      const plural = await atPlural(made.plural_order_id)
      expect(plural.status).toBe("PROCESSED")
      expect(plural.payments[0].capture_data).toHaveLength(1)
      expect(await owed(orderId)).toBe(0)
    })

    it("two links paid for the same amount: the first pays the order, the second is refunded at Plural and in the ledger", async () => {
      const { orderId } = await paidInFull()
      await edit(orderId, { add: 1 })
      const first = (await link(orderId)).data.payment_link
      // The first link expired for the ledger (the shopper never opened it): the merchant sends a new one.
      await sql(`update plural_order set expires_at = now() - interval '1 minute' where plural_order_id = ?`, [first.plural_order_id])
      const second = (await link(orderId)).data.payment_link
      expect(second.plural_order_id).not.toBe(first.plural_order_id)
      expect(second.created).toBe(true)

      await pay(sandbox, second.plural_order_id, { send_webhook: true })
      await eventually(async () => (await owed(orderId)) === 0, "the second link to pay the order")
      // The shopper still had the first page open and pays it too.
      await pay(sandbox, first.plural_order_id, { send_webhook: true })
      await eventually(async () => (await ledgerRow(first.plural_order_id)).state === "refunded", "the first link to be refunded")

      expect(await atPlural(first.plural_order_id)).toMatchObject({ status: "FULLY_REFUNDED", refunded_amount: ITEM_PAISE })
      expect(await atPlural(second.plural_order_id)).toMatchObject({ status: "PROCESSED", refunded_amount: 0 })
      expect((await ledgerRow(first.plural_order_id)).reason).toMatch(/session was deleted/)
      expect(await owed(orderId)).toBe(0)
      // The job runs over it again: nothing more is refunded.
      await sql(`update plural_order set next_check_at = now() - interval '1 second' where plural_order_id = ?`, [first.plural_order_id])
      await ok("post", `/admin/plural/reconcile`)
      expect(await refundsAtPlural(first.plural_order_id)).toHaveLength(1)
    })

    it("a link paid after its edit was undone by another edit: refunded, and the order still owes nothing", async () => {
      const { orderId } = await paidInFull()
      const original = await itemsOf(orderId)
      await edit(orderId, { add: 1 })
      const made = (await link(orderId)).data.payment_link
      // The merchant takes the added item out again.
      const added = (await itemsOf(orderId)).find((item) => !original.some((o) => o.id === item.id))!
      await edit(orderId, { item: { id: added.id, quantity: 0 } })
      expect(await owed(orderId)).toBe(0)

      const paid = await pay(sandbox, made.plural_order_id, { send_webhook: false })
      const back = await returnToStore(api, paid.callback.fields)
      const landing = new URL(back.headers.location)
      expect(landing.searchParams.get("code")).toBe("REFUNDED")
      expect(landing.searchParams.get("reason")).toMatch(/refunded in full/)

      expect(await atPlural(made.plural_order_id)).toMatchObject({ status: "FULLY_REFUNDED", refunded_amount: ITEM_PAISE })
      expect(await ledgerRow(made.plural_order_id)).toMatchObject({ state: "refunded", reason: expect.stringMatching(/now owes INR 0\.00/) })
      expect(await owed(orderId)).toBe(0)
    })

    it("a link paid for a stale amount (the order changed again): refunded; a new link for what is owed now pays the order", async () => {
      const { orderId } = await paidInFull()
      await edit(orderId, { add: 1 })
      const stale = (await link(orderId)).data.payment_link
      await edit(orderId, { add: 1 })
      expect(await owed(orderId)).toBe(2 * ITEM_PAISE)

      await pay(sandbox, stale.plural_order_id, { send_webhook: true })
      await eventually(async () => (await ledgerRow(stale.plural_order_id)).state === "refunded", "the stale link to be refunded")
      expect(await atPlural(stale.plural_order_id)).toMatchObject({ status: "FULLY_REFUNDED", refunded_amount: ITEM_PAISE })
      expect((await ledgerRow(stale.plural_order_id)).reason).toMatch(/asks INR 499\.50 but order .* now owes INR 999\.00/)
      expect(await owed(orderId)).toBe(2 * ITEM_PAISE)

      const fresh = (await link(orderId)).data.payment_link
      expect(fresh).toMatchObject({ amount: 2 * ITEM_PAISE, created: true })
      await pay(sandbox, fresh.plural_order_id, { send_webhook: true })
      await eventually(async () => (await owed(orderId)) === 0, "the new link to pay the order")
      expect(await atPlural(fresh.plural_order_id)).toMatchObject({ status: "PROCESSED", refunded_amount: 0 })
    })

    /** What the order owes back (one item), refunded from the admin in two parts: each paid once at Plural. */
    async function refundOwedBackInTwoParts(order: { orderId: string; paymentId: string; pluralOrderId: string }) {
      expect(await owed(order.orderId)).toBe(-ITEM_PAISE)
      const refund = (amount: number) => admin("post", `/admin/payments/${order.paymentId}/refund`, { amount })

      // Part of it first.
      expect((await refund(200)).status).toBe(200)
      // Then the rest; Plural makes the refund but its answer is lost: read back by reference, paid once.
      await control(sandbox, "POST", "/faults", { route: "refund", kind: "status", status: 504, count: 5, after_commit: true })
      expect((await refund(299.5)).status).toBe(200)
      await control(sandbox, "DELETE", "/faults")

      const refunds = await refundsAtPlural(order.pluralOrderId)
      expect(refunds.map((r: any) => r.order_amount.value).sort((a: number, b: number) => a - b)).toEqual([20000, 29950])
      expect(await atPlural(order.pluralOrderId)).toMatchObject({ status: "PARTIALLY_REFUNDED", refunded_amount: ITEM_PAISE })
      const ledger = await sql(`select amount, status from plural_refund where plural_order_id = ? order by amount`, [order.pluralOrderId])
      expect(ledger).toEqual([
        { amount: 20000, status: "processed" },
        { amount: 29950, status: "processed" },
      ])
      expect(await owed(order.orderId)).toBe(0)
    }

    it("a refund owed back after an edit takes an item off: partial and repeated, each once at Plural even when its answer is lost", async () => {
      const order = await paidInFull(2)
      await edit(order.orderId, { item: { id: (await itemsOf(order.orderId))[0].id, quantity: 1 } })
      await refundOwedBackInTwoParts(order)
    })

    it("a refund owed back after a return: partial and repeated, each once at Plural even when its answer is lost", async () => {
      const order = await paidInFull(2)
      const [item] = await itemsOf(order.orderId)
      // Shipped, as a fulfillment provider would record it (a return needs fulfilled items).
      await getContainer().resolve(Modules.ORDER).registerFulfillment({ order_id: order.orderId, items: [{ id: item.id, quantity: 2 }] })
      const { return: created } = await ok("post", `/admin/returns`, { order_id: order.orderId })
      await ok("post", `/admin/returns/${created.id}/request-items`, { items: [{ id: item.id, quantity: 1 }] })
      await ok("post", `/admin/returns/${created.id}/request`)
      // The shopper sends it back; the merchant receives it.
      await ok("post", `/admin/returns/${created.id}/receive`)
      await ok("post", `/admin/returns/${created.id}/receive-items`, { items: [{ id: item.id, quantity: 1 }] })
      await ok("post", `/admin/returns/${created.id}/receive/confirm`)
      await refundOwedBackInTwoParts(order)
    })
  },
})
