/**
 * Medusa keeps amounts in major units (rupees, as BigNumber); Plural wants integer minor units (paise). Conversion
 * is decimal, never float: half a paisa rounds up, and `fromMinorUnits(toMinorUnits(x))` is `x` for any amount
 * with at most the currency's number of decimals.
 */
import type { BigNumberInput } from "@medusajs/framework/types"
import { BigNumber, MathBN, MedusaError } from "@medusajs/framework/utils"

/** How many decimals the currency has (2 for INR; 0 for JPY…), from the runtime's ISO 4217 data. */
export function currencyDecimals(currencyCode: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode.toUpperCase() }).resolvedOptions()
    .maximumFractionDigits ?? 2
}

export function toMinorUnits(amount: BigNumberInput, currencyCode: string): number {
  const minor = MathBN.convert(MathBN.mult(amount, 10 ** currencyDecimals(currencyCode)), 0)
  if (!minor.isFinite() || minor.isNegative() || minor.gt(Number.MAX_SAFE_INTEGER)) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `amount: ${MathBN.convert(amount).toString()} is not a payable amount`)
  }
  return minor.toNumber()
}

export function fromMinorUnits(minor: number, currencyCode: string): BigNumber {
  // Minor units are whole and never negative: anything else is a unit mix-up, not an amount to book.
  if (!Number.isSafeInteger(minor) || minor < 0) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `amount: ${minor} is not a whole number of minor units`)
  }
  return new BigNumber(MathBN.div(minor, 10 ** currencyDecimals(currencyCode)))
}

/** Minor units as a merchant reads them in a message: "INR 499.50". Exact (decimal, not float). */
export function formatMinor(minor: number, currencyCode: string): string {
  const decimals = currencyDecimals(currencyCode)
  return `${currencyCode.toUpperCase()} ${MathBN.convert(minor).div(10 ** decimals).toFixed(decimals)}`
}
