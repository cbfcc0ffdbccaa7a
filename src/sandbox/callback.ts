/**
 * The shopper's browser return to the merchant: `order_id`, the status (under `payment_status` or `status`), on
 * failure `error_code` and `error_message`, and `signature` over all of them (docs/decisions.md, "The browser return signature"). Delivered as an
 * auto-submitting form POST (default) or a 303 redirect with a query string.
 */
import { signCallback } from "../plural/signatures"
import { html, type Reply } from "./http"
import type { PaymentResult } from "./orders"
import type { RuntimeConfig } from "./options"
import { escapeHtml, page } from "./page-layout"

export type BrowserReturn = {
  /** null when the order has no callback URL: the sandbox then shows the result itself. */
  url: string | null
  method: "POST" | "GET"
  fields: Record<string, string>
}

export function browserReturn(result: PaymentResult, config: RuntimeConfig): BrowserReturn {
  const { order, merchant } = result.record
  const fields: Record<string, string> = { order_id: order.order_id, [config.callbackStatusKey]: result.paymentStatus }
  if (result.error) {
    fields.error_code = result.error.code
    fields.error_message = result.error.message
  }
  fields.signature = signCallback(fields, merchant.secret_key)
  const url = (result.succeeded ? order.callback_url : (order.failure_callback_url ?? order.callback_url)) ?? null
  return { url, method: config.callbackMode === "query" ? "GET" : "POST", fields }
}

/** What the browser receives after the shopper submits the sandbox page. */
export function browserReturnReply(ret: BrowserReturn): Reply {
  if (!ret.url) return html(200, resultPage(ret.fields))
  if (ret.method === "GET") {
    const target = new URL(ret.url)
    for (const [key, value] of Object.entries(ret.fields)) target.searchParams.set(key, value)
    return { status: 303, headers: { location: target.toString() }, body: "" }
  }
  const inputs = Object.entries(ret.fields)
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join("\n")
  return html(
    200,
    page(
      "Returning to the merchant",
      `<form id="return" method="POST" action="${escapeHtml(ret.url)}">
${inputs}
<p>Returning you to the merchant… <button type="submit" data-testid="continue">Continue</button></p>
</form>
<script>document.getElementById("return").submit()</script>`
    )
  )
}

function resultPage(fields: Record<string, string>): string {
  const rows = Object.entries(fields)
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td data-testid="field-${escapeHtml(key)}">${escapeHtml(value)}</td></tr>`)
    .join("")
  return page("Payment finished", `<h1>Payment finished</h1><p>The order has no callback_url, so the browser return ends here.</p><table>${rows}</table>`)
}
