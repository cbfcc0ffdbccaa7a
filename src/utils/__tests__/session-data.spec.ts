import { MedusaError } from "@medusajs/framework/utils"
import { parseSessionData, parseSessionRequest } from "../session-data"

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error("expected an error")
}

describe("parseSessionRequest", () => {
  it("defaults to hosted checkout", () => {
    expect(parseSessionRequest(undefined)).toEqual({ flow: "hosted" })
    expect(parseSessionRequest({})).toEqual({ flow: "hosted" })
  })

  it("accepts each flow", () => {
    expect(parseSessionRequest({ flow: "upi_intent" }).flow).toBe("upi_intent")
    expect(parseSessionRequest({ flow: "upi_qr" }).flow).toBe("upi_qr")
    expect(parseSessionRequest({ flow: "upi_collect", upi_vpa: "kevin.bob@examplebank" })).toEqual({
      flow: "upi_collect",
      upi_vpa: "kevin.bob@examplebank",
    })
    expect(parseSessionRequest({ flow: "hosted", points_consent_id: "plcon_01JTEST" }).points_consent_id).toBe("plcon_01JTEST")
    // The old boolean is no consent: it is dropped, so no POINTS follow from it.
    expect(parseSessionRequest({ flow: "hosted", pay_by_points_consent: true })).toEqual({ flow: "hosted" })
  })

  it("a UPI collect without upi_vpa is an error naming upi_vpa", () => {
    const error = errorOf(() => parseSessionRequest({ flow: "upi_collect" }))
    expect(error).toBeInstanceOf(MedusaError)
    expect((error as MedusaError).type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("upi_vpa")
    expect(errorOf(() => parseSessionRequest({ flow: "upi_collect", upi_vpa: "" })).message).toContain("upi_vpa")
  })

  it.each(["kevin", "kevin@", "@bank", "kevin bob@bank", "kevin@1bank", "a@b", `${"a".repeat(95)}@bank1`])(
    "rejects the VPA %p, naming upi_vpa",
    (vpa) => {
      const error = errorOf(() => parseSessionRequest({ flow: "upi_collect", upi_vpa: vpa }))
      expect(error).toBeInstanceOf(MedusaError)
      expect(error.message).toContain("upi_vpa")
    }
  )

  it.each(["kevin.bob@examplebank", "9876543210@ybl", "shop_1-a@okhdfcbank"])("accepts the VPA %p", (vpa) => {
    expect(parseSessionRequest({ flow: "upi_collect", upi_vpa: vpa }).upi_vpa).toBe(vpa)
  })

  it("rejects cards and unknown flows: cards go through hosted checkout", () => {
    expect(errorOf(() => parseSessionRequest({ flow: "card" })).message).toContain("flow")
    expect(errorOf(() => parseSessionRequest({ flow: "hosted", points_consent_id: "yes" })).message).toContain("points_consent_id")
  })
})

describe("parseSessionData", () => {
  const valid = {
    flow: "hosted",
    session_id: "payses_1",
    plural_order_id: "v1-1",
    merchant_order_reference: "payses_1",
    attempt: 1,
    amount: 49950,
    currency_code: "inr",
    pre_auth: false,
  }

  it("accepts what the provider stores", () => {
    expect(parseSessionData(valid)).toEqual(valid)
  })

  it("a session the provider did not create is a clear error", () => {
    const error = errorOf(() => parseSessionData({ flow: "hosted" }))
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.message).toMatch(/no Plural order/)
    expect(errorOf(() => parseSessionData(undefined))).toBeInstanceOf(MedusaError)
    expect(errorOf(() => parseSessionData({ ...valid, amount: 499.5 })).message).toContain("amount")
  })
})
