/**
 * The sandbox's state file: a restarted sandbox still knows its orders (charges, refunds, pending UPI payments,
 * hosted checkout tokens) and carries on with them; what an answer acknowledged is on disk before the answer; a
 * write killed midway or a corrupt file never stops a start; the file is bounded.
 */
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startSandbox } from ".."
import { MAX_SAVED_CHARGES } from "../state-file"
import { harness, type Harness, send, uniqueReference } from "./helpers"

const UPI_INTENT = { payments: [{ payment_method: "UPI", payment_amount: { value: 1100, currency: "INR" }, payment_option: { upi_details: { txn_mode: "INTENT" } } }] }

describe("sandbox state file", () => {
  let dir: string
  let file: string
  const running: Harness[] = []
  const start = async (options: Parameters<typeof harness>[0] = {}) => {
    const h = await harness({ stateFile: file, ...options })
    running.push(h)
    return h
  }
  const stop = async (h: Harness) => {
    running.splice(running.indexOf(h), 1)
    await h.sandbox.stop()
  }
  const saved = () => JSON.parse(readFileSync(file, "utf8")) as { starts: number; orders: { order: { order_id: string; merchant_order_reference: string } }[] }
  const warnings: string[] = []
  const logger = { info: () => undefined, warn: (message: string) => warnings.push(message) }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-state-"))
    file = join(dir, "sandbox.json")
    warnings.length = 0
  })
  afterEach(async () => {
    for (const h of running.splice(0)) await h.sandbox.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it("keeps charges, refunds, a pending UPI payment and a hosted checkout across a restart, and carries on with them", async () => {
    const first = await start()
    const paid = await first.paidOrder()
    expect((await first.api("POST", `/api/pay/v1/refunds/${paid}`, { merchant_order_reference: uniqueReference(), order_amount: { value: 400, currency: "INR" } })).status).toBe(200)
    const upi = await first.createOrder()
    expect((await first.api("POST", `/api/pay/v1/orders/${upi}/payments`, UPI_INTENT)).status).toBe(200)
    const reference = uniqueReference()
    const hosted = await first.api("POST", "/api/checkout/v1/orders", { merchant_order_reference: reference, order_amount: { value: 59850, currency: "INR" } })
    const before = (await first.control("GET", "/orders")).body
    expect(before).toHaveLength(4)
    await stop(first)

    const second = await start()
    expect((await second.control("GET", "/orders")).body).toEqual(before)
    // Through the API with a new token, by id and by reference.
    const read = await second.api("GET", `/api/pay/v1/orders/${paid}`)
    expect(read.body.data).toMatchObject({ status: "PARTIALLY_REFUNDED", order_id: paid })
    expect((await second.api("GET", `/api/pay/v1/orders/reference/${reference}`)).body.data.order_id).toBe(hosted.body.order_id)
    // The shopper's hosted page still opens (the URL's token; the restarted sandbox listens on another port).
    const page = await send(`${second.sandbox.url}/api/v3/checkout-bff/redirect/checkout?token=${hosted.body.token}`, "GET")
    expect(page.status).toBe(200)
    expect(page.text).toContain(hosted.body.order_id)
    // The pending UPI payment is approved, and only what is left of the paid order can be refunded.
    expect((await second.control("POST", `/orders/${upi}/complete`, { outcome: "success" })).body.order.status).toBe("PROCESSED")
    const tooMuch = await second.api("POST", `/api/pay/v1/refunds/${paid}`, { merchant_order_reference: uniqueReference(), order_amount: { value: 701, currency: "INR" } })
    expect(tooMuch.status).toBe(422)
    const rest = await second.api("POST", `/api/pay/v1/refunds/${paid}`, { merchant_order_reference: uniqueReference(), order_amount: { value: 700, currency: "INR" } })
    expect(rest.status).toBe(200)
    expect((await second.api("GET", `/api/pay/v1/orders/${paid}`)).body.data.status).toBe("FULLY_REFUNDED")
  })

  it("has an order on disk before its creation is answered: a process killed right after loses nothing", async () => {
    const h = await start()
    const orderId = await h.createOrder()
    // The file as a SIGKILL would leave it at this moment (the running sandbox never stops cleanly from here).
    const killed = join(dir, "killed.json")
    copyFileSync(file, killed)
    const after = await harness({ stateFile: killed })
    running.push(after)
    expect((await after.api("GET", `/api/pay/v1/orders/${orderId}`)).body.data.status).toBe("CREATED")
  })

  it("ignores and removes the temporary file of a write that was killed midway", async () => {
    const first = await start()
    const orderId = await first.paidOrder()
    await stop(first)
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid
    const leftover = `${file}.${deadPid}.tmp`
    writeFileSync(leftover, '{"format":"plural-sandbox-state/1","starts":1,"orders":[{"kind":"cha')

    const second = await start({ logger })
    expect((await second.api("GET", `/api/pay/v1/orders/${orderId}`)).body.data.status).toBe("PROCESSED")
    expect(existsSync(leftover)).toBe(false)
    expect(warnings).toEqual([])
  })

  it.each([
    ["not JSON", "{ half a file"],
    ["not a sandbox state", JSON.stringify({ format: "plural-sandbox-state/1", starts: 1, orders: [{ kind: "charge", order: { order_id: 1 } }] })],
  ])("starts with no orders and a warning when the file is %s, keeping the file aside", async (_case, content) => {
    writeFileSync(file, content)
    const h = await start({ logger })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`The sandbox state file ${file} is unreadable`)
    expect(warnings[0]).toContain(`moved it to ${file}.corrupt`)
    expect(readFileSync(`${file}.corrupt`, "utf8")).toBe(content)
    expect((await h.control("GET", "/orders")).body).toEqual([])
    // A valid state again, from the first save on.
    await h.createOrder()
    await h.sandbox.core.saveState()
    expect(saved().orders).toHaveLength(1)
  })

  it("keeps the newest charges with their refunds, up to the bound", async () => {
    const sandbox = await startSandbox({ stateFile: file })
    const { orders } = sandbox.core
    const merchant = sandbox.merchant
    const charge = (i: number) => orders.createCharge(merchant, { merchant_order_reference: `bound-${i}`, order_amount: { value: 100, currency: "INR" } })
    const oldest = charge(0)
    orders.complete(oldest, { outcome: "success" })
    orders.refund(oldest, { merchant_order_reference: "refund-oldest", order_amount: undefined })
    for (let i = 1; i <= MAX_SAVED_CHARGES; i++) charge(i)
    const newest = charge(MAX_SAVED_CHARGES + 1)
    orders.complete(newest, { outcome: "success" })
    orders.refund(newest, { merchant_order_reference: "refund-newest", order_amount: undefined })
    await sandbox.stop()

    const references = saved().orders.map((o) => o.order.merchant_order_reference)
    expect(references).toHaveLength(MAX_SAVED_CHARGES + 1)
    expect(references.slice(0, 2)).toEqual(["bound-2", "bound-3"])
    expect(references.slice(-2)).toEqual([`bound-${MAX_SAVED_CHARGES + 1}`, "refund-newest"])

    const h = await start()
    expect((await h.api("GET", `/api/pay/v1/orders/${oldest.order.order_id}`)).body.code).toBe("ORDER_NOT_FOUND")
    expect((await h.api("GET", `/api/pay/v1/orders/${newest.order.order_id}`)).body.data.status).toBe("FULLY_REFUNDED")
  })

  it("gives a seeded sandbox restarted on its file new ids, and counts its starts", async () => {
    const first = await start({ seed: 7 })
    const before = await first.createOrder()
    await stop(first)
    const second = await start({ seed: 7 })
    const after = await second.createOrder()
    expect(after).not.toBe(before)
    expect((await second.api("GET", `/api/pay/v1/orders/${before}`)).status).toBe(200)
    await second.sandbox.core.saveState()
    expect(saved().starts).toBe(2)
  })

  it("refuses to start when the state file cannot be written, naming it", async () => {
    const unwritable = join(dir, "missing-folder", "sandbox.json")
    await expect(startSandbox({ stateFile: unwritable })).rejects.toThrow(`Cannot save the sandbox state to ${unwritable}`)
    expect(readdirSync(dir)).toEqual([])
  })
})
