import { MerchantReference, PLURAL_LIMITS } from "../../plural/schemas"
import { orderReference, paymentReference, sessionIdOf } from "../references"

const SESSION = "payses_01JABCDEF0123456789GHJKMNP"

describe("references", () => {
  it("are deterministic: the same session and attempt give the same reference", () => {
    expect(orderReference(SESSION, 1)).toBe(orderReference(SESSION, 1))
    expect(paymentReference(orderReference(SESSION, 2))).toBe(paymentReference(orderReference(SESSION, 2)))
  })

  it("the first attempt is the session id; later attempts carry a suffix", () => {
    expect(orderReference(SESSION, 1)).toBe(SESSION)
    expect(orderReference(SESSION, 0)).toBe(SESSION)
    expect(orderReference(SESSION, 2)).toBe(`${SESSION}-2`)
    expect(orderReference(SESSION, 12)).toBe(`${SESSION}-12`)
    expect(new Set([1, 2, 3, 4].map((a) => orderReference(SESSION, a))).size).toBe(4)
  })

  it("payment references are derived from and differ from the order reference", () => {
    expect(paymentReference(SESSION)).toBe(`${SESSION}-pay`)
    expect(paymentReference(`${SESSION}-3`)).toBe(`${SESSION}-3-pay`)
  })

  it("fit Plural's merchant reference rules for a Medusa session id", () => {
    for (const attempt of [1, 2, 99]) {
      const ref = orderReference(SESSION, attempt)
      expect(MerchantReference.safeParse(ref).success).toBe(true)
      expect(MerchantReference.safeParse(paymentReference(ref)).success).toBe(true)
      expect(paymentReference(ref).length).toBeLessThanOrEqual(PLURAL_LIMITS.referenceMaxLength)
    }
  })

  describe("sessionIdOf", () => {
    it("reads the session id from the metadata the plugin wrote", () => {
      expect(
        sessionIdOf({ merchant_order_reference: "something-else", purchase_details: { merchant_metadata: { medusa_session_id: SESSION } } })
      ).toBe(SESSION)
    })

    it("recovers it from the reference when the metadata is missing", () => {
      expect(sessionIdOf({ merchant_order_reference: SESSION })).toBe(SESSION)
      expect(sessionIdOf({ merchant_order_reference: `${SESSION}-2` })).toBe(SESSION)
      expect(sessionIdOf({ merchant_order_reference: `${SESSION}-17`, purchase_details: { merchant_metadata: {} } })).toBe(SESSION)
    })

    it("round-trips every attempt", () => {
      for (const attempt of [1, 2, 3, 10]) expect(sessionIdOf({ merchant_order_reference: orderReference(SESSION, attempt) })).toBe(SESSION)
    })
  })
})
