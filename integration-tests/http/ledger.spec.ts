/**
 * Every rupee has an owner: the merchant's worst days, on a real Medusa and PostgreSQL against the sandbox, each
 * ending with the money either held by a Medusa order or back with the shopper — checked on Plural's side through
 * the sandbox's control API, not only in Medusa.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  createInventoryItemsWorkflow,
  createInventoryLevelsWorkflow,
  createStockLocationsWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
} from "@medusajs/medusa/core-flows"
import { resolvePluralGateway } from "../../src/utils/resolve-plural-gateway"
import { reconcilePluralPaymentsWorkflow } from "../../src/workflows/reconcile-plural-payments"
import { settlePluralPaymentWorkflow } from "../../src/workflows/settle-plural-payment"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control, eventually, pay, returnToStore } from "../helpers/sandbox"
import { cartWithPluralSession, countOrdersOfCart, createProduct, orderOfCart, startPluralSession, type Store } from "../helpers/store"

jest.setTimeout(300_000)

/** A product with one unit in stock at a location of the store's sales channel (no shipping needed). */
async function stockedVariant(container: MedusaContainer, store: Store) {
  const { result: [location] } = await createStockLocationsWorkflow(container).run({ input: { locations: [{ name: "Bengaluru" }] } })
  await linkSalesChannelsToStockLocationWorkflow(container).run({ input: { id: location.id, add: [store.sales_channel_id] } })
  const { result: [item] } = await createInventoryItemsWorkflow(container).run({
    input: { items: [{ sku: `KETTLE-${Date.now()}`, requires_shipping: false, title: "Kettle" }] },
  })
  await createInventoryLevelsWorkflow(container).run({
    input: { inventory_levels: [{ inventory_item_id: item.id, location_id: location.id, stocked_quantity: 1 }] },
  })
  const variant_id = await createProduct(container, {
    title: "Kettle",
    sales_channel_id: store.sales_channel_id,
    variant: { manage_inventory: true, inventory_items: [{ inventory_item_id: item.id, required_quantity: 1 }], prices: [{ amount: 1250, currency_code: "inr" }] },
  })
  const setStock = (stocked_quantity: number) =>
    container.resolve(Modules.INVENTORY).updateInventoryLevels([{ inventory_item_id: item.id, location_id: location.id, stocked_quantity }])
  return { variant_id, setStock }
}

