/**
 * The page a shopper sees at `redirect_url` (hosted checkout) or `challenge_url` (a pending UPI payment): the
 * order, a choice of method, and Pay / Fail (with a Plural error code) / Cancel. Element ids and `data-testid`s
 * (`pay`, `fail`, `cancel`, `error-code`, `method-<name>`) are stable because browser tests click them.
 *
 * Card inputs have no `name`, so the card number never leaves the browser: the sandbox neither stores nor echoes it.
 */
import type { PaymentMethod } from "../plural/schemas"
import { FAILURE_CODES, failureMessage } from "./failures"
import type { ChargeRecord } from "./orders"
import { TEST_CARD } from "./orders"
import { escapeHtml, formatPaise, page } from "./page-layout"

/** The methods the sandbox page offers, in display order. */
export const PAGE_METHODS = ["CARD", "UPI", "NETBANKING", "WALLET", "POINTS"] as const satisfies readonly PaymentMethod[]

export type PendingUpi = { link: string; qrImageUrl: string; txnMode: string; payerVpa?: string }

export type CheckoutPageInput = {
  record: ChargeRecord
  /** Where the form posts back to (the page's own URL). */
  action: string
  /** Set when the order has a pending UPI payment: the page then approves or declines that payment. */
  upi?: PendingUpi
  /** A problem with the previous submit, shown above the form. */
  notice?: string
}

export function renderCheckoutPage({ record, action, upi, notice }: CheckoutPageInput): string {
  const { order } = record
  const summary = `<h1>Pay ${escapeHtml(`merchant ${order.merchant_id ?? ""}`)}</h1>
<p class="amount" data-testid="amount">${escapeHtml(formatPaise(order.order_amount.value, order.order_amount.currency))}</p>
<dl>
<dt>Merchant</dt><dd data-testid="merchant">${escapeHtml(order.merchant_id ?? "")}</dd>
<dt>Order reference</dt><dd data-testid="order-reference">${escapeHtml(order.merchant_order_reference)}</dd>
<dt>Plural order</dt><dd data-testid="order-id">${escapeHtml(order.order_id)}</dd>
<dt>Status</dt><dd data-testid="order-status">${escapeHtml(order.status)}</dd>
</dl>
${notice ? `<p class="banner" data-testid="notice">${escapeHtml(notice)}</p>` : ""}`

  if (!["CREATED", "PENDING", "ATTEMPTED"].includes(order.status)) {
    return page("Order closed", `${summary}<p data-testid="closed">This order is ${escapeHtml(order.status)}; there is nothing to pay.</p>`)
  }
  const retries =
    order.status === "ATTEMPTED"
      ? `<p data-testid="retries">The last attempt failed; ${order.payment_retries_remaining ?? 0} attempt(s) left.</p>`
      : ""
  return page(
    `Pay ${order.merchant_order_reference}`,
    `${summary}${retries}
<form method="POST" action="${escapeHtml(action)}">
${upi ? upiPanel(upi) : methodChoice(record)}
${actions()}
</form>`
  )
}

function methodChoice(record: ChargeRecord): string {
  const offered = PAGE_METHODS.filter((m) => !record.allowedMethods || record.allowedMethods.includes(m))
  const radios = offered
    .map((method, i) => {
      const id = `method-${method.toLowerCase()}`
      return `<label><input type="radio" name="payment_method" value="${method}" id="${id}" data-testid="${id}"${i === 0 ? " checked" : ""}> ${method.toLowerCase()}</label>`
    })
    .join("\n")
  return `<fieldset class="methods"><legend>Pay with</legend>
${radios}
</fieldset>
<div class="panel panel-card">
<label>Card number <input inputmode="numeric" autocomplete="off" value="${TEST_CARD.number.replace(/(\d{4})(?=\d)/g, "$1 ")}"></label>
<label>Expiry <input autocomplete="off" value="${TEST_CARD.expiry}"></label>
<label>CVV <input autocomplete="off" value="${TEST_CARD.cvv}"></label>
</div>
<div class="panel panel-upi"><label>UPI id <input name="vpa" value="shopper@sandbox"></label></div>
<div class="panel panel-netbanking"><label>Bank <select name="bank"><option>Sandbox Bank</option><option>Test Co-operative Bank</option></select></label></div>
<div class="panel panel-wallet"><label>Wallet <select name="wallet"><option>Sandbox Wallet</option></select></label></div>
<div class="panel panel-points"><label>Points card <input autocomplete="off" value="4111 1111 1111 1112"></label></div>`
}

function upiPanel(upi: PendingUpi): string {
  const payer = upi.payerVpa ? `<p>A collect request was sent to <strong>${escapeHtml(upi.payerVpa)}</strong>.</p>` : ""
  return `<div class="panel always panel-upi">
<p>UPI ${escapeHtml(upi.txnMode.toLowerCase())} payment waiting for the shopper's UPI app.</p>
${payer}
<img class="qr" src="${escapeHtml(upi.qrImageUrl)}" alt="UPI QR code" data-testid="upi-qr">
<p><a href="${escapeHtml(upi.link)}" data-testid="upi-link">Open in a UPI app</a></p>
<input type="hidden" name="payment_method" value="UPI">
</div>`
}

function actions(): string {
  const options = FAILURE_CODES.map((code) => `<option value="${code}">${code} — ${escapeHtml(failureMessage(code))}</option>`).join("")
  return `<div class="actions">
<button type="submit" name="action" value="pay" id="pay" data-testid="pay">Pay</button>
<button type="submit" name="action" value="fail" id="fail" data-testid="fail">Fail</button>
<select name="error_code" id="error-code" data-testid="error-code" aria-label="Error code">${options}</select>
<button type="submit" name="action" value="cancel" id="cancel" data-testid="cancel">Cancel</button>
</div>`
}
