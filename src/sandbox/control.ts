/**
 * The control API under `/_sandbox/`: JSON, no auth. Tests and the demo use it to inspect state, play the
 * shopper, play the merchant on Plural's dashboard (refunds), move time-dependent states along, make refunds fail,
 * inject faults and read the webhook log.
 */
import { z } from "zod"
import { MerchantReference, PaymentMethod } from "../plural/schemas"
import type { SandboxCore } from "./core"
import { FaultSpec } from "./faults"
import { json, parseJson, parseWith, PluralFailure } from "./http"
import type { OrderRecord, RefundOutcomeRule } from "./orders"
import type { Route, RouteRequest } from "./router"
import { WebhookFaultSpec } from "./webhooks"

export const CompleteRequest = z.object({
  outcome: z.enum(["success", "failure", "cancel"]),
  payment_method: PaymentMethod.optional(),
  error_code: z.string().min(1).optional(),
  send_webhook: z.boolean().optional(),
})

const RefundOutcomeName = z.enum(["processed", "failed"])

/** A refund made on Plural's dashboard. */
export const DashboardRefundRequest = z
  .object({
    amount: z.int().positive().optional(),
    reference: MerchantReference.optional(),
    outcome: RefundOutcomeName.optional(),
    send_webhook: z.boolean().optional(),
  })
  .strict()

/** How the next API refunds end: `failed` for the next `count` of them (all until set back, without one). */
export const RefundOutcomeRequest = z
  .object({ outcome: RefundOutcomeName, count: z.int().positive().optional() })
  .strict()
  .refine((r) => r.outcome === "failed" || r.count === undefined, { path: ["count"], message: "applies to outcome failed only" })

const outcomeView = (rule: RefundOutcomeRule) =>
  rule.outcome === "failed" && rule.remaining !== undefined ? { outcome: rule.outcome, count: rule.remaining } : { outcome: rule.outcome }

export function controlRoutes(core: SandboxCore): Route[] {
  const bodyOf = (request: RouteRequest) => parseJson(request.body)
  const ok = { ok: true }
  /** The Plural view, and of a charge what was refunded of it (paise, FAILED refunds not counted). */
  const controlView = (record: OrderRecord) =>
    record.kind === "charge"
      ? { ...core.orders.view(record), refunded_amount: core.orders.refundedAmount(record) }
      : core.orders.view(record)

  return [
    { method: "GET", pattern: "/_sandbox/health", handle: () => json(200, ok) },
    {
      method: "POST",
      pattern: "/_sandbox/reset",
      handle: () => {
        core.reset()
        return json(200, ok)
      },
    },
    { method: "GET", pattern: "/_sandbox/config", handle: () => json(200, core.config) },
    { method: "POST", pattern: "/_sandbox/config", handle: (request) => json(200, core.configure(bodyOf(request))) },
    {
      method: "GET",
      pattern: "/_sandbox/orders",
      handle: () => json(200, core.orders.list().map(controlView)),
    },
    {
      method: "GET",
      pattern: "/_sandbox/orders/:orderId",
      handle: (request) => json(200, controlView(core.orders.find(undefined, request.params.orderId))),
    },
    {
      // The page a shopper would use for this order (hosted checkout, or approving a pending UPI payment).
      method: "GET",
      pattern: "/_sandbox/orders/:orderId/page",
      handle: (request) => {
        const record = core.orders.findCharge(undefined, request.params.orderId)
        const location = core.orders.pendingPayment(record) ? core.landingUrl(record) : core.checkoutUrl(record)
        return { status: 302, headers: { location }, body: "" }
      },
    },
    {
      method: "POST",
      pattern: "/_sandbox/orders/:orderId/complete",
      handle: (request) => {
        const record = core.orders.findCharge(undefined, request.params.orderId)
        const input = parseWith(CompleteRequest, bodyOf(request))
        const { browserReturn } = core.completePayment(record, {
          outcome: input.outcome,
          paymentMethod: input.payment_method,
          errorCode: input.error_code,
          announce: input.send_webhook,
        })
        return json(200, { order: core.orders.view(record), callback: browserReturn })
      },
    },
    {
      method: "POST",
      pattern: "/_sandbox/orders/:orderId/expire",
      handle: (request) => {
        const record = core.orders.findCharge(undefined, request.params.orderId)
        core.orders.expire(record)
        return json(200, { order: core.orders.view(record) })
      },
    },
    {
      // The merchant refunds on Plural's dashboard: the API refund's rules and webhooks, Plural's reference.
      method: "POST",
      pattern: "/_sandbox/orders/:orderId/refund",
      handle: (request) => {
        const parent = core.orders.findCharge(undefined, request.params.orderId)
        const input = parseWith(DashboardRefundRequest, bodyOf(request))
        const refund = core.orders.dashboardRefund(parent, {
          amount: input.amount,
          reference: input.reference,
          outcome: input.outcome,
          announce: input.send_webhook,
        })
        return json(200, { refund: core.orders.view(refund), order: core.orders.view(parent) })
      },
    },
    { method: "GET", pattern: "/_sandbox/refund-outcome", handle: () => json(200, outcomeView(core.orders.refundOutcome())) },
    {
      method: "POST",
      pattern: "/_sandbox/refund-outcome",
      handle: (request) => {
        const input = parseWith(RefundOutcomeRequest, bodyOf(request))
        return json(200, outcomeView(core.orders.setRefundOutcome(input.outcome, input.count)))
      },
    },
    { method: "GET", pattern: "/_sandbox/webhooks", handle: () => json(200, core.webhooks.list()) },
    {
      method: "POST",
      pattern: "/_sandbox/webhooks/:webhookId/redeliver",
      handle: (request) => {
        const delivery = core.webhooks.redeliver(request.params.webhookId)
        if (!delivery) throw new PluralFailure(404, "NOT_FOUND", `No webhook ${request.params.webhookId}`)
        return json(200, delivery)
      },
    },
    { method: "GET", pattern: "/_sandbox/faults", handle: () => json(200, core.faults.list()) },
    {
      method: "POST",
      pattern: "/_sandbox/faults",
      handle: (request) => {
        core.faults.add(parseWith(FaultSpec, bodyOf(request)))
        return json(200, core.faults.list())
      },
    },
    {
      method: "DELETE",
      pattern: "/_sandbox/faults",
      handle: () => {
        core.faults.clear()
        return json(200, ok)
      },
    },
    {
      method: "POST",
      pattern: "/_sandbox/webhook-faults",
      handle: (request) => {
        core.webhooks.addFault(parseWith(WebhookFaultSpec, bodyOf(request)))
        return json(200, ok)
      },
    },
    {
      method: "DELETE",
      pattern: "/_sandbox/webhook-faults",
      handle: () => {
        core.webhooks.clearFaults()
        return json(200, ok)
      },
    },
    {
      method: "POST",
      pattern: "/_sandbox/tokens/expire",
      handle: () => {
        core.tokens.expireAll()
        return json(200, ok)
      },
    },
  ]
}