pluralStoreTestRunner({
  retries: 1,
  testSuite: ({ api, getContainer, sandbox, store, paidOrder }) => {
    const pluralOrder = (id: string) => control(sandbox, "GET", `/orders/${id}`)
    const refundsAtPlural = async (orderId: string) =>
      (await control(sandbox, "GET", "/orders")).filter((o: any) => o.type === "REFUND" && o.parent_order_id === orderId && o.status !== "FAILED")
    const ledgerRow = async (pluralOrderId: string) => {
      const [row] = await sql(`select * from plural_order where plural_order_id = ?`, [pluralOrderId])
      return row
    }
    const sql = async (text: string, values: unknown[] = []) =>
      (await (getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION) as any).raw(text, values)).rows
    const reconcile = async () => (await reconcilePluralPaymentsWorkflow(getContainer()).run({ input: {} })).result
    const settle = (cartId: string) => api.post(`/store/plural/carts/${cartId}/settle`, {}, store.storeHeaders).then((r: { data: any }) => r.data)

    it("case 1 — paid, sold out, refunded in Plural's dashboard, stock back: never a free order", async () => {
      const kettle = await stockedVariant(getContainer(), store)
      const { cart, session } = await cartWithPluralSession(api, store, { variant_id: kettle.variant_id, quantity: 1 })
      await kettle.setStock(0) // the last unit sold meanwhile
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })

      const back = await returnToStore(api, paid.callback.fields)
      // Truthful: paid, order not made yet — the shopper waits instead of paying again.
      expect(new URL(back.headers.location).searchParams.get("status")).toBe("pending")
      expect(await ledgerRow(session.data.plural_order_id)).toMatchObject({ state: "paid", plural_status: "PROCESSED" })

      await control(sandbox, "POST", `/orders/${session.data.plural_order_id}/refund`, {})
      await eventually(async () => (await ledgerRow(session.data.plural_order_id)).state === "refunded", "the dashboard refund to reach the ledger")
      await kettle.setStock(5)
      await sql(`update plural_order set next_check_at = now() - interval '1 second' where plural_order_id = ?`, [session.data.plural_order_id])
      await reconcile()
      const settled = await settle(cart.id)

      expect(settled).toMatchObject({ status: "refunded" })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("FULLY_REFUNDED")
      expect(await refundsAtPlural(session.data.plural_order_id)).toHaveLength(1)
    })

    it("case 4 — paid, the cart cannot complete: retried, then refunded automatically after the deadline", async () => {
      const kettle = await stockedVariant(getContainer(), store)
      const { cart, session } = await cartWithPluralSession(api, store, { variant_id: kettle.variant_id, quantity: 1 })
      await kettle.setStock(0)
      await pay(sandbox, session.data.plural_order_id, { send_webhook: true })
      await eventually(async () => (await ledgerRow(session.data.plural_order_id))?.state === "paid", "the webhook to find the cart cannot complete")
      expect(await settle(cart.id)).toMatchObject({ status: "pending", paid: true })
      const { data: open } = await api.get(`/admin/plural/exceptions?kind=paid_without_order`, store.adminHeaders)
      expect(open.exceptions).toEqual([
        expect.objectContaining({ plural_order_id: session.data.plural_order_id, amount: 125000, cart_id: cart.id, action: expect.stringMatching(/refunds automatically/) }),
      ])

      // Still within complete_paid_within_minutes: a retry that succeeds once stock is back would keep the sale;
      // here the stock never returns and the deadline passes.
      await sql(`update plural_order set paid_at = now() - interval '31 minutes', next_check_at = now() - interval '1 second' where plural_order_id = ?`, [
        session.data.plural_order_id,
      ])
      const summary = await reconcile()
      expect(summary).toMatchObject({ refunded: 1 })

      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("FULLY_REFUNDED")
      const refunds = await refundsAtPlural(session.data.plural_order_id)
      expect(refunds.map((r: any) => [r.merchant_order_reference, r.order_amount.value])).toEqual([[`${session.id}-back`, 125000]])
      const settled = await settle(cart.id)
      expect(settled).toMatchObject({ status: "refunded", code: "REFUNDED" })
      expect(settled.reason).not.toMatch(/inventory|stock|cart|error/i)
      // The job runs again: nothing more is refunded.
      await sql(`update plural_order set next_check_at = now() - interval '1 second' where plural_order_id = ?`, [session.data.plural_order_id])
      await reconcile()
      expect(await refundsAtPlural(session.data.plural_order_id)).toHaveLength(1)
      // The shopper can start again.
      const retry = await startPluralSession(api, store, cart.id)
      expect(retry.data.plural_order_id).not.toBe(session.data.plural_order_id)
    })

    it("case 4, pre-auth — the authorisation is released instead", async () => {
      resolvePluralGateway(getContainer()).options.pre_auth = true
      const kettle = await stockedVariant(getContainer(), store)
      const { cart, session } = await cartWithPluralSession(api, store, { variant_id: kettle.variant_id, quantity: 1 })
      await kettle.setStock(0)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      await returnToStore(api, paid.callback.fields)
      await sql(`update plural_order set paid_at = now() - interval '31 minutes', next_check_at = now() - interval '1 second' where plural_order_id = ?`, [
        session.data.plural_order_id,
      ])
      expect(await reconcile()).toMatchObject({ released: 1 })
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("CANCELLED")
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
    })

    it("a capture Plural made whose mirroring in Medusa failed is mirrored later: by a redelivered webhook and by the job", async () => {
      resolvePluralGateway(getContainer()).options.pre_auth = true
      // Plural's own webhooks would mirror the capture concurrently; this test plays their redelivery itself.
      await control(sandbox, "POST", "/webhook-faults", { mode: "drop" })
      const gateway = resolvePluralGateway(getContainer())
      const payments = getContainer().resolve(Modules.PAYMENT)
      const capturedAt = async (sessionId: string) =>
        (await payments.listPayments({ payment_session_id: sessionId }, { select: ["captured_at"] }))[0]?.captured_at ?? null
      /** A settlement as a redelivered webhook runs it; its outcome as a value, so a failed expectation shows it. */
      const settleOutcome = (plural_order_id: string, observed_status: string) =>
        settlePluralPaymentWorkflow(getContainer()).run({ input: { plural_order_id, observed_status } }).then(
          ({ result }) => ({ result }),
          (error: Error) => ({ error: error.message })
        )
      /** A pre-authorised checkout, then captured at Plural (its dashboard, or an admin capture whose answer was lost). */
      const capturedAtPluralOnly = async () => {
        const { cart, session } = await cartWithPluralSession(api, store, { quantity: 1 })
        const orderId = session.data.plural_order_id
        await returnToStore(api, (await pay(sandbox, orderId, { send_webhook: false })).callback.fields)
        expect(await ledgerRow(orderId)).toMatchObject({ state: "owned", plural_status: "AUTHORIZED" })
        await gateway.client.captureOrder(orderId, { merchant_capture_reference: `dashboard-${orderId}` })
        expect((await pluralOrder(orderId)).status).toBe("PROCESSED")
        return { cart, session, orderId }
      }
      /** Medusa's capture of this payment fails: another transaction holds its row past Medusa's 3 s lock timeout. */
      const withPaymentRowLocked = async (sessionId: string, action: () => Promise<unknown>) => {
        const knex = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION) as any
        const trx = await knex.transaction()
        try {
          await trx.raw(`select id from payment where payment_session_id = ? for update`, [sessionId])
          return await action()
        } finally {
          await trx.commit()
        }
      }

      const first = await capturedAtPluralOnly()
      expect(await withPaymentRowLocked(first.session.id, () => settleOutcome(first.orderId, "PROCESSED"))).toEqual({ error: expect.any(String) })
      const afterFailure = await ledgerRow(first.orderId)
      expect(afterFailure).toMatchObject({ state: "owned", plural_status: "PROCESSED" })
      expect(afterFailure.last_error).toContain("capture not mirrored")
      expect(afterFailure.next_check_at).not.toBeNull()
      expect(await capturedAt(first.session.id)).toBeNull()

      // The webhook's redelivery at the same status is not taken as settled: it mirrors the capture.
      const order = await orderOfCart(getContainer(), first.cart.id)
      expect(await settleOutcome(first.orderId, "PROCESSED")).toEqual({ result: expect.objectContaining({ status: "completed", order_id: order.id }) })
      expect(await capturedAt(first.session.id)).not.toBeNull()
      expect(await ledgerRow(first.orderId)).toMatchObject({ state: "owned", plural_status: "PROCESSED", last_error: null, next_check_at: null })

      // No webhook at all: the job finds the row due and mirrors it.
      const second = await capturedAtPluralOnly()
      expect(await withPaymentRowLocked(second.session.id, () => settleOutcome(second.orderId, "PROCESSED"))).toEqual({ error: expect.any(String) })
      expect(await capturedAt(second.session.id)).toBeNull()
      await sql(`update plural_order set next_check_at = now() - interval '1 second' where plural_order_id = ?`, [second.orderId])
      await reconcile()
      expect(await capturedAt(second.session.id)).not.toBeNull()
      expect((await pluralOrder(second.orderId)).status).toBe("PROCESSED")
      expect(await ledgerRow(second.orderId)).toMatchObject({ state: "owned", last_error: null })
      await control(sandbox, "DELETE", "/webhook-faults")
    })

    it("case 3 — the cart changed in another tab after the Plural order was made: the old order, paid, is refunded", async () => {
      const { cart, session } = await cartWithPluralSession(api, store, { quantity: 1 })
      // Tab B: one more item, and a new payment session for the new total (Medusa deletes the old one).
      await api.post(`/store/carts/${cart.id}/line-items`, { variant_id: store.inr.variant_id, quantity: 1 }, store.storeHeaders)
      const replacement = await startPluralSession(api, store, cart.id)
      expect(replacement.data.amount).toBe(99900)
      // Tab A: the old hosted page is still payable, and the shopper pays it.
      await pay(sandbox, session.data.plural_order_id, { send_webhook: true })

      await eventually(async () => (await ledgerRow(session.data.plural_order_id)).state === "refunded", "the orphan to be refunded")
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("FULLY_REFUNDED")
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
      // The current checkout is untouched and still pays for the cart.
      await pay(sandbox, replacement.data.plural_order_id, { send_webhook: true })
      await eventually(() => orderOfCart(getContainer(), cart.id), "the current payment to make the order")
      expect((await pluralOrder(replacement.data.plural_order_id)).status).toBe("PROCESSED")
      expect(await refundsAtPlural(replacement.data.plural_order_id)).toHaveLength(0)
    })

    it("case 2 — a refund whose answer is lost is read back; an admin retry under a new id never pays twice", async () => {
      const { cart, session, order } = await paidOrder()
      const paymentId = order.payment_collections[0].payments[0].id
      const refund = (amount: number) => api.post(`/admin/payments/${paymentId}/refund`, { amount }, { ...store.adminHeaders, validateStatus: () => true })

      // Plural commits, the answer is lost; the read-back by reference finds it: success, once.
      await control(sandbox, "POST", "/faults", { route: "refund", kind: "status", status: 504, count: 5, after_commit: true })
      expect((await refund(100)).status).toBe(200)
      await control(sandbox, "DELETE", "/faults")
      expect(await refundsAtPlural(session.data.plural_order_id)).toHaveLength(1)

      // Plural commits, and Plural cannot be asked either: the merchant is told the truth, and the retry (a new
      // Medusa refund id) is matched to the refund Plural made instead of paying again.
      await control(sandbox, "POST", "/faults", { route: "refund", kind: "status", status: 504, count: 5, after_commit: true })
      await control(sandbox, "POST", "/faults", { route: "get_order_by_reference", kind: "status", status: 503, count: 10 })
      const lost = await refund(50)
      expect(lost.status).toBeGreaterThanOrEqual(500)
      expect(lost.data.message).toMatch(/cannot tell yet whether the refund of INR 50.00 was made.*never refunds twice/)
      await control(sandbox, "DELETE", "/faults")
      expect((await refund(50)).status).toBe(200)

      expect((await refundsAtPlural(session.data.plural_order_id)).map((r: any) => r.order_amount.value).sort((a: number, b: number) => a - b)).toEqual([5000, 10000])
      const after = await orderOfCart(getContainer(), cart.id)
      expect(after.payment_collections[0].payments[0].refunds.map((r: any) => Number(r.amount)).sort((a: number, b: number) => a - b)).toEqual([50, 100])
    })

    it("a refund made in Plural's dashboard appears on the Medusa order, once, with no second refund at Plural", async () => {
      const { cart, session } = await paidOrder()
      await control(sandbox, "POST", `/orders/${session.data.plural_order_id}/refund`, { amount: 20000 })
      const recorded = await eventually(async () => {
        const order = await orderOfCart(getContainer(), cart.id)
        return order.payment_collections[0].payments[0].refunds.length === 1 && order
      }, "the dashboard refund on the Medusa order")
      expect(Number(recorded.payment_collections[0].payments[0].refunds[0].amount)).toBe(200)
      // A redelivery and a job run change nothing.
      const deliveries = (await control(sandbox, "GET", "/webhooks")).filter((d: any) => d.event_type === "REFUND_PROCESSED")
      await control(sandbox, "POST", `/webhooks/${deliveries[0].webhook_id}/redeliver`)
      await reconcile()
      const again = await orderOfCart(getContainer(), cart.id)
      expect(again.payment_collections[0].payments[0].refunds).toHaveLength(1)
      expect(await refundsAtPlural(session.data.plural_order_id)).toHaveLength(1)
    })

    it("a failed refund at Plural is visible to the merchant, with what to do", async () => {
      const { order } = await paidOrder()
      await control(sandbox, "POST", "/refund-outcome", { outcome: "failed", count: 1 })
      const failed = await api.post(`/admin/payments/${order.payment_collections[0].payments[0].id}/refund`, { amount: 100 }, { ...store.adminHeaders, validateStatus: () => true })
      expect(failed.status).toBeGreaterThanOrEqual(400)
      expect(failed.data.message).toMatch(/FAILED.*Nothing was paid out/)
      const { data } = await api.get(`/admin/plural/exceptions?kind=refund_failed`, store.adminHeaders)
      expect(data.exceptions).toEqual([expect.objectContaining({ kind: "refund_failed", amount: 10000, action: expect.stringMatching(/another way/) })])
    })

    it("a webhook failing four times is processed by the plugin's own retry", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      await control(sandbox, "POST", "/faults", { route: "get_order", kind: "status", status: 503 })
      await pay(sandbox, session.data.plural_order_id, { send_webhook: true })
      const event = async () => (await sql(`select * from plural_webhook_event where plural_order_id = ?`, [session.data.plural_order_id]))[0]
      // Acknowledged at once; processing fails while Plural's API is down, and the plugin retries on its schedule.
      await eventually(async () => (await event())?.status === "failed", "the first failure")
      for (let attempt = 2; attempt <= 4; attempt++) {
        expect((await event()).next_attempt_at).toBeTruthy()
        await sql(`update plural_webhook_event set next_attempt_at = now() - interval '1 second' where plural_order_id = ?`, [session.data.plural_order_id])
        expect(await reconcile()).toMatchObject({ webhooks_retried: 1 })
      }
      expect(await event()).toMatchObject({ status: "failed", attempts: 4 })
      const { data } = await api.get(`/admin/plural/exceptions?kind=webhook_failing`, store.adminHeaders)
      expect(data.exceptions).toEqual([expect.objectContaining({ reason: expect.stringMatching(/ORDER_PROCESSED failed 4 time/) })])

      await control(sandbox, "DELETE", "/faults")
      await sql(`update plural_webhook_event set next_attempt_at = now() - interval '1 second' where plural_order_id = ?`, [session.data.plural_order_id])
      expect(await reconcile()).toMatchObject({ webhooks_retried: 1 })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
      expect(await event()).toMatchObject({ status: "processed", attempts: 5 })
    })

    it("an event stored and acknowledged but never processed (the process died) is processed by the job", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      await sql(
        `insert into plural_webhook_event (id, webhook_id, event_type, plural_order_id, status, attempts, payload, created_at, updated_at)
         values ('plwh_orphan', 'msg_orphan', 'ORDER_PROCESSED', ?, 'received', 0, ?::jsonb, now() - interval '2 minutes', now() - interval '2 minutes')`,
        [paid.order.order_id, JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })]
      )
      expect(await reconcile()).toMatchObject({ webhooks_retried: 1 })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
    })

    it("the inbox heals itself: an event a dead instance left half-done is taken over; old processed rows are pruned", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const event = { event_type: "ORDER_PROCESSED", data: paid.order }
      // An instance claimed this delivery, answered nothing and died three minutes ago.
      await sql(
        `insert into plural_webhook_event (id, webhook_id, event_type, plural_order_id, status, attempts, payload, created_at, updated_at)
         values ('plwh_dead', 'msg_dead', 'ORDER_PROCESSED', ?, 'processing', 1, ?::jsonb, now() - interval '3 minutes', now() - interval '3 minutes')`,
        [paid.order.order_id, JSON.stringify(event)]
      )
      await sql(
        `insert into plural_webhook_event (id, webhook_id, event_type, status, attempts, processed_at, created_at, updated_at)
         values ('plwh_old', 'msg_old', 'ORDER_PROCESSED', 'processed', 1, now() - interval '40 days', now() - interval '40 days', now() - interval '40 days')`
      )
      // Several instances run the job at once: one of them works, the others step aside.
      const runs = await Promise.all([reconcile(), reconcile()])
      expect(runs.filter((r) => r.skipped)).toHaveLength(1)
      expect(runs.find((r) => !r.skipped)).toMatchObject({ webhooks_retried: 1 })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
      const rows = await sql(`select webhook_id, status, attempts from plural_webhook_event where webhook_id in ('msg_dead', 'msg_old')`)
      expect(rows).toEqual([{ webhook_id: "msg_dead", status: "processed", attempts: 2 }])
    })

    it("POST /admin/plural/reconcile runs the job now and answers its summary", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      await sql(`update plural_order set next_check_at = now() - interval '1 second' where plural_order_id = ?`, [session.data.plural_order_id])
      const { data } = await api.post(`/admin/plural/reconcile`, {}, store.adminHeaders)
      expect(data.summary).toMatchObject({ checked: 1, completed: 1, errors: 0 })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
      const refused = await api.get(`/admin/plural/exceptions?kind=nonsense`, { ...store.adminHeaders, validateStatus: () => true })
      expect(refused.status).toBe(400)
      expect(refused.data.message).toMatch(/^kind:/)
    })

    it("500 abandoned checkouts and one paid with its webhook lost: settled in one job run", async () => {
      const gateway = resolvePluralGateway(getContainer())
      // Abandoned checkouts as the ledger holds them: unpaid Plural orders, all due for a check now.
      for (let i = 0; i < 500; i++) {
        const reference = `payses_abandoned_${i}`
        const checkout = await gateway.client.createHostedCheckout({
          merchant_order_reference: reference,
          order_amount: { value: 10000, currency: "INR" },
          callback_url: "http://localhost:9000/hooks/plural/callback",
        })
        await sql(
          `insert into plural_order (id, merchant_order_reference, plural_order_id, session_id, amount, currency_code, flow, state, next_check_at, expires_at)
           values (?, ?, ?, ?, 10000, 'inr', 'hosted', 'open', now() - interval '1 hour', now() + interval '1 day')`,
          [`plord_abandoned_${i}`, reference, checkout.order_id, reference]
        )
      }
      const { cart, session } = await cartWithPluralSession(api, store)
      await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      await sql(`update plural_order set next_check_at = now() where plural_order_id = ?`, [session.data.plural_order_id])

      const summary = await reconcile()
      expect(summary).toMatchObject({ checked: 501, completed: 1, pending: 500, errors: 0 })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
      // Abandoned ones are not due again on the next run: a backoff, not every run.
      expect(await reconcile()).toMatchObject({ checked: 0 })
    })

    it("a crash between creating the Plural order and storing the session still ends with an owner", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      // As if the process died after Plural made the order and before anything was stored: the ledger has only
      // the reference, and the session no Plural order.
      await sql(`update plural_order set state = 'creating', plural_order_id = null, next_check_at = now() - interval '1 second' where merchant_order_reference = ?`, [session.id])
      await sql(`update payment_session set data = '{"flow":"hosted"}'::jsonb where id = ?`, [session.id])
      // The worst case: Plural's page was reached anyway and paid.
      await pay(sandbox, session.data.plural_order_id, { send_webhook: false })

      const summary = await reconcile()
      expect(summary).toMatchObject({ checked: 1, refunded: 1 })
      expect((await ledgerRow(session.data.plural_order_id)).state).toBe("refunded")
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("FULLY_REFUNDED")
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
    })

    it("polling reads an unpaid order from Plural at most once per poll interval, and answers no internal text", async () => {
      const { cart } = await cartWithPluralSession(api, store, { data: { flow: "upi_collect", upi_vpa: "asha@okbank" } })
      // A counted no-op fault on Plural's get-order route: what is left of its count tells how many reads were made.
      await control(sandbox, "POST", "/faults", { route: "get_order", kind: "latency", latency_ms: 1, count: 1000 })
      const answers = await Promise.all(Array.from({ length: 20 }, () => settle(cart.id)))
      expect(answers.every((a) => a.status === "pending")).toBe(true)
      const [fault] = await control(sandbox, "GET", "/faults")
      expect(1000 - fault.count).toBeLessThanOrEqual(1)
      await control(sandbox, "DELETE", "/faults")
      // Plural down: the shopper's answer is still just "pending".
      await control(sandbox, "POST", "/faults", { route: "get_order", kind: "status", status: 500 })
      await new Promise((resolve) => setTimeout(resolve, 2100))
      const down = await settle(cart.id)
      expect(down).toEqual({ status: "pending", cart_id: cart.id })
    })
  },
})
