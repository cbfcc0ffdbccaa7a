import { BigNumber, MathBN } from "@medusajs/framework/utils"
import { currencyDecimals, fromMinorUnits, toMinorUnits } from "../money"

describe("currencyDecimals", () => {
  it("knows INR has 2 decimals and JPY none, in any case", () => {
    expect(currencyDecimals("inr")).toBe(2)
    expect(currencyDecimals("INR")).toBe(2)
    expect(currencyDecimals("jpy")).toBe(0)
  })
})

describe("toMinorUnits (INR)", () => {
  it.each([
    [0, 0],
    [1, 100],
    [499.5, 49950],
    [499.99, 49999],
    [0.01, 1],
    [0.1 + 0.2, 30], // float noise never leaks into paise
    [1e7, 1_000_000_000],
    [1234567.89, 123456789],
    ["499.99", 49999],
    [19.99, 1999],
    [4.35, 435], // 4.35 * 100 is 434.99999999999994 in floats
    [1.005, 101], // half a paisa rounds up (1.005 is 1.00499999… as a float, but 1.005 in decimal)
  ])("%p rupees are %p paise", (rupees, paise) => {
    expect(toMinorUnits(rupees as any, "inr")).toBe(paise)
    expect(Number.isInteger(toMinorUnits(rupees as any, "inr"))).toBe(true)
  })

  it("rounds half a paisa up: 499.505 → 49951, 499.504 → 49950", () => {
    expect(toMinorUnits(499.505, "inr")).toBe(49951)
    expect(toMinorUnits("499.505", "inr")).toBe(49951)
    expect(toMinorUnits(499.504, "inr")).toBe(49950)
  })

  it("takes Medusa BigNumber inputs", () => {
    expect(toMinorUnits(new BigNumber(499.5), "inr")).toBe(49950)
    expect(toMinorUnits(new BigNumber("1234.56"), "inr")).toBe(123456)
    expect(toMinorUnits(MathBN.convert("0.07"), "inr")).toBe(7)
  })

  it("takes Medusa raw {value, precision} inputs", () => {
    expect(toMinorUnits({ value: "499.99", precision: 20 } as any, "inr")).toBe(49999)
    expect(toMinorUnits(new BigNumber({ value: "499.505", precision: 20 }), "inr")).toBe(49951)
    expect(toMinorUnits({ value: "10000000", precision: 20 } as any, "inr")).toBe(1_000_000_000)
  })

  it.each([
    ["-1", -1],
    ["-0.01", -0.01],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a word", "abc"],
  ])("rejects %s", (_name, value) => {
    expect(() => toMinorUnits(value as any, "inr")).toThrow(/not a payable amount/)
  })
})

describe("toMinorUnits (JPY, zero decimals)", () => {
  it.each([
    [0, 0],
    [1, 1],
    [1500, 1500],
    [1499.5, 1500],
    [1499.4, 1499],
  ])("%p yen are %p minor units", (yen, minor) => {
    expect(toMinorUnits(yen, "jpy")).toBe(minor)
  })
})

describe("fromMinorUnits", () => {
  it.each([
    [0, 0],
    [1, 0.01],
    [100, 1],
    [49950, 499.5],
    [49999, 499.99],
    [1_000_000_000, 1e7],
  ])("%p paise are %p rupees", (paise, rupees) => {
    const result = fromMinorUnits(paise, "inr")
    expect(result).toBeInstanceOf(BigNumber)
    expect(result.numeric).toBe(rupees)
    expect(MathBN.eq(result, rupees)).toBe(true)
  })

  it("JPY minor units are yen", () => {
    expect(fromMinorUnits(1500, "jpy").numeric).toBe(1500)
  })

  it("round-trips every 2-decimal INR amount it is given", () => {
    const amounts = [0, 0.01, 0.1, 0.99, 1, 4.35, 19.99, 499.5, 499.99, 1000.01, 99999.99, 1e7]
    for (let i = 0; i < 500; i++) amounts.push(Math.round(i * 7919.37) / 100)
    for (const amount of amounts) {
      const back = fromMinorUnits(toMinorUnits(amount, "inr"), "inr")
      expect(MathBN.eq(back, amount)).toBe(true)
      expect(back.numeric).toBe(amount)
    }
  })

  it("round-trips yen", () => {
    for (const yen of [0, 1, 999, 123456]) expect(fromMinorUnits(toMinorUnits(yen, "jpy"), "jpy").numeric).toBe(yen)
  })

  it.each([
    ["negative", -1],
    ["NaN", Number.NaN],
    ["fractional", 1.5],
    ["infinite", Number.POSITIVE_INFINITY],
  ])("rejects a %s minor amount", (_name, minor) => {
    expect(() => fromMinorUnits(minor, "inr")).toThrow()
  })
})
