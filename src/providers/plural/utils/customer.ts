/** Medusa's customer (from the payment context) as Plural's `purchase_details.customer`, within Plural's limits. */
import type { PaymentAddressDTO, PaymentCustomerDTO } from "@medusajs/framework/types"
import { type Address, type Customer, PLURAL_LIMITS } from "../../../plural/schemas"

const clip = (value: string | null | undefined, max: number) => {
  const text = value?.trim()
  return text ? text.slice(0, max) : undefined
}

/** Indian mobile numbers as Plural wants them: the last 10 digits, country code apart. */
function mobile(phone: string | null | undefined): { mobile_number?: string; country_code?: string } {
  const digits = (phone ?? "").replace(/\D/g, "")
  if (digits.length < 10) return {}
  const national = digits.slice(-10)
  const country = digits.slice(0, -10).replace(/^0+/, "")
  // More leading digits than any country code (an extension, two numbers run together): not a number we can send.
  if (country.length > 4) return {}
  return { mobile_number: national, country_code: country || "91" }
}

function address(a: PaymentAddressDTO | null | undefined): Address | undefined {
  if (!a) return undefined
  const L = PLURAL_LIMITS
  const result: Address = {
    address1: clip(a.address_1, L.addressLineMaxLength),
    address2: clip(a.address_2, L.addressLineMaxLength),
    address3: clip(a.company, L.addressLineMaxLength),
    pincode: clip(a.postal_code?.replace(/\s/g, ""), L.pincodeMaxLength),
    city: clip(a.city, L.placeMaxLength),
    state: clip(a.province, L.placeMaxLength),
    country: clip(a.country_code?.toUpperCase(), L.placeMaxLength),
  }
  return Object.values(result).some(Boolean) ? withoutUndefined(result) : undefined
}

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

export function customerOf(customer: PaymentCustomerDTO | undefined): Customer | undefined {
  if (!customer) return undefined
  const L = PLURAL_LIMITS
  const email = customer.email?.trim()
  const billing = address(customer.billing_address)
  const result: Customer = {
    // An address longer than Plural accepts is dropped rather than cut: a cut email is a wrong email.
    email_id: email && email.length <= L.emailMaxLength ? email : undefined,
    first_name: clip(customer.first_name, L.nameMaxLength),
    last_name: clip(customer.last_name, L.nameMaxLength),
    customer_id: clip(customer.id, L.customerIdMaxLength),
    ...mobile(customer.phone ?? customer.billing_address?.phone),
    billing_address: billing,
  }
  return withoutUndefined(result)
}
