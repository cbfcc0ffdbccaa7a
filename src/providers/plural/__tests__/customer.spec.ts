import type { PaymentCustomerDTO } from "@medusajs/framework/types"
import { Customer, PLURAL_LIMITS } from "../../../plural/schemas"
import { customerOf } from "../utils/customer"

const base: PaymentCustomerDTO = {
  id: "cus_01HZX7Q8R9S0T1V2W3X4Y5Z6A7",
  email: "kevin.bob@example.com",
  first_name: "Kevin",
  last_name: "Bob",
  phone: "+91 98765 43210",
}

/** Every key at every depth, so `undefined` cannot hide in a nested object. */
function undefinedPaths(value: unknown, path = ""): string[] {
  if (value === null || typeof value !== "object") return []
  return Object.entries(value).flatMap(([k, v]) =>
    v === undefined ? [`${path}${k}`] : undefinedPaths(v, `${path}${k}.`)
  )
}

describe("customerOf", () => {
  it("is undefined without a customer", () => {
    expect(customerOf(undefined)).toBeUndefined()
  })

  it("maps a Medusa customer to Plural's customer", () => {
    const customer = customerOf({
      ...base,
      billing_address: {
        address_1: "H.No 15, Sector 17",
        address_2: "Near the park",
        company: "Acme",
        postal_code: "160 017",
        city: "Chandigarh",
        province: "Punjab",
        country_code: "in",
      },
    })
    expect(customer).toEqual({
      email_id: "kevin.bob@example.com",
      first_name: "Kevin",
      last_name: "Bob",
      customer_id: "cus_01HZX7Q8R9S0T1V2W3X4Y5Z6A7",
      mobile_number: "9876543210",
      country_code: "91",
      billing_address: {
        address1: "H.No 15, Sector 17",
        address2: "Near the park",
        address3: "Acme",
        pincode: "160017",
        city: "Chandigarh",
        state: "Punjab",
        country: "IN",
      },
    })
    expect(Customer.safeParse(customer).success).toBe(true)
  })

  it.each([
    ["+91 98765 43210", "9876543210", "91"],
    ["+91-98765-43210", "9876543210", "91"],
    ["919876543210", "9876543210", "91"],
    ["09876543210", "9876543210", "91"],
    ["9876543210", "9876543210", "91"],
    ["(987) 654-3210", "9876543210", "91"],
    ["+1 415 555 2671", "4155552671", "1"],
    ["+44 7911 123456", "7911123456", "44"],
  ])("normalises the phone %p to %p with country code %p", (phone, mobile, country) => {
    const customer = customerOf({ ...base, phone })!
    expect(customer.mobile_number).toBe(mobile)
    expect(customer.country_code).toBe(country)
    expect(Customer.safeParse(customer).success).toBe(true)
  })

  it.each(["12345", "", "abc", "+91 12345"])("drops a phone too short to be a mobile number (%p)", (phone) => {
    const customer = customerOf({ ...base, phone })!
    expect(customer).not.toHaveProperty("mobile_number")
    expect(customer).not.toHaveProperty("country_code")
  })

  it("drops a phone whose leftover digits cannot be a country code, so Plural's request stays valid", () => {
    for (const phone of ["+91 98765 43210 ext 123", "0044 1234 5678 9012 3456"]) {
      const customer = customerOf({ ...base, phone })!
      expect(Customer.safeParse(customer).success).toBe(true)
      expect(customer).not.toHaveProperty("mobile_number")
      expect(customer).not.toHaveProperty("country_code")
    }
  })

  it("falls back to the billing address phone", () => {
    const customer = customerOf({ ...base, phone: null, billing_address: { phone: "98765 43210" } })!
    expect(customer.mobile_number).toBe("9876543210")
    expect(customer.country_code).toBe("91")
  })

  it("clips names, customer id and address lines to Plural's limits", () => {
    const long = "x".repeat(300)
    const customer = customerOf({
      ...base,
      id: `cus_${long}`,
      first_name: `  ${long}  `,
      last_name: long,
      billing_address: { address_1: long, address_2: long, company: long, city: long, province: long, postal_code: "1".repeat(20) },
    })!
    expect(customer.first_name).toHaveLength(PLURAL_LIMITS.nameMaxLength)
    expect(customer.last_name).toHaveLength(PLURAL_LIMITS.nameMaxLength)
    expect(customer.customer_id).toHaveLength(PLURAL_LIMITS.customerIdMaxLength)
    expect(customer.billing_address?.address1).toHaveLength(PLURAL_LIMITS.addressLineMaxLength)
    expect(customer.billing_address?.city).toHaveLength(PLURAL_LIMITS.placeMaxLength)
    expect(customer.billing_address?.pincode).toHaveLength(PLURAL_LIMITS.pincodeMaxLength)
    expect(Customer.safeParse(customer).success).toBe(true)
  })

  it("keeps an email of exactly the limit, drops a longer one rather than cutting it", () => {
    const exact = `${"a".repeat(PLURAL_LIMITS.emailMaxLength - "@example.com".length)}@example.com`
    expect(customerOf({ ...base, email: exact })!.email_id).toBe(exact)
    const tooLong = `a${exact}`
    const customer = customerOf({ ...base, email: tooLong })!
    expect(customer).not.toHaveProperty("email_id")
    expect(JSON.stringify(customer)).not.toContain("example.com")
    expect(customerOf({ ...base, email: "  kevin@example.com  " })!.email_id).toBe("kevin@example.com")
  })

  it("has no undefined keys, at any depth", () => {
    const sparse = customerOf({
      id: "cus_1",
      email: "",
      first_name: null,
      last_name: "   ",
      phone: null,
      billing_address: { city: "Pune", address_2: null, postal_code: null },
    })!
    expect(undefinedPaths(sparse)).toEqual([])
    expect(sparse).toEqual({ customer_id: "cus_1", billing_address: { city: "Pune" } })
  })

  it("omits an empty billing address", () => {
    const customer = customerOf({ ...base, billing_address: { address_1: "  ", city: null } })!
    expect(customer).not.toHaveProperty("billing_address")
    expect(undefinedPaths(customer)).toEqual([])
  })
})
