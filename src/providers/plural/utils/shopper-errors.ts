/**
 * Two audiences for one failure. A Plural call that fails is logged and thrown in the merchant's words (what
 * happened, the Request-ID, what to do), which the admin shows. The provider hooks a store-API route calls (starting
 * a payment, completing the cart) pass only the shopper's words on: whether to try again or pay another way.
 */
import { MedusaError } from "@medusajs/framework/utils"

/** What a shopper reads; `{reference}` is Plural's Request-ID, something they can quote to the shop. */
export const SHOPPER_ERRORS = {
  unavailable: "Payment by Plural is not available right now. Please try again in a few minutes or choose another payment method.",
  notAnswering: "Plural, our payment partner, is not answering right now. Please try again in a minute.",
  refused: "Plural could not take this payment. Please check your payment details or choose another payment method.",
  alreadyPaid: "This cart is already paid. Please complete your order, or contact the shop to change it.",
} as const

type ShopperError = { type: string; message: string }

/** A provider error in the merchant's words (a failed Plural call, say); `shopper` is what a shopper may read instead. */
export class PluralProviderError extends MedusaError {
  readonly shopper: ShopperError

  constructor(type: string, merchantMessage: string, shopper: ShopperError) {
    super(type, merchantMessage)
    this.shopper = shopper
  }
}

/** The shopper's error for `message`, with Plural's Request-ID as a reference when there is one. */
export function shopperError(type: string, message: string, requestId?: string): ShopperError {
  return { type, message: requestId ? `${message} (reference ${requestId})` : message }
}

/**
 * Marks a provider hook that a store-API route calls: a provider error leaves it in the shopper's words (the
 * merchant's are in the log, or say what the admin would do). Errors about the shopper's own input pass unchanged: they name the field.
 */
export function shopperFacing<T>(_target: object, _name: string, descriptor: TypedPropertyDescriptor<(...args: any[]) => Promise<T>>) {
  const hook = descriptor.value!
  descriptor.value = async function (this: unknown, ...args: unknown[]): Promise<T> {
    try {
      return await hook.apply(this, args)
    } catch (error) {
      if (error instanceof PluralProviderError) throw new MedusaError(error.shopper.type, error.shopper.message)
      throw error
    }
  }
}
