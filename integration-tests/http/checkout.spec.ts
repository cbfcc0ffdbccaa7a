import { signWebhook } from "../../src/plural"
import { resolvePluralGateway } from "../../src/utils/resolve-plural-gateway"
import { reconcilePluralPaymentsWorkflow } from "../../src/workflows/reconcile-plural-payments"
import { pluralStoreTestRunner } from "../helpers/runner"
import { control, eventually, FAILURE_URL, pay, postWebhook, returnToStore, SUCCESS_URL } from "../helpers/sandbox"
import { cartOfOneItem, cartWithPluralSession, countOrdersOfCart, orderOfCart, requestPluralSession, startPluralSession } from "../helpers/store"

jest.setTimeout(240_000)

pluralStoreTestRunner({
  testSuite: ({ api, getContainer, sandbox, store, paidOrder }) => {
    const pluralOrder = (id: string) => control(sandbox, "GET", `/orders/${id}`)
    /** Moves a ledger row's next check (and, for `expired`, its expiry) to now, as time passing would. */
    const dueNow = (pluralOrderId: string, options: { expired?: boolean } = {}) =>
      (getContainer().resolve("__pg_connection__") as any).raw(
        `update plural_order set next_check_at = now() - interval '1 second'${options.expired ? ", expires_at = now() - interval '1 second'" : ""} where plural_order_id = ?`,
        [pluralOrderId]
      )

    it("registers pp_plural_plural and lets a region enable it", async () => {
      const { data } = await api.get(`/admin/payments/payment-providers?id=pp_plural_plural`, store.adminHeaders)
      expect(data.payment_providers).toEqual([expect.objectContaining({ id: "pp_plural_plural", is_enabled: true })])
      const { data: regional } = await api.get(`/store/payment-providers?region_id=${store.inr.region_id}`, store.storeHeaders)
      expect(regional.payment_providers.map((p: { id: string }) => p.id)).toContain("pp_plural_plural")
    })

    it("hosted checkout: the shopper pays, returns, and the cart becomes an order with a captured payment", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      expect(session.data).toMatchObject({ flow: "hosted", amount: 99900, currency_code: "inr", merchant_order_reference: session.id })
      expect(session.data.redirect_url).toContain(sandbox.url)
      expect(JSON.stringify(session.data)).not.toContain(sandbox.merchant.client_secret)

      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const back = await returnToStore(api, paid.callback.fields)
      expect(back.status).toBe(303)
      const location = new URL(back.headers.location)
      expect(`${location.origin}${location.pathname}`).toBe(SUCCESS_URL)

      const order = await orderOfCart(getContainer(), cart.id)
      expect(location.searchParams.get("order_id")).toBe(order.id)
      const [payment] = order.payment_collections[0].payments
      expect(payment.captured_at).toBeTruthy()
      expect(Number(payment.amount)).toBe(999)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("PROCESSED")
    })

    it("pre-auth: authorised at Plural, captured from the admin → Plural PROCESSED", async () => {
      resolvePluralGateway(getContainer()).options.pre_auth = true
      const { cart, session, paid, order } = await paidOrder()
      expect(paid.order.status).toBe("AUTHORIZED")
      const [payment] = order.payment_collections[0].payments
      expect(payment.captured_at).toBeFalsy()

      const { data: view } = await api.get(`/admin/plural/orders/${order.id}`, store.adminHeaders)
      expect(view.payments[0]).toMatchObject({ can_capture: true, plural: { status: "AUTHORIZED" } })

      await api.post(`/admin/payments/${payment.id}/capture`, {}, store.adminHeaders)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("PROCESSED")
      const after = await orderOfCart(getContainer(), cart.id)
      expect(after.payment_collections[0].payments[0].captured_at).toBeTruthy()
    })

    it("pre-auth: the order canceled in the admin releases the authorisation → Plural CANCELLED", async () => {
      resolvePluralGateway(getContainer()).options.pre_auth = true
      const { session, order } = await paidOrder()

      await api.post(`/admin/orders/${order.id}/cancel`, {}, store.adminHeaders)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("CANCELLED")
    })

    it("refunds: two partial refunds then the rest → Plural FULLY_REFUNDED; an over-refund is refused", async () => {
      const { session, order } = await paidOrder()
      const paymentId = order.payment_collections[0].payments[0].id

      await api.post(`/admin/payments/${paymentId}/refund`, { amount: 100.25 }, store.adminHeaders)
      await api.post(`/admin/payments/${paymentId}/refund`, { amount: 200 }, store.adminHeaders)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("PARTIALLY_REFUNDED")

      const over = await api.post(`/admin/payments/${paymentId}/refund`, { amount: 700 }, { ...store.adminHeaders, validateStatus: () => true })
      expect(over.status).toBeGreaterThanOrEqual(400)

      await api.post(`/admin/payments/${paymentId}/refund`, { amount: 698.75 }, store.adminHeaders)
      const plural = await pluralOrder(session.data.plural_order_id)
      expect(plural.status).toBe("FULLY_REFUNDED")
      const refunds = (await control(sandbox, "GET", "/orders")).filter((o: any) => o.type === "REFUND" && o.parent_order_id === plural.order_id)
      expect(refunds.map((r: any) => r.order_amount.value).sort((a: number, b: number) => a - b)).toEqual([10025, 20000, 69875])
    })

    it("a failed payment sends the shopper back with a reason; a new session then pays", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const failed = await pay(sandbox, session.data.plural_order_id, { outcome: "failure", error_code: "PAYMENT_DECLINED", send_webhook: false })
      const back = await returnToStore(api, failed.callback.fields)
      const location = new URL(back.headers.location)
      expect(`${location.origin}${location.pathname}`).toBe(FAILURE_URL)
      expect(location.searchParams.get("cart_id")).toBe(cart.id)
      expect(location.searchParams.get("reason")).toBeTruthy()
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)

      const retry = await startPluralSession(api, store, cart.id)
      expect(retry.id).not.toBe(session.id)
      const paid = await pay(sandbox, retry.data.plural_order_id, { send_webhook: false })
      await returnToStore(api, paid.callback.fields)
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
    })

    it.each([
      ["upi_intent", {}, "challenge_url"],
      ["upi_collect", { upi_vpa: "asha@okbank" }, undefined],
      ["upi_qr", {}, "image_url"],
    ])("UPI %s: paid on the phone, settled by the storefront's polling", async (flow, extra, link) => {
      const { cart, session } = await cartWithPluralSession(api, store, { data: { flow, ...extra } })
      expect(session.data.flow).toBe(flow)
      if (link) expect(session.data[link]).toEqual(expect.any(String))

      const pending = await api.post(`/store/plural/carts/${cart.id}/settle`, {}, store.storeHeaders)
      expect(pending.data).toMatchObject({ status: "pending" })

      await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      // Polls within poll_interval_seconds of the last read answer from the ledger; the payment shows up after it.
      const settled = await eventually(async () => {
        const { data } = await api.post(`/store/plural/carts/${cart.id}/settle`, {}, store.storeHeaders)
        return data.status === "completed" && data
      }, "the polling to see the payment")
      expect(settled).toMatchObject({ status: "completed", order_id: expect.any(String) })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
    })

    it("a UPI collect without a valid VPA is refused with the field named", async () => {
      const cart = await cartOfOneItem(api, store)
      const refused = await requestPluralSession(api, store, cart.id, { flow: "upi_collect", upi_vpa: "not a vpa" })
      expect(refused.status).toBe(400)
      expect(refused.data.message).toContain("upi_vpa")
      expect((await control(sandbox, "GET", "/orders")).length).toBe(0)
    })

    it("a tampered callback and a tampered webhook are rejected and change nothing", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })

      const forged = await returnToStore(api, { ...paid.callback.fields, order_id: paid.callback.fields.order_id, extra: "1" })
      expect(new URL(forged.headers.location).searchParams.get("code")).toBe("INVALID_SIGNATURE")
      const unsigned = { ...paid.callback.fields, signature: "00".repeat(32) }
      await returnToStore(api, unsigned)

      const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })
      const id = "msg_forged"
      const timestamp = Math.floor(Date.now() / 1000)
      const secret = sandbox.merchant.webhook_secret
      const wrongKey = Buffer.from("not the merchant's secret").toString("base64")
      expect((await postWebhook(api, body, { id, timestamp, secret: wrongKey })).status).toBe(401)
      expect((await postWebhook(api, body, { id, timestamp: timestamp - 301, secret })).status).toBe(401)
      const tampered = body.replace("PROCESSED", "AUTHORIZED")
      expect((await postWebhook(api, tampered, { id, timestamp, secret, signedBody: body })).status).toBe(401)

      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
      const { data: unchanged } = await api.get(`/store/carts/${cart.id}`, store.storeHeaders)
      expect(unchanged.cart.completed_at).toBeFalsy()
    })

    it("webhook first, then the browser return: one order", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id)
      await eventually(() => orderOfCart(getContainer(), cart.id), "the webhook to create the order")
      const back = await returnToStore(api, paid.callback.fields)
      expect(new URL(back.headers.location).searchParams.get("order_id")).toEqual(expect.any(String))
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
    })

    it("callback, webhook, duplicate webhooks and the storefront's complete all at once: one order, one capture", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })
      const id = "msg_concurrent"
      const timestamp = Math.floor(Date.now() / 1000)
      const webhook = () => postWebhook(api, body, { id, timestamp, secret: sandbox.merchant.webhook_secret })

      const responses = await Promise.all([
        returnToStore(api, paid.callback.fields),
        webhook(),
        webhook(),
        returnToStore(api, paid.callback.fields),
        api.post(`/store/carts/${cart.id}/complete`, {}, { ...store.storeHeaders, validateStatus: () => true }),
        api.post(`/store/plural/carts/${cart.id}/settle`, {}, store.storeHeaders),
        webhook(),
      ])
      // Every delivery is acknowledged once stored; the copies are duplicates of the one stored event.
      const webhooks = [responses[1], responses[2], responses[6]] as any[]
      expect(webhooks.map((r) => r.status)).toEqual([200, 200, 200])
      expect(webhooks.filter((r) => r.data.duplicate)).toHaveLength(2)
      // A redelivery after the dust settles is a duplicate.
      expect((await webhook()).data).toMatchObject({ duplicate: true })

      const inbox = getContainer().resolve("plural") as any
      await eventually(async () => (await inbox.listPluralWebhookEvents({ webhook_id: id }))[0]?.status === "processed", "the stored event's processing")
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
      const order = await orderOfCart(getContainer(), cart.id)
      expect(order.payment_collections[0].payments).toHaveLength(1)
      expect(order.payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("a redelivered webhook is acknowledged and not processed twice", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      await pay(sandbox, session.data.plural_order_id)
      await eventually(() => orderOfCart(getContainer(), cart.id), "the order")
      const [delivery] = await control(sandbox, "GET", "/webhooks")
      await control(sandbox, "POST", `/webhooks/${delivery.webhook_id}/redeliver`)
      await eventually(async () => {
        const again = (await control(sandbox, "GET", "/webhooks")).find((d: any) => d.webhook_id === delivery.webhook_id)
        return again.attempts.length > delivery.attempts.length && again.state === "delivered"
      }, "the redelivery")
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)
      const inbox = getContainer().resolve("plural") as any
      const event = await eventually(async () => {
        const [row] = await inbox.listPluralWebhookEvents({ webhook_id: delivery.webhook_id })
        return row?.status === "processed" && row
      }, "the event's processing to finish")
      expect(event).toMatchObject({ status: "processed", attempts: 1 })
    })

    it("a verified webhook for an order this store never made is acknowledged and ignored", async () => {
      const { session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const stranger = { ...paid.order, order_id: "v1-another-shop-order", merchant_order_reference: "another-shop-order-1", purchase_details: {} }
      const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: stranger })
      const response = await postWebhook(api, body, { id: "msg_stranger", timestamp: Math.floor(Date.now() / 1000), secret: sandbox.merchant.webhook_secret })
      expect(response.status).toBe(200)
      const inbox = getContainer().resolve("plural") as any
      await eventually(async () => (await inbox.listPluralWebhookEvents({ webhook_id: "msg_stranger" }))[0]?.status === "ignored", "the event to be ignored")
    })

    it("a signed webhook nested thousands deep gets a 400, is not stored, and does not fail a real event sent with it", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const timestamp = Math.floor(Date.now() / 1000)
      const secret = sandbox.merchant.webhook_secret
      const deep = JSON.stringify({ event_type: "ORDER_PROCESSED", data: { order_id: "v1-deep", notes: "[".repeat(5_000) + "]".repeat(5_000) } })
        .replace('"[', "[")
        .replace(']"', "]")
      const real = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })
      const [hostile, genuine] = await Promise.all([
        postWebhook(api, deep, { id: "msg_deep", timestamp, secret }),
        postWebhook(api, real, { id: "msg_real", timestamp, secret }),
      ])
      expect(hostile.status).toBe(400)
      expect(genuine.status).toBe(200)
      const inbox = getContainer().resolve("plural") as any
      expect(await inbox.listPluralWebhookEvents({ webhook_id: "msg_deep" })).toHaveLength(0)
      await eventually(async () => (await countOrdersOfCart(getContainer(), cart.id)) === 1, "the real event to make the order")
    })

    it("Medusa's built-in /hooks/payment/plural_plural route: a signed event makes the order, a forged one nothing", async () => {
      const { cart: forgedCart, session: forgedSession } = await cartWithPluralSession(api, store)
      const forged = await pay(sandbox, forgedSession.data.plural_order_id, { send_webhook: false })
      const forgedBody = JSON.stringify({ event_type: "ORDER_PROCESSED", data: forged.order })
      const wrongKey = Buffer.from("not the merchant's secret").toString("base64")
      const now = Math.floor(Date.now() / 1000)
      const signature = signWebhook({ id: "msg_builtin_forged", timestamp: now, body: forgedBody }, wrongKey)
      await api.post("/hooks/payment/plural_plural", forgedBody, {
        headers: { "content-type": "application/json", "webhook-id": "msg_builtin_forged", "webhook-timestamp": String(now), "webhook-signature": signature },
      })

      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      const body = JSON.stringify({ event_type: "ORDER_PROCESSED", data: paid.order })
      const valid = signWebhook({ id: "msg_builtin", timestamp: now, body }, sandbox.merchant.webhook_secret)
      await api.post("/hooks/payment/plural_plural", body, {
        headers: { "content-type": "application/json", "webhook-id": "msg_builtin", "webhook-timestamp": String(now), "webhook-signature": valid },
      })
      // Medusa processes its built-in webhook events a few seconds later, in a subscriber.
      await eventually(() => orderOfCart(getContainer(), cart.id), "Medusa's webhook subscriber to create the order", 300)
      expect(await countOrdersOfCart(getContainer(), forgedCart.id)).toBe(0)
    })

    it("browser closed and webhook lost: the reconciliation job settles it; an abandoned checkout expires", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      // Nothing is due before reconcile_after_minutes.
      const { result: early } = await reconcilePluralPaymentsWorkflow(getContainer()).run({ input: {} })
      expect(early).toMatchObject({ checked: 0 })
      await dueNow(session.data.plural_order_id)
      const { result } = await reconcilePluralPaymentsWorkflow(getContainer()).run({ input: {} })
      expect(result).toMatchObject({ checked: 1, completed: 1 })
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(1)

      const { session: abandoned } = await cartWithPluralSession(api, store)
      await dueNow(abandoned.data.plural_order_id, { expired: true })
      const { result: expiry } = await reconcilePluralPaymentsWorkflow(getContainer()).run({ input: {} })
      expect(expiry).toMatchObject({ checked: 1, expired: 1 })
      const [expired] = await getContainer().resolve("payment").listPaymentSessions({ id: abandoned.id })
      expect(expired.status).toBe("canceled")
    })

    it("Plural reporting a different amount than the cart's is not authorized", async () => {
      const { cart, session } = await cartWithPluralSession(api, store)
      const paid = await pay(sandbox, session.data.plural_order_id, { send_webhook: false })
      // The session expects one paisa more than the Plural order was made for.
      const knex = getContainer().resolve("__pg_connection__") as any
      await knex.raw(`update payment_session set data = jsonb_set(data, '{amount}', to_jsonb((data->>'amount')::int + 1)) where id = ?`, [session.id])
      const back = await returnToStore(api, paid.callback.fields)
      expect(new URL(back.headers.location).pathname).toBe(new URL(FAILURE_URL).pathname)
      expect(await countOrdersOfCart(getContainer(), cart.id)).toBe(0)
    })

    it("a non-INR cart gets a clear error at session creation", async () => {
      const cart = await cartOfOneItem(api, store, "usd")
      const refused = await requestPluralSession(api, store, cart.id)
      expect(refused.status).toBe(400)
      expect(refused.data.message).toMatch(/USD/)
      expect(refused.data.message).toMatch(/INR/)
    })

    it("Plural failing during capture and refund: a clear admin error, and the retry is safe", async () => {
      resolvePluralGateway(getContainer()).options.pre_auth = true
      const { cart, session, order } = await paidOrder()
      const paymentId = order.payment_collections[0].payments[0].id

      // The capture happens at Plural but every answer is lost: Medusa must say so, and the retry must not capture twice.
      await control(sandbox, "POST", "/faults", { route: "capture", kind: "status", status: 503, count: 5, after_commit: true })
      const failed = await api.post(`/admin/payments/${paymentId}/capture`, {}, { ...store.adminHeaders, validateStatus: () => true })
      expect(failed.status).toBeGreaterThanOrEqual(500)
      expect(failed.data.message).toMatch(/Plural is not answering/)
      await control(sandbox, "DELETE", "/faults")
      // Plural's ORDER_PROCESSED webhook may record the capture first; then the retry has nothing left to capture.
      const retried = await api.post(`/admin/payments/${paymentId}/capture`, {}, { ...store.adminHeaders, validateStatus: () => true })
      expect([200, 400]).toContain(retried.status)
      const captured = await pluralOrder(session.data.plural_order_id)
      expect(captured.status).toBe("PROCESSED")
      expect(captured.payments[0].capture_data).toHaveLength(1)
      const medusa = await eventually(async () => {
        const current = await orderOfCart(getContainer(), cart.id)
        return current.payment_collections[0].payments[0].captured_at && current
      }, "the capture recorded in Medusa")
      expect(medusa.payment_collections[0].payments[0].captures).toHaveLength(1)

      await control(sandbox, "POST", "/faults", { route: "refund", kind: "reset", count: 5 })
      // The connection drops before Plural gets the refund: read back by its reference, Plural has none.
      const refundFailed = await api.post(`/admin/payments/${paymentId}/refund`, { amount: 100 }, { ...store.adminHeaders, validateStatus: () => true })
      expect(refundFailed.status).toBeGreaterThanOrEqual(500)
      expect(refundFailed.data.message).toMatch(/Plural did not make the refund .*Nothing was refunded/)
      await control(sandbox, "DELETE", "/faults")
      await api.post(`/admin/payments/${paymentId}/refund`, { amount: 100 }, store.adminHeaders)
      expect((await pluralOrder(session.data.plural_order_id)).status).toBe("PARTIALLY_REFUNDED")
    })
  },
})
