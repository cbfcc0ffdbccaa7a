/**
 * Refunds beyond the API's happy path: refunds made on Plural's dashboard (control API), refunds the bank rejects
 * (FAILED), idempotent retries of those, refund orders read by their reference, and the control view's
 * `refunded_amount`.
 */
import { RefundOrder, wrapped } from "../../plural/schemas"
import { eventually, type Harness, type Receiver, uniqueReference, webhookSandbox } from "./helpers"

type Event = { event_type: string; data: any }

describe("sandbox refunds", () => {
  let h: Harness
  let hooks: Receiver
  webhookSandbox({ webhookRetryDelaysMs: [5] }, (started) => ({ h, hooks } = started))
  afterEach(() => h.sandbox.configure({ duplicateMode: "return_existing" }))

  const get = async (orderId: string) => (await h.api("GET", `/api/pay/v1/orders/${orderId}`)).body.data
  const byReference = (reference: string) => h.api("GET", `/api/pay/v1/orders/reference/${reference}`)
  const controlView = async (orderId: string) => (await h.control("GET", `/orders/${orderId}`)).body
  /** Every event announced since the last reset, in order: the delivery log, written when the event is announced. */
  const logged = async () => (await h.control("GET", "/webhooks")).body as { event_type: string; order_id: string }[]
  const refundLog = async () => (await logged()).filter((d) => d.event_type.startsWith("REFUND_")).map((d) => [d.event_type, d.order_id])
  /** The webhook the receiver got about this (refund) order. */
  const receivedAbout = (orderId: string) =>
    eventually(() => hooks.received.map((r) => JSON.parse(r.body) as Event).find((e) => e.data.order_id === orderId))

  describe("from Plural's dashboard: POST /_sandbox/orders/:orderId/refund", () => {
    it("refunds part, then the rest, announcing REFUND_PROCESSED for each", async () => {
      const orderId = await h.paidOrder()
      const part = await h.control("POST", `/orders/${orderId}/refund`, { amount: 400 })
      expect(part.status).toBe(200)
      expect(part.body.refund).toMatchObject({
        type: "REFUND",
        parent_order_id: orderId,
        status: "PROCESSED",
        merchant_order_reference: expect.stringMatching(/^dashboard-\d+$/),
        order_amount: { value: 400, currency: "INR" },
        payments: [expect.objectContaining({ status: "PROCESSED", payment_amount: { value: 400, currency: "INR" } })],
      })
      expect(RefundOrder.safeParse(part.body.refund).success).toBe(true)
      expect(part.body.order).toMatchObject({ order_id: orderId, status: "PARTIALLY_REFUNDED" })
      expect((await get(orderId)).status).toBe("PARTIALLY_REFUNDED")

      const rest = await h.control("POST", `/orders/${orderId}/refund`, {})
      expect(rest.status).toBe(200)
      expect(rest.body.refund).toMatchObject({ status: "PROCESSED", order_amount: { value: 700, currency: "INR" } })
      expect(rest.body.refund.merchant_order_reference).toMatch(/^dashboard-\d+$/)
      expect(rest.body.refund.merchant_order_reference).not.toBe(part.body.refund.merchant_order_reference)
      expect(rest.body.order.status).toBe("FULLY_REFUNDED")
      expect((await get(orderId)).status).toBe("FULLY_REFUNDED")

      expect(await refundLog()).toEqual([
        ["REFUND_PROCESSED", part.body.refund.order_id],
        ["REFUND_PROCESSED", rest.body.refund.order_id],
      ])
      expect(await receivedAbout(part.body.refund.order_id)).toEqual({ event_type: "REFUND_PROCESSED", data: part.body.refund })
      expect(await receivedAbout(rest.body.refund.order_id)).toEqual({ event_type: "REFUND_PROCESSED", data: rest.body.refund })

      // The merchant's store learns of it by the reference Plural gave it, through the API.
      const read = await byReference(part.body.refund.merchant_order_reference)
      expect(read.status).toBe(200)
      expect(read.body.data).toEqual(part.body.refund)
    })

    it("takes a reference; a used reference is 422 DUPLICATE_REQUEST; default references are never reused", async () => {
      const orderId = await h.paidOrder()
      const named = await h.control("POST", `/orders/${orderId}/refund`, { amount: 100, reference: "desk-refund-1" })
      expect(named.body.refund.merchant_order_reference).toBe("desk-refund-1")
      const again = await h.control("POST", `/orders/${orderId}/refund`, { amount: 100, reference: "desk-refund-1" })
      expect([again.status, again.body.code]).toEqual([422, "DUPLICATE_REQUEST"])

      const first = await h.control("POST", `/orders/${orderId}/refund`, { amount: 100 })
      await h.control("POST", "/reset")
      const other = await h.paidOrder()
      const second = await h.control("POST", `/orders/${other}/refund`, { amount: 100 })
      expect(second.body.refund.merchant_order_reference).not.toBe(first.body.refund.merchant_order_reference)

      const bad = await h.control("POST", `/orders/${other}/refund`, { reference: "bad ref!" })
      expect([bad.status, bad.body.code, bad.body.message]).toEqual([400, "INVALID_REQUEST", expect.stringContaining("reference")])
    })

    it("refuses more than is refundable, an unpaid order and a refund order with 422, announcing nothing", async () => {
      const orderId = await h.paidOrder()
      const over = await h.control("POST", `/orders/${orderId}/refund`, { amount: 1101 })
      expect([over.status, over.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])
      const part = await h.control("POST", `/orders/${orderId}/refund`, { amount: 1000 })
      const overRest = await h.control("POST", `/orders/${orderId}/refund`, { amount: 101 })
      expect([overRest.status, overRest.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])
      // A refused refund is no refund: the parent is as it was and still refundable for what remains.
      expect((await get(orderId)).status).toBe("PARTIALLY_REFUNDED")
      expect((await h.control("POST", `/orders/${orderId}/refund`, { amount: 100 })).body.order.status).toBe("FULLY_REFUNDED")
      const nothingLeft = await h.control("POST", `/orders/${orderId}/refund`, {})
      expect([nothingLeft.status, nothingLeft.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])

      const unpaid = await h.createOrder()
      expect((await h.control("POST", `/orders/${unpaid}/refund`, {})).status).toBe(422)
      const ofRefund = await h.control("POST", `/orders/${part.body.refund.order_id}/refund`, {})
      expect([ofRefund.status, ofRefund.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])
      const missing = await h.control("POST", "/orders/v1-0000000000-aa-nothing/refund", {})
      expect([missing.status, missing.body.code]).toEqual([404, "ORDER_NOT_FOUND"])
      const zero = await h.control("POST", `/orders/${orderId}/refund`, { amount: 0 })
      expect([zero.status, zero.body.message]).toEqual([400, expect.stringContaining("amount")])

      // The delivery log holds every announced event at once: the payment and the two refunds, nothing else.
      expect((await logged()).map((d) => d.event_type)).toEqual(["ORDER_PROCESSED", "REFUND_PROCESSED", "REFUND_PROCESSED"])
    })

    it("outcome failed: a FAILED refund order, the parent unchanged, REFUND_FAILED announced, nothing refunded", async () => {
      const orderId = await h.paidOrder()
      const before = await get(orderId)
      const failed = await h.control("POST", `/orders/${orderId}/refund`, { amount: 500, outcome: "failed" })
      expect(failed.status).toBe(200)
      expect(failed.body.refund).toMatchObject({
        status: "FAILED",
        parent_order_id: orderId,
        order_amount: { value: 500, currency: "INR" },
        payments: [expect.objectContaining({ status: "FAILED", error_detail: { code: "REFUND_FAILED", message: expect.any(String) } })],
      })
      expect(RefundOrder.safeParse(failed.body.refund).success).toBe(true)
      expect(failed.body.order).toEqual(before)
      expect(await get(orderId)).toEqual(before)
      expect((await controlView(orderId)).refunded_amount).toBe(0)

      expect(await refundLog()).toEqual([["REFUND_FAILED", failed.body.refund.order_id]])
      expect(await receivedAbout(failed.body.refund.order_id)).toEqual({ event_type: "REFUND_FAILED", data: failed.body.refund })

      // The whole amount is still refundable.
      const all = await h.control("POST", `/orders/${orderId}/refund`, {})
      expect(all.body.refund.order_amount.value).toBe(1100)
      expect(all.body.order.status).toBe("FULLY_REFUNDED")
    })

    it("send_webhook false: the refund happens unannounced", async () => {
      const orderId = await h.paidOrder()
      const quiet = await h.control("POST", `/orders/${orderId}/refund`, { send_webhook: false })
      expect(quiet.body.order.status).toBe("FULLY_REFUNDED")
      expect((await logged()).map((d) => d.order_id)).not.toContain(quiet.body.refund.order_id)
    })

    it("refunds only what was captured of a pre-auth", async () => {
      const orderId = await h.paidOrder({ pre_auth: true })
      expect((await h.control("POST", `/orders/${orderId}/refund`, {})).status).toBe(422)
      await h.api("PUT", `/api/pay/v1/orders/${orderId}/capture`, { merchant_capture_reference: uniqueReference(), capture_amount: { value: 600, currency: "INR" } })
      const refund = await h.control("POST", `/orders/${orderId}/refund`, {})
      expect(refund.body.refund.order_amount.value).toBe(600)
      expect(refund.body.order.status).toBe("FULLY_REFUNDED")
    })
  })

  describe("API refunds the bank rejects: POST /_sandbox/refund-outcome", () => {
    const refund = (orderId: string, body: Record<string, unknown>) => h.api("POST", `/api/pay/v1/refunds/${orderId}`, body)

    it("count 1: the next API refund ends FAILED; a retry with its reference is the same FAILED refund", async () => {
      const orderId = await h.paidOrder()
      expect((await h.control("GET", "/refund-outcome")).body).toEqual({ outcome: "processed" })
      const set = await h.control("POST", "/refund-outcome", { outcome: "failed", count: 1 })
      expect(set.body).toEqual({ outcome: "failed", count: 1 })

      const reference = uniqueReference()
      const failed = await refund(orderId, { merchant_order_reference: reference, order_amount: { value: 300, currency: "INR" } })
      expect(failed.status).toBe(200)
      const data = wrapped(RefundOrder).parse(failed.body).data
      expect(data).toMatchObject({ type: "REFUND", parent_order_id: orderId, status: "FAILED", merchant_order_reference: reference })
      expect(data.payments[0]).toMatchObject({ status: "FAILED", error_detail: { code: "REFUND_FAILED" } })
      expect((await get(orderId)).status).toBe("PROCESSED")
      expect((await h.control("GET", "/refund-outcome")).body).toEqual({ outcome: "processed" })

      const read = await byReference(reference)
      expect(read.body.data).toEqual(failed.body.data)

      // The merchant retries with the same reference: Plural answers the same FAILED refund and refunds nothing.
      const retry = await refund(orderId, { merchant_order_reference: reference, order_amount: { value: 300, currency: "INR" } })
      expect(retry.status).toBe(200)
      expect(retry.body.data).toEqual(failed.body.data)
      expect((await get(orderId)).status).toBe("PROCESSED")
      expect((await controlView(orderId)).refunded_amount).toBe(0)
      expect((await h.control("GET", "/orders")).body.filter((o: { type: string }) => o.type === "REFUND")).toHaveLength(1)

      // With duplicateMode reject, the retry is a 422 DUPLICATE_REQUEST instead — never a second refund.
      h.sandbox.configure({ duplicateMode: "reject" })
      const rejected = await refund(orderId, { merchant_order_reference: reference })
      expect([rejected.status, rejected.body.code]).toEqual([422, "DUPLICATE_REQUEST"])

      // A new reference is a new refund, and the count is used up: it is processed.
      const next = await refund(orderId, { merchant_order_reference: uniqueReference() })
      expect(next.body.data).toMatchObject({ status: "PROCESSED", order_amount: { value: 1100, currency: "INR" } })
      expect((await get(orderId)).status).toBe("FULLY_REFUNDED")

      // One REFUND_FAILED: the retries announced nothing.
      expect(await refundLog()).toEqual([
        ["REFUND_FAILED", failed.body.data.order_id],
        ["REFUND_PROCESSED", next.body.data.order_id],
      ])
      expect(await receivedAbout(failed.body.data.order_id)).toEqual({ event_type: "REFUND_FAILED", data: failed.body.data })
    })

    it("without a count every API refund fails until set back to processed; a refused refund uses up no count", async () => {
      const orderId = await h.paidOrder()
      await h.control("POST", "/refund-outcome", { outcome: "failed" })
      const one = await refund(orderId, { merchant_order_reference: uniqueReference(), order_amount: { value: 600, currency: "INR" } })
      const two = await refund(orderId, { merchant_order_reference: uniqueReference(), order_amount: { value: 600, currency: "INR" } })
      expect([one.body.data.status, two.body.data.status]).toEqual(["FAILED", "FAILED"])
      expect((await controlView(orderId)).refunded_amount).toBe(0)
      expect((await h.control("GET", "/refund-outcome")).body).toEqual({ outcome: "failed" })

      await h.control("POST", "/refund-outcome", { outcome: "failed", count: 1 })
      const over = await refund(orderId, { merchant_order_reference: uniqueReference(), order_amount: { value: 1200, currency: "INR" } })
      expect([over.status, over.body.code]).toEqual([422, "OPERATION_NOT_ALLOWED"])
      expect((await h.control("GET", "/refund-outcome")).body).toEqual({ outcome: "failed", count: 1 })

      // Dashboard refunds keep their own outcome (processed unless asked).
      const dashboard = await h.control("POST", `/orders/${orderId}/refund`, { amount: 100 })
      expect(dashboard.body.refund.status).toBe("PROCESSED")
      expect((await h.control("GET", "/refund-outcome")).body).toEqual({ outcome: "failed", count: 1 })

      await h.control("POST", "/refund-outcome", { outcome: "processed" })
      const ok = await refund(orderId, { merchant_order_reference: uniqueReference() })
      expect(ok.body.data).toMatchObject({ status: "PROCESSED", order_amount: { value: 1000, currency: "INR" } })
      expect(await controlView(orderId)).toMatchObject({ status: "FULLY_REFUNDED", refunded_amount: 1100 })

      expect(await refundLog()).toEqual([
        ["REFUND_FAILED", one.body.data.order_id],
        ["REFUND_FAILED", two.body.data.order_id],
        ["REFUND_PROCESSED", dashboard.body.refund.order_id],
        ["REFUND_PROCESSED", ok.body.data.order_id],
      ])
    })

    it("validates its body; reset sets it back to processed", async () => {
      const noOutcome = await h.control("POST", "/refund-outcome", { count: 2 })
      expect([noOutcome.status, noOutcome.body.message]).toEqual([400, expect.stringContaining("outcome")])
      const countless = await h.control("POST", "/refund-outcome", { outcome: "processed", count: 2 })
      expect([countless.status, countless.body.message]).toEqual([400, expect.stringContaining("count")])
      await h.control("POST", "/refund-outcome", { outcome: "failed" })
      await h.control("POST", "/reset")
      expect((await h.control("GET", "/refund-outcome")).body).toEqual({ outcome: "processed" })
    })
  })

  describe("reading refunds", () => {
    it("GET /api/pay/v1/orders/reference/:reference answers a refund order by its own merchant_order_reference", async () => {
      const orderId = await h.paidOrder()
      const reference = uniqueReference()
      const made = await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: reference, order_amount: { value: 500, currency: "INR" } })
      const read = await byReference(reference)
      expect(read.status).toBe(200)
      const data = wrapped(RefundOrder).parse(read.body).data
      expect(data).toMatchObject({ type: "REFUND", order_id: made.body.data.order_id, parent_order_id: orderId, merchant_order_reference: reference, status: "PROCESSED" })
      expect(read.body.data).toEqual((await h.api("GET", `/api/pay/v1/orders/${made.body.data.order_id}`)).body.data)
      const missing = await byReference("no-such-refund")
      expect([missing.status, missing.body.code]).toEqual([404, "ORDER_NOT_FOUND"])
    })

    it("the control view of a charge carries refunded_amount; Plural's API view does not", async () => {
      const orderId = await h.paidOrder()
      expect((await controlView(orderId)).refunded_amount).toBe(0)
      await h.api("POST", `/api/pay/v1/refunds/${orderId}`, { merchant_order_reference: uniqueReference(), order_amount: { value: 250, currency: "INR" } })
      await h.control("POST", `/orders/${orderId}/refund`, { amount: 150 })
      expect((await controlView(orderId)).refunded_amount).toBe(400)
      const listed = (await h.control("GET", "/orders")).body as { order_id: string; type: string; refunded_amount?: number }[]
      expect(listed.find((o) => o.order_id === orderId)?.refunded_amount).toBe(400)
      for (const refund of listed.filter((o) => o.type === "REFUND")) expect(refund).not.toHaveProperty("refunded_amount")
      expect(await get(orderId)).not.toHaveProperty("refunded_amount")
    })
  })
})
