import { validatesAtBoot } from "../boot"
import { parsePluralOptions, type PluralOptions } from "../options"
import { PluralProviderService } from "../service"

const valid: PluralOptions = {
  client_id: "1234567890",
  client_secret: "asdfgwei7egyhuggwp39w8rh",
  secret_key: "9A7B3C5D1E2F4051",
  webhook_secret: "YWJjMTIzNA==",
  backend_url: "https://shop.example.in",
  storefront_success_url: "https://www.shop.example.in/order/confirmed",
  storefront_failure_url: "https://www.shop.example.in/checkout",
}

function messageOf(options: unknown): string {
  try {
    PluralProviderService.validateOptions(options as Record<string, unknown>)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error("expected validateOptions to throw")
}

describe("provider options", () => {
  it("validateOptions is static, so Medusa calls it at boot", () => {
    expect(typeof PluralProviderService.validateOptions).toBe("function")
    expect(() => PluralProviderService.validateOptions(valid as Record<string, unknown>)).not.toThrow()
  })

  it("applies the defaults", () => {
    const parsed = parsePluralOptions(valid)
    expect(parsed).toMatchObject({
      webhook_secret_encoding: "base64",
      environment: "uat",
      pre_auth: false,
      currencies: ["inr"],
      pay_by_points: false,
      timeouts: { connect_ms: 5_000, headers_ms: 15_000, body_ms: 15_000, total_ms: 30_000 },
      retries: { max: 2, base_delay_ms: 200, max_delay_ms: 2_000 },
      reconcile_after_minutes: 10,
      expire_after_minutes: 1440,
      complete_paid_within_minutes: 30,
      poll_interval_seconds: 2,
      webhook_retention_days: 30,
    })
    expect(parsed.base_url).toBeUndefined()
    expect(parsed.allowed_payment_methods).toBeUndefined()
  })

  it("keeps what is given", () => {
    const parsed = parsePluralOptions({
      ...valid,
      environment: "prod",
      base_url: "http://localhost:4010",
      webhook_secret_encoding: "raw",
      pre_auth: true,
      currencies: ["inr", "usd"],
      allowed_payment_methods: ["UPI", "CARD"],
      timeouts: { headers_ms: 1_000 },
      retries: { max: 0 },
    })
    expect(parsed).toMatchObject({ environment: "prod", base_url: "http://localhost:4010", webhook_secret_encoding: "raw", pre_auth: true })
    expect(parsed.timeouts).toEqual({ connect_ms: 5_000, headers_ms: 1_000, body_ms: 15_000, total_ms: 30_000 })
    expect(parsed.retries).toEqual({ max: 0, base_delay_ms: 200, max_delay_ms: 2_000 })
  })

  it.each(["client_id", "client_secret", "secret_key", "webhook_secret"])("rejects a missing %s, naming it", (name) => {
    const { [name]: _gone, ...rest } = valid as Record<string, unknown>
    const message = messageOf(rest)
    expect(message).toContain(`${name}:`)
    expect(message).toContain("is required")
  })

  it.each(["backend_url", "storefront_success_url", "storefront_failure_url"])("rejects a missing %s, naming it", (name) => {
    const { [name]: _gone, ...rest } = valid as Record<string, unknown>
    expect(messageOf(rest)).toContain(`${name}: must be an absolute http(s) URL`)
  })

  it.each([
    ["client_id", ""],
    ["client_secret", ""],
    ["webhook_secret", ""],
    ["secret_key", "not-hex"],
    ["secret_key", "ABC"],
    ["secret_key", ""],
    ["backend_url", "shop.example.in"],
    ["backend_url", "not a url"],
    ["base_url", "localhost:4010"],
    ["base_url", "ftp://plural.example"],
    ["backend_url", "shop.example.in:443"],
    ["backend_url", "javascript:alert(1)"],
    ["storefront_success_url", "/order/confirmed"],
    ["webhook_secret_encoding", "hex"],
    ["environment", "production"],
    ["pre_auth", "yes"],
    ["currencies", ["INR"]],
    ["currencies", []],
    ["allowed_payment_methods", ["POINTS"]],
    ["allowed_payment_methods", ["CASH"]],
    ["retries", { max: 6 }],
    ["timeouts", { headers_ms: 0 }],
    ["reconcile_after_minutes", -1],
  ])("rejects %s = %p, naming it", (name, value) => {
    const message = messageOf({ ...valid, [name]: value })
    expect(message).toMatch(new RegExp(`\\b${name}(\\.[\\w.]+)?:`))
  })

  it("names every bad option at once, and never echoes a secret", () => {
    const message = messageOf({ ...valid, secret_key: "zz", backend_url: "nope", client_id: undefined })
    expect(message).toContain("secret_key")
    expect(message).toContain("backend_url")
    expect(message).toContain("client_id")
    expect(message).not.toContain(valid.client_secret)
  })

  it("rejects no options at all, naming the required ones", () => {
    const message = messageOf(undefined)
    for (const name of ["client_id", "client_secret", "secret_key", "webhook_secret", "backend_url"]) expect(message).toContain(name)
  })

  it.each([
    ["environment", "uat"],
    ["base_url", undefined],
    ["webhook_secret_encoding", "base64"],
  ])("treats an empty %s (an empty environment variable) as unset: %p", (name, expected) => {
    expect(parsePluralOptions({ ...valid, [name]: "" })[name as keyof PluralOptions]).toBe(expected)
  })

  it.each(["client_id", "client_secret", "secret_key", "webhook_secret", "backend_url"])("reports an empty %s as missing", (name) => {
    expect(messageOf({ ...valid, [name]: "" })).toMatch(new RegExp(`${name}: (is required|must be an absolute)`))
  })

  it.each(["YWJjMTIzNA==", "YWJjMTIzNA", "whsec_YWJjMTIzNA==", Buffer.from("a longer secret of 32 bytes here").toString("base64")])(
    "accepts the base64 webhook secret %p",
    (webhook_secret) => {
      expect(parsePluralOptions({ ...valid, webhook_secret }).webhook_secret).toBe(webhook_secret)
    }
  )

  it.each(["my webhook secret!", "secret-from-dashboard", "abcde", "YWJjMTIzNB=="])(
    "rejects the webhook secret %p under the default base64 encoding, saying how to fix it",
    (webhook_secret) => {
      const message = messageOf({ ...valid, webhook_secret })
      expect(message).toContain("webhook_secret: is not valid base64")
      expect(message).toContain('webhook_secret_encoding: "raw"')
      expect(message).not.toContain(webhook_secret)
    }
  )

  it("accepts any webhook secret under the raw encoding", () => {
    expect(parsePluralOptions({ ...valid, webhook_secret: "my webhook secret!", webhook_secret_encoding: "raw" }).webhook_secret).toBe("my webhook secret!")
  })
})

describe("pay-by-points options", () => {
  it("a default consent text and version, and rate limits per cart and per client", () => {
    const parsed = parsePluralOptions(valid)
    expect(parsed.points_consent.version).toEqual(expect.any(String))
    expect(parsed.points_consent.text.length).toBeGreaterThan(50)
    expect(parsed.points_balance_rate_limit).toEqual({ per_cart: 5, per_ip: 20, window_seconds: 600 })
  })

  it("a merchant's own consent text needs its own version, so stored consents never blur two texts", () => {
    expect(messageOf({ ...valid, points_consent: { text: "Our own wording" } })).toContain("points_consent.version")
    expect(parsePluralOptions({ ...valid, points_consent: { text: "Our own wording", version: "shop-v2" } }).points_consent).toEqual({
      text: "Our own wording",
      version: "shop-v2",
    })
  })
})

describe("options outside a running store", () => {
  const migrate = ["node", "medusa", "db:migrate"]
  const start = ["node", "medusa", "start"]
  const noSecrets = { client_id: undefined, client_secret: "", secret_key: undefined, webhook_secret: undefined, storefront_success_url: "undefined/order" }

  it("medusa db:migrate without any Plural credential (CI, a pre-deploy step) is not stopped", () => {
    expect(validatesAtBoot(noSecrets, migrate)).toBe(false)
    expect(validatesAtBoot({}, ["node", "medusa", "db:sync-links", "--execute-safe"])).toBe(false)
    expect(validatesAtBoot(undefined, ["node", "cli.js", "db:migrate:scripts"])).toBe(false)
  })

  it("medusa start, exec or develop always validates, credentials or not", () => {
    for (const argv of [start, ["node", "medusa", "exec", "./seed.ts"], ["node", "medusa", "develop"], ["node", "medusa"]]) {
      expect(validatesAtBoot(noSecrets, argv)).toBe(true)
    }
  })

  it("medusa db:migrate with credentials validates them, so a typo shows at the first command", () => {
    expect(validatesAtBoot({ client_id: "merchant-1" }, migrate)).toBe(true)
    expect(validatesAtBoot({ webhook_secret: "x" }, migrate)).toBe(true)
  })
})
