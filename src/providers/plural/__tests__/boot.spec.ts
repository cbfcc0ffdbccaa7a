/**
 * The boot check: one token request against a fake Plural, one log line whatever its answer, and no request at all
 * where it has no business (schema commands, options that do not parse).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { Logger, MedusaContainer } from "@medusajs/framework/types"
import { errors } from "undici"
import { FakePlural, TOKEN_PATH } from "../../../../test/fake-plural"
import { providerOptions } from "../../../../test/provider-options"
import checkCredentialsAtBoot, { checkCredentials } from "../boot"
import { parsePluralOptions, type PluralOptions } from "../options"

const ORIGIN = "https://plural-boot.test"
const CLIENT_SECRET = "boot-check-client-secret-91"

const OPTIONS = providerOptions(ORIGIN, CLIENT_SECRET)

function recordingLogger() {
  const lines: { level: string; text: string }[] = []
  const at = (level: string) => (text: string) => void lines.push({ level, text })
  return { logger: { info: at("info"), warn: at("warn"), error: at("error") }, lines }
}

async function check(reply: (fake: FakePlural) => void, options: Partial<PluralOptions> = {}) {
  const fake = new FakePlural(ORIGIN)
  reply(fake)
  const { logger, lines } = recordingLogger()
  const outcome = await checkCredentials(parsePluralOptions({ ...OPTIONS, ...options }), logger, fake.agent)
  await fake.agent.close()
  return { outcome, lines, tokenRequests: fake.to(TOKEN_PATH) }
}

describe("the credential check at boot", () => {
  it("accepted credentials: one token request, one info line naming where", async () => {
    const { outcome, lines, tokenRequests } = await check((fake) => fake.token({ access_token: "tok-1", expires_in: 3600 }))
    expect(outcome).toBe("accepted")
    expect(tokenRequests).toHaveLength(1)
    expect(tokenRequests[0].body).toMatchObject({ client_id: "merchant-7", grant_type: "client_credentials" })
    expect(lines).toEqual([{ level: "info", text: `Plural: credentials accepted by ${ORIGIN} (base_url)` }])
  })

  it("refused credentials: one error line telling the merchant what to set, without the secret", async () => {
    const { outcome, lines, tokenRequests } = await check((fake) =>
      fake.on("POST", TOKEN_PATH, { status: 401, body: { code: "UNAUTHORIZED", message: `bad client secret ${CLIENT_SECRET}` } })
    )
    expect(outcome).toBe("refused")
    expect(tokenRequests).toHaveLength(1)
    expect(lines).toHaveLength(1)
    expect(lines[0].level).toBe("error")
    expect(lines[0].text).toContain("refused the credentials")
    expect(lines[0].text).toContain("PLURAL_CLIENT_ID, PLURAL_CLIENT_SECRET")
    expect(lines[0].text).not.toContain(CLIENT_SECRET)
  })

  it("Plural down: exactly one request (no retries at boot) and one warning", async () => {
    const { outcome, lines, tokenRequests } = await check((fake) => fake.on("POST", TOKEN_PATH, { status: 503, body: { code: "UNAVAILABLE", message: "down" } }, 3))
    expect(outcome).toBe("unreachable")
    expect(tokenRequests).toHaveLength(1)
    expect(lines).toHaveLength(1)
    expect(lines[0].level).toBe("warn")
    expect(lines[0].text).toContain("could not check the credentials")
  })

  it("no connection: one warning, and the check ends", async () => {
    const { outcome, lines } = await check((fake) => fake.fail("POST", TOKEN_PATH, new errors.SocketError("other side closed")))
    expect(outcome).toBe("unreachable")
    expect(lines.map((l) => l.level)).toEqual(["warn"])
  })

  it("names Plural's environment when no base_url is set", async () => {
    const fake = new FakePlural("https://pluraluat.v2.pinepg.in")
    fake.token({ access_token: "tok-2", expires_in: 3600 })
    const { logger, lines } = recordingLogger()
    const { base_url: _none, ...uat } = OPTIONS
    expect(await checkCredentials(parsePluralOptions(uat), logger, fake.agent)).toBe("accepted")
    expect(lines[0].text).toBe("Plural: credentials accepted by Plural uat (https://pluraluat.v2.pinepg.in)")
    await fake.agent.close()
  })
})

describe("the provider's loader", () => {
  const argv = process.argv
  afterEach(() => {
    process.argv = argv
  })

  it("returns at once and logs when Plural answers: boot never waits for the token request", async () => {
    const plural = await heldTokenServer()
    const { logger, lines } = recordingLogger()
    try {
      await checkCredentialsAtBoot(loaderInput({ ...OPTIONS, base_url: plural.url }, logger))
      expect(lines).toEqual([])
      plural.answer()
      await eventually(() => expect(lines).toEqual([{ level: "info", text: `Plural: credentials accepted by ${plural.url} (base_url)` }]))
      expect(plural.requests()).toBe(1)
    } finally {
      await plural.close()
    }
  })

  it("asks nothing when the options do not parse (validateOptions names them)", async () => {
    const plural = await heldTokenServer()
    const { logger, lines } = recordingLogger()
    try {
      plural.answer()
      await checkCredentialsAtBoot(loaderInput({ ...OPTIONS, base_url: plural.url, client_secret: undefined }, logger))
      // A valid check after it: once its line is logged, any request of the first would have been counted too.
      await checkCredentialsAtBoot(loaderInput({ ...OPTIONS, base_url: plural.url }, logger))
      await eventually(() => expect(lines).toHaveLength(1))
      expect(plural.requests()).toBe(1)
    } finally {
      await plural.close()
    }
  })

  it("in medusa db:migrate, says once that no credentials are set and asks Plural nothing", async () => {
    process.argv = ["node", "medusa", "db:migrate"]
    const { logger, lines } = recordingLogger()
    await checkCredentialsAtBoot(loaderInput({ client_id: "" }, logger))
    await checkCredentialsAtBoot(loaderInput({}, logger))
    expect(lines).toEqual([{ level: "info", text: expect.stringContaining("no credentials set") }])
    await checkCredentialsAtBoot(loaderInput(OPTIONS, logger))
    expect(lines).toHaveLength(1)
  })
})

async function eventually(assertion: () => void, attempts = 100): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return assertion()
    } catch (error) {
      if (i >= attempts) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

function loaderInput(options: Record<string, unknown>, logger: ReturnType<typeof recordingLogger>["logger"]) {
  return { options, logger: logger as unknown as Logger, container: {} as MedusaContainer, moduleOptions: {} }
}

/** A Plural token endpoint on a real socket that holds every request until `answer()`. */
async function heldTokenServer() {
  let answer!: () => void
  const held = new Promise<void>((resolve) => (answer = resolve))
  let requests = 0
  const server = createServer((_req, res) => {
    requests++
    void held.then(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "tok-3", expires_in: 3600 })))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer,
    requests: () => requests,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}
