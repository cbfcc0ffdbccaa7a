/**
 * The shopper's side of the sandbox: the hosted checkout page at `redirect_url`, the UPI landing page at
 * `challenge_url` (both render the same page for the order behind the token), its submit, and the QR image.
 */
import { PaymentMethod } from "../plural/schemas"
import { browserReturnReply } from "./callback"
import { type PendingUpi, renderCheckoutPage } from "./checkout-page"
import type { SandboxCore } from "./core"
import { PluralFailure, html, type Reply } from "./http"
import type { ChargeRecord, Outcome } from "./orders"
import { page } from "./page-layout"
import type { Route, RouteRequest } from "./router"
import { qrPng } from "./upi"

const ACTIONS: Record<string, Outcome> = { pay: "success", fail: "failure", cancel: "cancel" }

export const HOSTED_CHECKOUT_PATH = "/api/v3/checkout-bff/redirect/checkout"
export const UPI_LANDING_PATH = "/web/auth/landing/"

export function checkoutRoutes(core: SandboxCore): Route[] {
  const recordOf = (request: RouteRequest) => core.orders.findByCheckoutToken(request.query.get("token") ?? "")

  const show = (path: string) => (request: RouteRequest) => {
    const record = recordOf(request)
    if (!record) return unknownToken()
    return html(200, renderCheckoutPage({ record, action: actionUrl(path, record), upi: pendingUpi(core, record) }))
  }

  const submit = (path: string) => (request: RouteRequest): Reply => {
    const record = recordOf(request)
    if (!record) return unknownToken()
    const form = new URLSearchParams(request.body)
    const outcome = ACTIONS[form.get("action") ?? ""]
    const method = PaymentMethod.safeParse(form.get("payment_method"))
    const rerender = (notice: string) =>
      html(400, renderCheckoutPage({ record, action: actionUrl(path, record), upi: pendingUpi(core, record), notice }))
    if (!outcome) return rerender("Choose Pay, Fail or Cancel.")
    try {
      const { browserReturn } = core.completePayment(record, {
        outcome,
        paymentMethod: method.success ? method.data : undefined,
        errorCode: form.get("error_code") || undefined,
      })
      return browserReturnReply(browserReturn)
    } catch (error) {
      if (error instanceof PluralFailure) return rerender(error.message)
      throw error
    }
  }

  return [
    { method: "GET", pattern: HOSTED_CHECKOUT_PATH, handle: show(HOSTED_CHECKOUT_PATH) },
    { method: "POST", pattern: HOSTED_CHECKOUT_PATH, handle: submit(HOSTED_CHECKOUT_PATH) },
    { method: "GET", pattern: UPI_LANDING_PATH, handle: show(UPI_LANDING_PATH) },
    { method: "POST", pattern: UPI_LANDING_PATH, handle: submit(UPI_LANDING_PATH) },
    {
      method: "GET",
      pattern: "/web/upi/qr.png",
      handle: async (request): Promise<Reply> => {
        const record = recordOf(request)
        const payment = record?.order.payments.find((p) => p.id === request.query.get("payment"))
        if (!record || !payment) return { status: 404, headers: { "content-type": "text/plain" }, body: "No such QR code" }
        const png = await qrPng(core.upiLink(record.order, payment))
        return { status: 200, headers: { "content-type": "image/png", "cache-control": "no-store" }, body: png }
      },
    },
  ]
}

function actionUrl(path: string, record: ChargeRecord): string {
  return `${path}?token=${encodeURIComponent(record.checkoutToken)}`
}

function pendingUpi(core: SandboxCore, record: ChargeRecord): PendingUpi | undefined {
  const payment = core.orders.pendingPayment(record)
  const upi = payment?.payment_option?.upi_details
  if (!payment || !upi) return undefined
  return {
    link: core.upiLink(record.order, payment),
    qrImageUrl: core.qrImageUrl(record, payment),
    txnMode: upi.txn_mode ?? "INTENT",
    payerVpa: upi.payer?.vpa,
  }
}

function unknownToken(): Reply {
  return html(404, page("Unknown checkout", "<h1>Unknown or expired checkout link</h1>"))
}
