/**
 * The Medusa app an integration spec runs against (integration-tests/app) with a Plural sandbox of its own: the
 * sandbox starts before the app boots (the app's Plural provider is pointed at it), sends its webhooks to the app,
 * and stops after the app has. Each test gets a store seeded anew, an emptied sandbox, and the provider's options as
 * the app booted with them (a test may have changed them) plus the spec's `provider` ones.
 *
 *   pluralStoreTestRunner({ retries: 1, testSuite: ({ api, getContainer, sandbox, store }) => { it(...) } })
 */
import path from "node:path"
import { medusaIntegrationTestRunner, type MedusaSuiteOptions } from "@medusajs/test-utils"
import type { Sandbox } from "../../src/sandbox"
import { resolvePluralGateway } from "../../src/utils/resolve-plural-gateway"
import { control, pay, returnToStore, startSandboxForApp } from "./sandbox"
import { cartWithPluralSession, orderOfCart, seedStore, type Store } from "./store"

type ProviderOptions = ReturnType<typeof resolvePluralGateway>["options"]

export type PluralStoreSuite = MedusaSuiteOptions & {
  /** The file's sandbox. Like the runner's `api`, it stands for one made later: read it in hooks and tests. */
  sandbox: Sandbox
  /** The store seeded for the current test (for the file, with `seed: "once"`); read it in hooks and tests too. */
  store: Store
  /** A shopper's cart paid on Plural's hosted page and returned to the store (no webhook), and the order it became. */
  paidOrder(options?: Parameters<typeof cartWithPluralSession>[2]): Promise<PaidOrder>
}

type PaidOrder = Awaited<ReturnType<typeof cartWithPluralSession>> & { paid: Awaited<ReturnType<typeof pay>>; order: any }

export function pluralStoreTestRunner(setup: {
  /** How often the provider retries a failed call to Plural. */
  retries?: number
  /** Provider options every test starts with, over those the app booted with. */
  provider?: Partial<ProviderOptions>
  /**
   * "once": one store for the whole file (a browser spec serves its storefront for one publishable key), seeded
   * before the spec's own `beforeAll`; the sandbox is not emptied and the provider's options are the spec's to set.
   */
  seed?: "each test" | "once"
  testSuite: (suite: PluralStoreSuite) => void
}): void {
  let sandbox: Sandbox | undefined
  beforeAll(async () => {
    sandbox = await startSandboxForApp({ max: setup.retries ?? 2 })
  })
  afterAll(async () => {
    await sandbox?.stop()
  })

  medusaIntegrationTestRunner({
    cwd: path.join(__dirname, "../app"),
    testSuite: (medusa) => {
      let store: Store | undefined
      let bootedOptions: ProviderOptions | undefined

      beforeAll(async () => {
        sandbox!.configure({ webhookUrl: `${medusa.api.defaults.baseURL}/hooks/plural/webhook` })
        if (setup.seed === "once") store = await seedStore(medusa.getContainer())
      })
      if (setup.seed !== "once") {
        beforeEach(async () => {
          await control(sandbox!, "POST", "/reset")
          store = await seedStore(medusa.getContainer())
          const options = resolvePluralGateway(medusa.getContainer()).options
          bootedOptions ??= structuredClone(options)
          resetOptions(options, bootedOptions, setup.provider)
        })
      }

      const suite: PluralStoreSuite = {
        ...medusa,
        sandbox: standIn(() => sandbox, "the sandbox"),
        store: standIn(() => store, "the store"),
        async paidOrder(options) {
          const { cart, session } = await cartWithPluralSession(medusa.api, suite.store, options)
          const paid = await pay(suite.sandbox, session.data.plural_order_id, { send_webhook: false })
          await returnToStore(medusa.api, paid.callback.fields)
          return { cart, session, paid, order: await orderOfCart(medusa.getContainer(), cart.id) }
        },
      }
      setup.testSuite(suite)
    },
  })
}

/** Puts the live `options` back to `booted`, then applies `overrides`. */
function resetOptions(options: ProviderOptions, booted: ProviderOptions, overrides: Partial<ProviderOptions> = {}): void {
  const live = options as Record<string, unknown>
  for (const key of Object.keys(live)) if (!(key in booted)) delete live[key]
  Object.assign(live, structuredClone({ ...booted, ...overrides }))
}

/** Reads through to what `current` returns at the time, as the runner's `api` does, for a thing made in a hook. */
function standIn<T extends object>(current: () => T | undefined, what: string): T {
  const target = (): T => {
    const value = current()
    if (!value) throw new Error(`${what} is not there yet: read it in a hook or a test, not while the suite is defined`)
    return value
  }
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(target(), key),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(target(), key),
  })
}
