/**
 * A failed Plural call in Medusa's terms: a MedusaError in the merchant's words (what happened, Plural's Request-ID,
 * what to do next), carrying what a shopper may read instead (see `utils/shopper-errors`).
 */
import type { Logger } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { PluralApiError, PluralError, PluralNetworkError } from "../../plural"
import { PluralProviderError, SHOPPER_ERRORS, shopperError } from "./utils/shopper-errors"

/** The call may or may not have reached Plural: no answer, or a server error. */
export function isUnknownOutcome(error: unknown): boolean {
  return error instanceof PluralNetworkError || (error instanceof PluralApiError && ((error.status ?? 500) >= 500 || error.status === 429))
}

/** `action` completes "could not …" ("capture the payment"); the failure is logged once, here. */
export function toMedusaError(action: string, error: unknown, logger: Pick<Logger, "warn" | "error">): MedusaError {
  if (error instanceof MedusaError) return error
  const { UNEXPECTED_STATE, NOT_ALLOWED, INVALID_DATA } = MedusaError.Types
  if (!(error instanceof PluralError)) {
    logger.error(`Plural: could not ${action}: ${(error as Error)?.message}`)
    return new PluralProviderError(UNEXPECTED_STATE, `Plural: could not ${action}`, shopperError(UNEXPECTED_STATE, SHOPPER_ERRORS.unavailable))
  }
  const ref = error.requestId ? ` (Request-ID ${error.requestId})` : ""
  logger.warn(`Plural: could not ${action}: ${error.message}${ref}`)
  if (error instanceof PluralNetworkError || (error instanceof PluralApiError && (error.status ?? 500) >= 500)) {
    return new PluralProviderError(
      UNEXPECTED_STATE,
      `Plural is not answering right now, so we could not ${action}${ref}. Nothing was done twice: try again in a minute — the retry is keyed to the same Medusa id.`,
      shopperError(UNEXPECTED_STATE, SHOPPER_ERRORS.notAnswering, error.requestId)
    )
  }
  if (error instanceof PluralApiError && error.status === 422) {
    return new PluralProviderError(NOT_ALLOWED, `Plural refused to ${action}: ${error.message}${ref}`, shopperError(NOT_ALLOWED, SHOPPER_ERRORS.refused, error.requestId))
  }
  // Credentials refused, a request or answer Plural's API does not document: the merchant's to fix, not the shopper's.
  return new PluralProviderError(INVALID_DATA, `Plural: could not ${action}: ${error.message}${ref}`, shopperError(UNEXPECTED_STATE, SHOPPER_ERRORS.unavailable, error.requestId))
}
