/** The UPI side of a payment: the `upi://pay` deep link an intent opens, and the QR code that carries it. */
import QRCode from "qrcode"
import type { Order } from "../plural/schemas"

/** The payee VPA the sandbox collects for; it belongs to no bank. */
const SANDBOX_PAYEE = "plural.sandbox@pinelabs"

export function upiLink(order: Order, paymentId: string): string {
  const params = new URLSearchParams({
    pa: SANDBOX_PAYEE,
    pn: `Plural sandbox merchant ${order.merchant_id ?? ""}`.trim(),
    tr: paymentId,
    tn: `Order ${order.merchant_order_reference}`,
    am: (order.order_amount.value / 100).toFixed(2),
    cu: order.order_amount.currency,
  })
  return `upi://pay?${params.toString()}`
}

export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: "png", errorCorrectionLevel: "M", margin: 2, width: 256 })
}
