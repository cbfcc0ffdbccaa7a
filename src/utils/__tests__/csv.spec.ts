import { csvCell, toCsv } from "../csv"

describe("csvCell", () => {
  it.each([
    ["=HYPERLINK(\"http://evil.example\",\"click\")", `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ["+91 98765 43210", "'+91 98765 43210"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\tcmd", "'\tcmd"],
    ["\r=1", `"'\r=1"`],
  ])("a cell a spreadsheet would run as a formula, %p, is text", (value, expected) => {
    expect(csvCell(value)).toBe(expected)
  })

  it("quotes commas, quotes and line breaks; leaves plain text as it is", () => {
    expect(csvCell("plain text")).toBe("plain text")
    expect(csvCell("a, b")).toBe('"a, b"')
    expect(csvCell('say "yes"')).toBe('"say ""yes"""')
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"')
  })

  it("writes numbers, booleans and dates as values and nothing for null", () => {
    expect(csvCell(-12.5)).toBe("-12.5")
    expect(csvCell(true)).toBe("true")
    expect(csvCell(new Date("2026-11-30T09:00:00.000Z"))).toBe("2026-11-30T09:00:00.000Z")
    expect(csvCell(null)).toBe("")
    expect(csvCell(undefined)).toBe("")
  })
})

describe("toCsv", () => {
  it("a header line then one line per row, CRLF-terminated", () => {
    const csv = toCsv(
      [
        { header: "id", value: (r: { id: string; note: string }) => r.id },
        { header: "note", value: (r: { id: string; note: string }) => r.note },
      ],
      [
        { id: "plcon_1", note: "=1+1" },
        { id: "plcon_2", note: "fine" },
      ]
    )
    expect(csv).toBe("id,note\r\nplcon_1,'=1+1\r\nplcon_2,fine\r\n")
  })
})
