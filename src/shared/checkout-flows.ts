/** How a shopper can pay through Plural, and what a UPI id must look like. */
import { UPI_VPA_PATTERN } from "../plural/vpa"

/** Cards and every other method go through Plural's hosted checkout (PCI); UPI can also be paid without leaving. */
export const CHECKOUT_FLOWS = ["hosted", "upi_intent", "upi_collect", "upi_qr"] as const
export type CheckoutFlow = (typeof CHECKOUT_FLOWS)[number]

export { UPI_VPA_PATTERN }

/** Whether `vpa` is a UPI id Plural accepts (such as `name@bank`); surrounding spaces are ignored. */
export function isValidUpiVpa(vpa: string): boolean {
  return UPI_VPA_PATTERN.test(vpa.trim())
}
