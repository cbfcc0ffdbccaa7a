/**
 * Plural's API as documented: paths, bodies validated with the shared schemas, `{data: order}` wrapping for
 * `/api/pay/v1/*`, and Plural-shaped errors. Every call but the token call needs a live bearer token.
 */
import {
  CaptureRequest,
  CreateOrderRequest,
  CreatePaymentRequest,
  HostedCheckoutRequest,
  type HostedCheckoutResponse,
  PaymentOptionRequest,
  type QrPaymentResponse,
  RefundRequest,
  TokenRequest,
} from "../plural/schemas"
import type { SandboxCore } from "./core"
import { json, parseJson, parseWith, type Reply } from "./http"
import type { ChargeRecord, OrderRecord } from "./orders"
import { pointsBalance } from "./points"
import type { Route, RouteRequest } from "./router"

export function apiRoutes(core: SandboxCore): Route[] {
  const merchantOf = (request: RouteRequest) => core.tokens.authenticate(request.headers.authorization)
  const bodyOf = (request: RouteRequest) => parseJson(request.body)
  const orderReply = (record: OrderRecord): Reply => json(200, { data: core.orders.view(record) })
  /** The charge order (never a refund) named in the path, of the merchant whose token the call carries. */
  const chargeOf = (request: RouteRequest) => core.orders.findCharge(merchantOf(request), request.params.orderId)
  /** A call that changes the charge order in the path and answers with it as it then stands. */
  const onCharge =
    (change: (record: ChargeRecord, request: RouteRequest) => void) =>
    (request: RouteRequest): Reply => {
      const record = chargeOf(request)
      change(record, request)
      return orderReply(record)
    }

  return [
    {
      method: "POST",
      pattern: "/api/auth/v1/token",
      api: "token",
      handle: (request) => json(200, core.tokens.issue(parseWith(TokenRequest, bodyOf(request)))),
    },
    {
      method: "POST",
      pattern: "/api/pay/v1/orders",
      api: "create_order",
      handle: (request) => {
        const merchant = merchantOf(request)
        return orderReply(core.orders.createCharge(merchant, parseWith(CreateOrderRequest, bodyOf(request))))
      },
    },
    {
      method: "POST",
      pattern: "/api/pay/v1/orders/:orderId/payments",
      api: "create_payment",
      handle: (request) => {
        const record = chargeOf(request)
        const [input] = parseWith(CreatePaymentRequest, bodyOf(request)).payments
        const { payment } = core.startPayment(record, input)
        if (payment.payment_option?.upi_details?.upi_qr) {
          // Decision 6 (docs/decisions.md): seed 001 answers a QR payment with this unwrapped shape, not the order.
          const qr: QrPaymentResponse = {
            payment_id: payment.id,
            status: "INITIATED",
            challenge_url: core.landingUrl(record),
            image_url: core.qrImageUrl(record, payment),
          }
          return json(200, qr)
        }
        return orderReply(record)
      },
    },
    {
      method: "POST",
      pattern: "/api/checkout/v1/orders",
      api: "hosted_checkout",
      handle: (request) => {
        const merchant = merchantOf(request)
        const input = parseWith(HostedCheckoutRequest, bodyOf(request))
        const record = core.orders.createCharge(merchant, { ...input, integration_mode: input.integration_mode ?? "REDIRECT" })
        const response: HostedCheckoutResponse = {
          token: record.checkoutToken,
          order_id: record.order.order_id,
          redirect_url: core.checkoutUrl(record),
          response_code: 200,
          response_message: "Order Creation Successful.",
        }
        return json(200, response)
      },
    },
    {
      method: "GET",
      pattern: "/api/pay/v1/orders/reference/:reference",
      api: "get_order_by_reference",
      handle: (request) => orderReply(core.orders.findByReference(merchantOf(request), request.params.reference)),
    },
    {
      method: "GET",
      pattern: "/api/pay/v1/orders/:orderId",
      api: "get_order",
      handle: (request) => orderReply(core.orders.find(merchantOf(request), request.params.orderId)),
    },
    {
      method: "PUT",
      pattern: "/api/pay/v1/orders/:orderId/capture",
      api: "capture",
      handle: onCharge((record, request) => core.orders.capture(record, parseWith(CaptureRequest, bodyOf(request)))),
    },
    {
      method: "PUT",
      pattern: "/api/pay/v1/orders/:orderId/cancel",
      api: "cancel",
      handle: onCharge((record) => core.orders.cancel(record)),
    },
    {
      method: "POST",
      pattern: "/api/pay/v1/refunds/:orderId",
      api: "refund",
      handle: (request) => orderReply(core.orders.refund(chargeOf(request), parseWith(RefundRequest, bodyOf(request)))),
    },
    {
      method: "POST",
      pattern: "/payment-option",
      api: "payment_option",
      handle: (request) => {
        merchantOf(request)
        return json(200, pointsBalance(parseWith(PaymentOptionRequest, bodyOf(request))))
      },
    },
  ]
}
