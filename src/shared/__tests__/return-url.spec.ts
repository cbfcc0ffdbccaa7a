import { parsePluralOptions } from "../../providers/plural/options"
import { fillReturnUrl, returnUrlTemplateProblem, usesPlaceholder } from "../return-url"

const STARTER_SUCCESS = "https://shop.example.in/{country_code}/order/{order_id}/confirmed"

describe("return URL templates", () => {
  it("fills the Next.js starter's confirmation path", () => {
    expect(fillReturnUrl(STARTER_SUCCESS, { order_id: "order_01J", country_code: "in" })).toBe(
      "https://shop.example.in/in/order/order_01J/confirmed"
    )
  })

  it("URL-encodes every value, so a value cannot add a segment, a query or a fragment", () => {
    const filled = fillReturnUrl("https://shop.example.in/{country_code}/c/{cart_id}", { country_code: "a/b?c#d", cart_id: "x y%" })
    expect(filled).toBe("https://shop.example.in/a%2Fb%3Fc%23d/c/x%20y%25")
    expect(new URL(filled).pathname.split("/")).toHaveLength(4)
  })

  it("leaves out a segment whose placeholder has no value, keeping the query and fragment", () => {
    expect(fillReturnUrl("https://shop.example.in/{country_code}/checkout?step=payment#pay", {})).toBe(
      "https://shop.example.in/checkout?step=payment#pay"
    )
    expect(fillReturnUrl("https://shop.example.in/{cart_id}", { cart_id: "" })).toBe("https://shop.example.in/")
    expect(fillReturnUrl("https://shop.example.in/o-{order_id}-{cart_id}/done", { order_id: "o1" })).toBe("https://shop.example.in/done")
  })

  it("works on relative templates and leaves a URL without placeholders untouched", () => {
    expect(fillReturnUrl("/{country_code}/order/{order_id}/confirmed", { country_code: "in", order_id: "order_1" })).toBe(
      "/in/order/order_1/confirmed"
    )
    expect(fillReturnUrl("https://shop.example.in/order/confirmed?x={y}", { order_id: "o" })).toBe("https://shop.example.in/order/confirmed?x={y}")
  })

  it("sees placeholders in the path only", () => {
    expect(usesPlaceholder(STARTER_SUCCESS, "order_id")).toBe(true)
    expect(usesPlaceholder(STARTER_SUCCESS, "cart_id")).toBe(false)
    expect(usesPlaceholder("https://shop.example.in/done?order={order_id}", "order_id")).toBe(false)
  })

  it("names what is wrong with a template", () => {
    expect(returnUrlTemplateProblem(STARTER_SUCCESS)).toBeUndefined()
    expect(returnUrlTemplateProblem("https://shop.example.in/{country}/done")).toBe(
      "unknown placeholder {country}: use {order_id}, {cart_id}, {country_code}"
    )
    expect(returnUrlTemplateProblem("https://shop.example.in/{order_id}", ["cart_id", "country_code"])).toBe(
      "unknown placeholder {order_id}: use {cart_id}, {country_code}"
    )
    expect(returnUrlTemplateProblem("https://shop.example.in/done?order={order_id}")).toMatch(/in the path only/)
    expect(returnUrlTemplateProblem("https://{country_code}.shop.example.in/done")).toMatch(/in the path only/)
  })
})

describe("the provider's return URL options", () => {
  const base = {
    client_id: "1234567890",
    client_secret: "secret",
    secret_key: "9A7B3C5D1E2F4051",
    webhook_secret: "YWJjMTIzNA==",
    backend_url: "https://api.shop.example.in",
    storefront_success_url: STARTER_SUCCESS,
    storefront_failure_url: "https://shop.example.in/{country_code}/checkout?step=payment",
  }
  const problem = (options: Record<string, unknown>) => {
    try {
      parsePluralOptions({ ...base, ...options })
    } catch (error) {
      return (error as Error).message
    }
    return undefined
  }

  it("accept the starter's placeholders", () => {
    expect(problem({})).toBeUndefined()
    expect(parsePluralOptions(base).storefront_success_url).toBe(STARTER_SUCCESS)
  })

  it("stop boot on an unknown placeholder, or an order id in the failure URL, naming the option", () => {
    expect(problem({ storefront_success_url: "https://shop.example.in/{countrycode}/order/{order_id}/confirmed" })).toContain(
      "storefront_success_url: unknown placeholder {countrycode}"
    )
    expect(problem({ storefront_failure_url: "https://shop.example.in/order/{order_id}/failed" })).toContain(
      "storefront_failure_url: unknown placeholder {order_id}: use {cart_id}, {country_code}"
    )
    expect(problem({ storefront_success_url: "https://shop.example.in/done?o={order_id}" })).toContain("storefront_success_url: placeholders")
  })
})
