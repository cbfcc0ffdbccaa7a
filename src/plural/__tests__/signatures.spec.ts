import { createHmac } from "node:crypto"
import failureFixture from "../../../test/fixtures/plural/seed000.callback.failure.json"
import successFixture from "../../../test/fixtures/plural/seed000.callback.success.json"
import { signCallback, signWebhook, verifyCallback, verifyWebhook } from "../signatures"

/**
 * The documented algorithm (docs/decisions.md, "The browser return signature"), written out independently of the code under test: every field but
 * `signature`, sorted by key, raw `k=v` joined by `&`, HMAC-SHA256 keyed by the hex-decoded secret, upper-case hex.
 */
function referenceCallbackSignature(fields: Record<string, string>, keyHex: string): string {
  const message = Object.entries(fields)
    .filter(([k]) => k !== "signature")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&")
  return createHmac("sha256", Buffer.from(keyHex, "hex")).update(Buffer.from(message, "utf8")).digest("hex").toUpperCase()
}

const KEY = "9A7B3C5D1E2F40516273849AABBCCDDEEFF00112233445566778899AABBCCDDE"
const OTHER_KEY = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"

const { signature: _s1, ...successFields } = successFixture as Record<string, string>
const { signature: _s2, ...failureFields } = failureFixture as Record<string, string>

/** The seeds' signature example uses `status` instead of `payment_status`. */
const withStatusKey = (fields: Record<string, string>) => {
  const { payment_status, ...rest } = fields
  return { ...rest, status: payment_status }
}

const FIELD_SETS: Record<string, Record<string, string>> = {
  "seed success (payment_status)": successFields,
  "seed failure (payment_status)": failureFields,
  "seed success (status)": withStatusKey(successFields),
  "seed failure (status, FAILED, message with spaces)": {
    ...withStatusKey(failureFields),
    status: "FAILED",
    error_code: "USER_AUTHENTICATION_FAILED",
    error_message: "Consumer Authentication required",
  },
}

