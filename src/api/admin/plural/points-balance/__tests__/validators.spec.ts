/**
 * POST /admin/plural/points-balance validates its own body so that no card number ever reaches an error answer
 * or a log line: every message names the field and its rule, never the value received.
 */
import { Readable } from "node:stream"
import middlewares from "../../../../middlewares"
import { parseJsonBody } from "../../../../utils/body-without-echo"
import { parsePointsBalanceBody, POINTS_BALANCE_MAX_BODY_BYTES, validatePointsBalanceBody } from "../validators"

const CARD = "4111111111111111"
const LONG_DIGIT_RUN = /\d{12,}/
const VALID = { card_number: CARD, registered_mobile_number: "9876543210", amount: 499.5 }

function expectNoEcho(message: string) {
  expect(message).not.toContain(CARD)
  expect(message).not.toMatch(LONG_DIGIT_RUN)
  expect(message).not.toMatch(/received/i)
  expect(message).not.toContain("9876543210")
}

function failure(body: unknown): string {
  const result = parsePointsBalanceBody(body)
  if (result.success) throw new Error("expected the body to be refused")
  expectNoEcho(result.message)
  return result.message
}

describe("parsePointsBalanceBody", () => {
  it("a card number sent as a JSON number: names the field and the rule, never the digits", () => {
    const message = failure({ ...VALID, card_number: 4111111111111111 })
    expect(message).toBe("card_number: must be a string of 12 to 19 digits")
  })

  it.each([
    ["letters among the digits", "4111x11111111111"],
    ["a long run of digits with a letter", "41111111111111a1"],
    ["spaces", "4111 1111 1111 1111"],
    ["too many digits", "41111111111111111111111"],
    ["too few digits", "41111111111"],
    ["an empty string", ""],
  ])("a card number with %s", (_name, card_number) => {
    const message = failure({ ...VALID, card_number })
    expect(message).toContain("card_number")
    expect(message).toContain("12 to 19 digits")
    expect(message).not.toContain(card_number || "\u0000")
  })

  it.each([
    ["an object", { number: CARD }],
    ["an array", [CARD]],
    ["null", null],
    ["a boolean", true],
  ])("a card number that is %s", (_name, card_number) => {
    expect(failure({ ...VALID, card_number })).toBe("card_number: must be a string of 12 to 19 digits")
  })

  it("a missing card number", () => {
    const { card_number: _gone, ...rest } = VALID
    expect(failure(rest)).toBe("card_number: must be a string of 12 to 19 digits")
  })

  it("names every invalid field, each once", () => {
    const message = failure({ card_number: Number(CARD), registered_mobile_number: 9876543210, amount: -1, currency_code: "rupees" })
    expect(message).toBe(
      "card_number: must be a string of 12 to 19 digits; registered_mobile_number: must be a string of 10 digits; " +
        "amount: must be a positive number; currency_code: must be a three-letter currency code such as inr"
    )
  })

  it.each([["a string", CARD], ["an array", [VALID]], ["null", null], ["a number", Number(CARD)]])(
    "a body that is %s is not an object",
    (_name, body) => {
      expect(failure(body)).toBe("body: must be a JSON object")
    }
  )

  it("accepts a valid body, defaults the currency and drops unknown fields", () => {
    expect(parsePointsBalanceBody({ ...VALID, extra: "x" })).toEqual({
      success: true,
      data: { ...VALID, currency_code: "inr" },
    })
    expect(parsePointsBalanceBody({ ...VALID, currency_code: "INR" })).toEqual({
      success: true,
      data: { ...VALID, currency_code: "INR" },
    })
  })
})

describe("parseJsonBody", () => {
  // JSON.parse's own messages quote the input: `Unexpected token '4', "4111111111111111 x" is not valid JSON`.
  it.each([`${CARD} x`, `x${CARD}`, `{"card_number": x${CARD}}`, `{"card_number": ${CARD},}`])(
    "a malformed body %s is refused without quoting it",
    (raw) => {
      const result = parseJsonBody(Buffer.from(raw))
      expect(result).toEqual({ success: false, message: "body: must be valid JSON" })
    }
  )

  it("parses valid JSON", () => {
    expect(parseJsonBody(JSON.stringify(VALID))).toEqual({ success: true, body: VALID })
  })
})

// ---- The middleware ------------------------------------------------------------------------------------------

