/**
 * CSV for a spreadsheet (RFC 4180, CRLF line ends), safe to open: a cell a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) is prefixed with a single quote, so "=HYPERLINK(…)" typed into a
 * name field is shown as text, never evaluated.
 */
export type CsvCell = string | number | boolean | Date | null | undefined

const FORMULA_START = /^[=+\-@\t\r]/

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return ""
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  const text = value instanceof Date ? value.toISOString() : value
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function toCsv<T>(columns: readonly { header: string; value: (row: T) => CsvCell }[], rows: readonly T[]): string {
  const line = (cells: CsvCell[]) => cells.map(csvCell).join(",")
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => c.value(row))))].join("\r\n") + "\r\n"
}