describe("callback signature", () => {
  it("builds the message exactly as the seeds' example shows", () => {
    const fields = {
      status: "FAILED",
      order_id: "<order_id>",
      error_message: "Consumer Authentication required",
      error_code: "USER_AUTHENTICATION_FAILED",
    }
    const message =
      "error_code=USER_AUTHENTICATION_FAILED&error_message=Consumer Authentication required&order_id=<order_id>&status=FAILED"
    const expected = createHmac("sha256", Buffer.from(KEY, "hex")).update(message, "utf8").digest("hex").toUpperCase()
    expect(signCallback(fields, KEY)).toBe(expected)
  })

  describe.each(Object.entries(FIELD_SETS))("%s", (_name, fields) => {
    const expected = referenceCallbackSignature(fields, KEY)

    it("signs to the known answer (upper-case hex, 64 chars)", () => {
      expect(signCallback(fields, KEY)).toBe(expected)
      expect(expected).toMatch(/^[0-9A-F]{64}$/)
    })

    it("ignores a `signature` field when signing", () => {
      expect(signCallback({ ...fields, signature: "whatever" }, KEY)).toBe(expected)
    })

    it("accepts the right signature, upper- or lower-case, in any field order", () => {
      const reversed = Object.fromEntries(Object.entries(fields).reverse())
      expect(verifyCallback({ ...reversed, signature: expected }, KEY)).toBe(true)
      expect(verifyCallback({ ...fields, signature: expected.toLowerCase() }, KEY)).toBe(true)
      expect(verifyCallback({ ...fields, signature: expected }, KEY.toLowerCase())).toBe(true)
    })

    it.each(Object.keys(fields))("rejects a tampered %s", (key) => {
      expect(verifyCallback({ ...fields, [key]: `${fields[key]}x`, signature: expected }, KEY)).toBe(false)
      expect(verifyCallback({ ...fields, [key]: "", signature: expected }, KEY)).toBe(false)
    })

    it("rejects a removed field and an added field", () => {
      const [first] = Object.keys(fields)
      const { [first]: _removed, ...fewer } = fields
      expect(verifyCallback({ ...fewer, signature: expected }, KEY)).toBe(false)
      expect(verifyCallback({ ...fields, amount: "1", signature: expected }, KEY)).toBe(false)
    })

    it("rejects the wrong key, an empty key and a key that is not hex", () => {
      expect(verifyCallback({ ...fields, signature: expected }, OTHER_KEY)).toBe(false)
      expect(verifyCallback({ ...fields, signature: expected }, "")).toBe(false)
      expect(verifyCallback({ ...fields, signature: expected }, "zz".repeat(32))).toBe(false)
      expect(verifyCallback({ ...fields, signature: expected }, KEY.slice(1))).toBe(false)
      expect(signCallback(fields, "")).toBe("")
      expect(signCallback(fields, "not hex")).toBe("")
      expect(signCallback(fields, KEY.slice(1))).toBe("")
    })

    it("rejects a missing, empty, truncated or garbage signature", () => {
      expect(verifyCallback({ ...fields }, KEY)).toBe(false)
      expect(verifyCallback({ ...fields, signature: "" }, KEY)).toBe(false)
      expect(verifyCallback({ ...fields, signature: expected.slice(0, -1) }, KEY)).toBe(false)
      expect(verifyCallback({ ...fields, signature: `${expected}0` }, KEY)).toBe(false)
      expect(verifyCallback({ ...fields, signature: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" }, KEY)).toBe(
        false
      )
    })
  })

  it("never verifies an empty field set, whatever the signature", () => {
    expect(signCallback({}, KEY)).toBe("")
    expect(signCallback({ signature: "abc" }, KEY)).toBe("")
    expect(verifyCallback({ signature: "" }, KEY)).toBe(false)
    const emptyMessageMac = createHmac("sha256", Buffer.from(KEY, "hex")).update("").digest("hex").toUpperCase()
    expect(verifyCallback({ signature: emptyMessageMac }, KEY)).toBe(false)
  })

  it("does not treat the seeds' placeholder signature as valid for the seed fields", () => {
    expect(verifyCallback(successFixture as Record<string, string>, KEY)).toBe(false)
    expect(verifyCallback(failureFixture as Record<string, string>, KEY)).toBe(false)
  })
})

describe("webhook signature", () => {
  const ID = "msg_2nEfCaUDn9fynC9Kz2upo1QSydl"
  const TIMESTAMP = 1728543028
  const SECRET = "YWJjMTIzNA=="
  const BODY = '{"payload":"payload"}'
  const KNOWN = "v1,Ns46HrH+Nfu9dZtBUVvSLyrOD5JH0SAGlNo3M5yobfQ="
  const NOW_MS = TIMESTAMP * 1000

  const headers = (overrides: Record<string, string> = {}): Record<string, string> => ({
    "webhook-id": ID,
    "webhook-timestamp": String(TIMESTAMP),
    "webhook-signature": KNOWN,
    ...overrides,
  })

  it("signs the documented known-answer vector", () => {
    expect(signWebhook({ id: ID, timestamp: TIMESTAMP, body: BODY }, SECRET)).toBe(KNOWN)
    expect(signWebhook({ id: ID, timestamp: String(TIMESTAMP), body: BODY }, SECRET)).toBe(KNOWN)
  })

  it("verifies the known-answer vector at its own time (string and Buffer body, Date or number clock)", () => {
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(true)
    expect(verifyWebhook({ headers: headers(), rawBody: Buffer.from(BODY) }, SECRET, { now: new Date(NOW_MS) })).toBe(true)
  })

  it("accepts a whsec_-prefixed secret", () => {
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, `whsec_${SECRET}`, { now: NOW_MS })).toBe(true)
  })

  it("accepts several space-separated signatures when one is valid", () => {
    const list = `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ${KNOWN} v2,whatever`
    expect(verifyWebhook({ headers: headers({ "webhook-signature": list }), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(true)
    const none = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1,BBBB"
    expect(verifyWebhook({ headers: headers({ "webhook-signature": none }), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(false)
  })

  it("rejects a signature without the v1 prefix", () => {
    const bare = KNOWN.slice(3)
    expect(verifyWebhook({ headers: headers({ "webhook-signature": bare }), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(false)
    expect(verifyWebhook({ headers: headers({ "webhook-signature": `v2,${bare}` }), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(false)
  })

  it("rejects a tampered body, id or timestamp", () => {
    expect(verifyWebhook({ headers: headers(), rawBody: '{"payload":"payloaD"}' }, SECRET, { now: NOW_MS })).toBe(false)
    expect(verifyWebhook({ headers: headers(), rawBody: `${BODY} ` }, SECRET, { now: NOW_MS })).toBe(false)
    expect(verifyWebhook({ headers: headers({ "webhook-id": `${ID}x` }), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(false)
    expect(
      verifyWebhook({ headers: headers({ "webhook-timestamp": String(TIMESTAMP + 1) }), rawBody: BODY }, SECRET, { now: NOW_MS })
    ).toBe(false)
  })

  it("rejects the wrong secret, an empty secret and missing headers", () => {
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, "YWJjMTIzNQ==", { now: NOW_MS })).toBe(false)
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, "", { now: NOW_MS })).toBe(false)
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const { [name]: _gone, ...rest } = headers()
      expect(verifyWebhook({ headers: rest, rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(false)
    }
    expect(verifyWebhook({ headers: headers({ "webhook-timestamp": "1728543028.0" }), rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(
      false
    )
  })

  it("rejects timestamps more than 300 s old or ahead, accepts within", () => {
    const at = (offsetSeconds: number) => verifyWebhook({ headers: headers(), rawBody: BODY }, SECRET, { now: NOW_MS + offsetSeconds * 1000 })
    expect(at(300)).toBe(true)
    expect(at(-300)).toBe(true)
    expect(at(299)).toBe(true)
    expect(at(301)).toBe(false)
    expect(at(-301)).toBe(false)
    expect(at(3600)).toBe(false)
    expect(at(-3600)).toBe(false)
  })

  it("honours a custom tolerance", () => {
    const at = (offsetSeconds: number, toleranceSeconds: number) =>
      verifyWebhook({ headers: headers(), rawBody: BODY }, SECRET, { now: NOW_MS + offsetSeconds * 1000, toleranceSeconds })
    expect(at(30, 10)).toBe(false)
    expect(at(-30, 10)).toBe(false)
    expect(at(10, 10)).toBe(true)
    expect(at(1000, 1200)).toBe(true)
  })

  it("uses the wall clock when no time is injected (the 2024 vector is stale today)", () => {
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, SECRET)).toBe(false)
  })

  it("supports the raw-secret encoding, and the two encodings do not verify each other", () => {
    const rawSecret = "asdfgwei7egyhuggwp39w8rh"
    const signature = signWebhook({ id: ID, timestamp: TIMESTAMP, body: BODY }, rawSecret, { encoding: "raw" })
    const independent = createHmac("sha256", Buffer.from(rawSecret, "utf8")).update(`${ID}.${TIMESTAMP}.${BODY}`).digest("base64")
    expect(signature).toBe(`v1,${independent}`)
    const h = headers({ "webhook-signature": signature })
    expect(verifyWebhook({ headers: h, rawBody: BODY }, rawSecret, { now: NOW_MS, encoding: "raw" })).toBe(true)
    expect(verifyWebhook({ headers: h, rawBody: BODY }, rawSecret, { now: NOW_MS })).toBe(false)
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, SECRET, { now: NOW_MS, encoding: "raw" })).toBe(false)
    expect(verifyWebhook({ headers: headers(), rawBody: BODY }, "abc1234", { now: NOW_MS, encoding: "raw" })).toBe(true)
  })

  it("reads headers from a plain object in any case", () => {
    const mixed = { "Webhook-Id": ID, "WEBHOOK-TIMESTAMP": String(TIMESTAMP), "webhook-Signature": KNOWN }
    expect(verifyWebhook({ headers: mixed, rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(true)
    const arrays = { "webhook-id": [ID], "webhook-timestamp": [String(TIMESTAMP)], "webhook-signature": [KNOWN] }
    expect(verifyWebhook({ headers: arrays, rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(true)
    expect(verifyWebhook({ headers: { ...mixed, "webhook-Signature": "v1,nope" }, rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(
      false
    )
  })

  it("reads headers from a Headers instance", () => {
    const h = new Headers({ "Webhook-Id": ID, "Webhook-Timestamp": String(TIMESTAMP), "Webhook-Signature": KNOWN })
    expect(verifyWebhook({ headers: h, rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(true)
    h.set("webhook-id", "msg_other")
    expect(verifyWebhook({ headers: h, rawBody: BODY }, SECRET, { now: NOW_MS })).toBe(false)
  })
})