function fakeRequest(raw: string | Buffer | undefined, headers: Record<string, string> = { "content-type": "application/json" }) {
  const req = Readable.from(raw === undefined ? [] : [Buffer.from(raw)]) as any
  req.headers = headers
  return req
}

function fakeResponse() {
  const res: any = {}
  res.status = jest.fn(() => res)
  res.json = jest.fn(() => res)
  return res
}

async function run(req: any) {
  const res = fakeResponse()
  const next = jest.fn()
  await validatePointsBalanceBody()(req, res, next)
  return { req, res, next }
}

describe("validatePointsBalanceBody", () => {
  const logs: jest.SpyInstance[] = []
  beforeEach(() => {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) logs.push(jest.spyOn(console, level))
  })
  afterEach(() => {
    for (const spy of logs) expect(spy).not.toHaveBeenCalled()
    jest.restoreAllMocks()
    logs.length = 0
  })

  const expect400 = (res: any, next: jest.Mock) => {
    expect(next).not.toHaveBeenCalled()
    expect(res.status).toHaveBeenCalledWith(400)
    const [answer] = res.json.mock.calls[0]
    expect(answer.type).toBe("invalid_data")
    expectNoEcho(answer.message)
    expectNoEcho(JSON.stringify(answer))
    return answer.message as string
  }

  it("answers 400 invalid_data for a card number sent as a number, without the number", async () => {
    const { res, next } = await run(fakeRequest(`{"card_number": ${CARD}, "registered_mobile_number": "9876543210", "amount": 10}`))
    expect(expect400(res, next)).toBe("card_number: must be a string of 12 to 19 digits")
  })

  it("answers 400 for a malformed body without quoting it", async () => {
    const { res, next } = await run(fakeRequest(`${CARD} x`))
    expect(expect400(res, next)).toBe("body: must be valid JSON")
  })

  it("answers 400 for an empty body", async () => {
    const { res, next } = await run(fakeRequest(undefined))
    expect(expect400(res, next)).toBe("body: must be valid JSON")
  })

  it("answers 400 for a body that is not JSON", async () => {
    const { res, next } = await run(fakeRequest(`card_number=${CARD}`, { "content-type": "application/x-www-form-urlencoded" }))
    expect(expect400(res, next)).toBe("body: must be JSON, sent with content-type application/json")
  })

  it("answers 400 for a body over the limit, without reading it all", async () => {
    const big = JSON.stringify({ ...VALID, padding: CARD.repeat(POINTS_BALANCE_MAX_BODY_BYTES / CARD.length + 1) })
    const { res, next } = await run(fakeRequest(big))
    expect(expect400(res, next)).toBe(`body: must be at most ${POINTS_BALANCE_MAX_BODY_BYTES} bytes`)
  })

  it("sets validatedBody and calls next for a valid body", async () => {
    const { req, res, next } = await run(fakeRequest(JSON.stringify(VALID), { "content-type": "application/json; charset=utf-8" }))
    expect(next).toHaveBeenCalledWith()
    expect(res.status).not.toHaveBeenCalled()
    expect(req.validatedBody).toEqual({ ...VALID, currency_code: "inr" })
  })

  it("uses a body another parser already read", async () => {
    const req = fakeRequest(undefined)
    req._body = true
    req.body = { ...VALID, currency_code: "inr" }
    const { next } = await run(req)
    expect(next).toHaveBeenCalledWith()
    expect(req.validatedBody).toEqual({ ...VALID, currency_code: "inr" })

    const bad = fakeRequest(undefined)
    bad._body = true
    bad.body = { ...VALID, card_number: Number(CARD) }
    const { res, next: badNext } = await run(bad)
    expect(expect400(res, badNext)).toBe("card_number: must be a string of 12 to 19 digits")
  })
})

describe("the route's middleware entry", () => {
  it("turns Medusa's body parser off and validates with the plugin's own middleware", () => {
    const entry = middlewares.routes?.find((route) => route.matcher === "/admin/plural/points-balance")
    expect(entry).toBeDefined()
    expect(entry!.methods).toEqual(["POST"])
    expect(entry!.bodyParser).toBe(false)
    expect(entry!.middlewares).toHaveLength(1)
    expect(entry!.middlewares![0].name).toBe("pointsBalanceBody")
  })
})
