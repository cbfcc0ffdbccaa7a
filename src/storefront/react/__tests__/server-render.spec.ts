/**
 * The components render on the server as well (Next.js renders client components there first): no `window` during
 * render, and the markup the shopper first sees.
 */
import { createElement } from "react"
import { renderToString } from "react-dom/server"
import { PluralPayButton, PluralPaymentChoice, PluralReturnStatus } from "../index"

const client = { baseUrl: "http://store.test", publishableKey: "pk_test" }

describe("server rendering", () => {
  it("the payment choice offers the four flows, hosted chosen, without touching the browser", () => {
    const html = renderToString(createElement(PluralPaymentChoice, { cartId: "cart_1" }))
    for (const flow of ["hosted", "upi_intent", "upi_collect", "upi_qr"]) expect(html).toContain(`data-testid="plural-flow-${flow}"`)
    expect(html).toMatch(/<input[^>]*plural-flow-hosted[^>]*checked=""/)
    expect(html).not.toMatch(/<input[^>]*plural-flow-upi_qr[^>]*checked=""/)
    expect(html).not.toContain("plural-upi-vpa")
  })

  it("a controlled UPI collect choice shows the UPI ID field and flags an invalid one", () => {
    const html = renderToString(
      createElement(PluralPaymentChoice, { cartId: "cart_1", flows: ["upi_collect"], value: { flow: "upi_collect", upiVpa: "not a vpa" } })
    )
    expect(html).toContain('data-testid="plural-upi-vpa"')
    expect(html).toContain("Enter your UPI ID, such as name@bank")
  })

  it("the pay button is enabled for hosted, and disabled until a UPI collect has a valid UPI ID", () => {
    const props = { client, cart: { id: "cart_1" }, confirmationUrl: "/{country_code}/order/{order_id}/confirmed" }
    expect(renderToString(createElement(PluralPayButton, props))).not.toMatch(/<button[^>]*disabled/)
    const collect = renderToString(createElement(PluralPayButton, { ...props, choice: { flow: "upi_collect", upiVpa: "" } }))
    expect(collect).toMatch(/<button[^>]*disabled/)
    expect(collect).toContain("plural-needs-vpa")
    const valid = renderToString(createElement(PluralPayButton, { ...props, choice: { flow: "upi_collect", upiVpa: "asha@okbank" } }))
    expect(valid).not.toMatch(/<button[^>]*disabled/)
  })

  it("the return handling renders nothing before it has read the browser's URL", () => {
    expect(renderToString(createElement(PluralReturnStatus, { client, confirmationUrl: "/order/{order_id}" }))).toBe("")
  })
})
