import { asValue } from "awilix"
import { ContainerRegistrationKeys, createMedusaContainer } from "@medusajs/framework/utils"
import { PLURAL_MODULE } from "../../modules/plural"
import type { LedgerOrder } from "../../modules/plural/types"
import { processPluralWebhookWorkflow, webhookRetrySeconds } from "../process-plural-webhook"

type Finish = { status: string; error?: string; retry_in_seconds?: number }

/** The inbox and ledger as the processing workflow uses them: one stored event, and the ledger's rows by order id. */
function inbox(event: { payload: unknown; attempts?: number } | undefined, rows: Record<string, Partial<LedgerOrder>> = {}, failing?: Error) {
  const finished: Finish[] = []
  let claimable = Boolean(event)
  const service = {
    claimEvent: async () => {
      if (!claimable || !event) return undefined
      claimable = false
      return { event_type: String((event.payload as { event_type?: string }).event_type), payload: event.payload, attempts: event.attempts ?? 1 }
    },
    findOrder: async ({ plural_order_id }: { plural_order_id: string }) => {
      if (failing) throw failing
      return rows[plural_order_id]
    },
    finishEvent: async (_id: string, outcome: Finish) => void finished.push(outcome),
  }
  const logged: string[] = []
  const container = createMedusaContainer()
  container.register(PLURAL_MODULE, asValue(service))
  container.register(ContainerRegistrationKeys.LOGGER, asValue({ error: (m: string) => logged.push(m), warn: () => {}, info: () => {} }))
  return { container, finished, logged }
}

const charge = (status: string) => ({
  event_type: status === "PROCESSED" ? "ORDER_PROCESSED" : "ORDER_AUTHORIZED",
  data: {
    order_id: "v1-ord-1",
    merchant_order_reference: "ref-1",
    type: "CHARGE",
    status,
    order_amount: { value: 10000, currency: "INR" },
    payments: [],
  },
})

const process = (container: ReturnType<typeof inbox>["container"]) => processPluralWebhookWorkflow(container).run({ input: { webhook_id: "wh_1" } })

describe("processing a stored Plural webhook event", () => {
  it("is skipped when another process claimed it", async () => {
    const { container, finished } = inbox(undefined)
    expect((await process(container)).result).toBe("skipped")
    expect(finished).toEqual([])
  })

  it("ignores, for good, an event the plugin does not act on", async () => {
    const { container, finished } = inbox({ payload: { event_type: "CUSTOMER_CREATED", data: {} } })
    expect((await process(container)).result).toBe("ignored")
    expect(finished).toEqual([{ status: "ignored" }])
  })

  it("ignores a charge of an order this store never made", async () => {
    const { container, finished } = inbox({ payload: charge("PROCESSED") })
    expect((await process(container)).result).toBe("ignored")
    expect(finished).toEqual([{ status: "ignored" }])
  })

  it("answers from the ledger a charge already settled at the status it reports", async () => {
    const row = { state: "owned" as const, plural_status: "PROCESSED", last_error: null }
    const { container, finished } = inbox({ payload: charge("PROCESSED") }, { "v1-ord-1": row })
    expect((await process(container)).result).toBe("processed")
    expect(finished).toEqual([{ status: "processed" }])
  })

  it("ignores a refund of an order this store never made", async () => {
    const refund = { ...charge("PROCESSED").data, order_id: "v1-ref-1", type: "REFUND", parent_order_id: "v1-ord-9", status: "PROCESSED" }
    const { container, finished } = inbox({ payload: { event_type: "REFUND_PROCESSED", data: refund } })
    expect((await process(container)).result).toBe("ignored")
    expect(finished).toEqual([{ status: "ignored" }])
  })

  it("records a failure for the plugin's retry, later the more attempts it took", async () => {
    const { container, finished, logged } = inbox({ payload: charge("PROCESSED"), attempts: 3 }, {}, new Error("database unavailable"))
    expect((await process(container)).result).toBe("failed")
    expect(finished).toEqual([{ status: "failed", error: "database unavailable", retry_in_seconds: webhookRetrySeconds(3) }])
    expect(logged[0]).toContain("Plural webhook wh_1 (ORDER_PROCESSED) failed; the plugin retries it: database unavailable")
  })

  it("retries after 1, 2, 4… minutes, at most hourly", () => {
    expect([1, 2, 3, 7, 8, 20].map(webhookRetrySeconds)).toEqual([60, 120, 240, 3600, 3600, 3600])
  })
})
