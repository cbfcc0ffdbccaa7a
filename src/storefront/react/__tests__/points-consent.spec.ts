/**
 * Pay by points in the server render: the opt-in only where the store offers points, the consent text with an
 * unticked agreement once opted in, no card number in the markup, and a pay button that waits for the agreement.
 */
import { createElement } from "react"
import { renderToString } from "react-dom/server"
import { PluralPayButton, PluralPointsConsent, type PluralChoice } from "../index"

const client = { baseUrl: "http://store.test", publishableKey: "pk_test" }
const consent = { text_version: "v2", text: "I agree that my card reward points pay for this order.", consent: null }
const optedIn: PluralChoice = { flow: "hosted", upiVpa: "", payWithPoints: true }
/** The `<input>` tag with this test id, or undefined. */
const input = (html: string, testId: string) => html.match(new RegExp(`<input[^>]*data-testid="${testId}"[^>]*>`))?.[0]
const render = (props: Partial<Parameters<typeof PluralPointsConsent>[0]>) =>
  renderToString(createElement(PluralPointsConsent, { client, cartId: "cart_1", ...props }))

describe("PluralPointsConsent", () => {
  it("renders nothing before the store said whether it offers points, nor when it does not", () => {
    expect(render({})).toBe("")
    expect(render({ consent: null })).toBe("")
  })

  it("offers an unticked opt-in and keeps the consent text back until the shopper opts in", () => {
    const html = render({ consent })
    expect(input(html, "plural-points-opt-in")).toContain('type="checkbox"')
    expect(input(html, "plural-points-opt-in")).not.toContain("checked")
    expect(html).not.toContain("plural-points-consent-text")
    expect(html).not.toContain("plural-points-card-number")
  })

  it("once opted in, shows the consent text with an unticked agreement and the balance check", () => {
    const html = render({ consent, value: optedIn })
    expect(html).toContain(consent.text)
    expect(input(html, "plural-points-agree")).not.toContain("checked")
    expect(input(html, "plural-points-card-number")).not.toContain("name=")
    expect(render({ consent, value: optedIn, balanceCheck: false })).not.toContain("plural-points-card-number")
  })

  it("shows the agreement ticked for a consent given, and nothing for a UPI flow", () => {
    expect(input(render({ consent, value: { ...optedIn, pointsConsentId: "plcon_1" } }), "plural-points-agree")).toContain('checked=""')
    expect(render({ consent, value: { ...optedIn, flow: "upi_qr" } })).toBe("")
  })

  it("the pay button waits for the agreement once the shopper opted in", () => {
    const props = { client, cart: { id: "cart_1" }, confirmationUrl: "/order/{order_id}" }
    const waiting = renderToString(createElement(PluralPayButton, { ...props, choice: optedIn }))
    expect(waiting).toMatch(/<button[^>]*disabled/)
    expect(waiting).toContain("plural-needs-points-consent")
    const agreed = renderToString(createElement(PluralPayButton, { ...props, choice: { ...optedIn, pointsConsentId: "plcon_1" } }))
    expect(agreed).not.toMatch(/<button[^>]*disabled/)
    expect(agreed).not.toContain("plural-needs-points-consent")
  })
})
