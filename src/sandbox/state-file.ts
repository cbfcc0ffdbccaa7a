/**
 * The sandbox's orders on disk (`stateFile`): a restarted sandbox still knows every order a store holds, as Plural
 * would. The whole state is written to a temporary file that is then renamed over the previous one, so a process
 * killed mid-write leaves the last complete snapshot. An API answer that changed an order is sent only once that
 * change is on disk (the server awaits `save`); changes made in the background (an auto-approved collect) are saved
 * right after they happen. Only the newest `MAX_SAVED_CHARGES` charges (with their refunds) are kept.
 *
 * Not kept: access tokens (a client fetches a new one on a 401), webhook deliveries (a store reconciles an event it
 * missed), faults and runtime configuration.
 */
import { readdirSync, readFileSync, renameSync, rmSync } from "node:fs"
import { rename, writeFile } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { z } from "zod"
import { Order, PaymentMethod, RefundOrder } from "../plural/schemas"
import type { SandboxLogger, SandboxMerchant } from "./options"
import type { OrderRecord } from "./orders"

/**
 * Plenty for a demo (an older order is ORDER_NOT_FOUND after a restart), and small enough that a snapshot (about
 * 1 kB an order) costs a few milliseconds.
 */
export const MAX_SAVED_CHARGES = 500

const FORMAT = "plural-sandbox-state/1"

const SavedRecord = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("charge"),
    merchant_id: z.string(),
    order: Order,
    allowed_methods: z.array(PaymentMethod).optional(),
    checkout_token: z.string().min(1),
    visible_at: z.number().optional(),
  }),
  z.object({ kind: z.literal("refund"), merchant_id: z.string(), order: RefundOrder }),
])
type SavedRecord = z.infer<typeof SavedRecord>

const SavedState = z.object({
  format: z.literal(FORMAT),
  /** How many times a sandbox has started on this file: a seeded sandbox varies its ids by it. */
  starts: z.int().nonnegative(),
  orders: z.array(SavedRecord),
})

export type LoadedState = { starts: number; records: OrderRecord[] }

/**
 * Reads `file`: nothing there is a fresh start; a file that is not a saved state is moved aside to `<file>.corrupt`
 * with a warning, and the sandbox starts fresh. Temporary files a killed process left behind are removed.
 */
export function loadState(file: string, merchants: SandboxMerchant[], logger: SandboxLogger): LoadedState {
  removeLeftoverTemps(file)
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { starts: 0, records: [] }
    throw new Error(`Cannot read the sandbox state file ${file}: ${(error as Error).message}`)
  }
  let saved: z.infer<typeof SavedState>
  try {
    saved = SavedState.parse(JSON.parse(text))
  } catch (error) {
    const aside = `${file}.corrupt`
    renameSync(file, aside)
    const reason = error instanceof z.ZodError ? z.prettifyError(error).split("\n")[0] : (error as Error).message
    logger.warn(`The sandbox state file ${file} is unreadable (${reason}); moved it to ${aside} and started with no orders`)
    return { starts: 0, records: [] }
  }
  const byId = new Map(merchants.map((m) => [m.merchant_id, m]))
  const records: OrderRecord[] = []
  let foreign = 0
  for (const entry of saved.orders) {
    const merchant = byId.get(entry.merchant_id)
    if (merchant) records.push(fromSaved(entry, merchant))
    else foreign++
  }
  if (foreign) logger.warn(`${foreign} saved sandbox order(s) belong to a merchant this sandbox no longer has; left out`)
  return { starts: saved.starts, records }
}

/** Writes the snapshot of `records()` whenever asked to after a change; never two writes at once. */
export class StateFile {
  /** Starts at one: the first save of a run records its `starts`. */
  private changes = 1
  private savedChanges = 0
  private writing: Promise<void> | undefined
  /** Each order's JSON, made again only after it changed: a snapshot costs the changed orders, not all of them. */
  private json = new WeakMap<OrderRecord, string>()

  constructor(
    readonly file: string,
    private readonly starts: number,
    private readonly records: () => Iterable<OrderRecord>,
    private readonly logger: SandboxLogger
  ) {}

  /** Notes a change to `record` (to every order, without one) and saves it soon. */
  changed(record?: OrderRecord): void {
    if (record) this.json.delete(record)
    else this.json = new WeakMap()
    this.changes++
    setImmediate(() => void this.flush())
  }

  /** `save`, with a failure logged rather than thrown (the next change tries again). */
  flush(): Promise<void> {
    return this.save().catch((error: Error) => this.logger.warn(error.message))
  }

  /** Resolves once every change noted so far is on disk; one write covers all changes made before it began. */
  async save(): Promise<void> {
    const target = this.changes
    while (this.savedChanges < target) {
      this.writing ??= this.write().finally(() => (this.writing = undefined))
      await this.writing
    }
  }

  private async write(): Promise<void> {
    const upTo = this.changes
    const orders = newest([...this.records()]).map((record) => {
      let json = this.json.get(record)
      if (json === undefined) this.json.set(record, (json = JSON.stringify(toSaved(record))))
      return json
    })
    const text = `{"format":${JSON.stringify(FORMAT)},"starts":${this.starts},"orders":[${orders.join(",")}]}`
    const temp = `${this.file}.${process.pid}.tmp`
    try {
      // No fsync: a killed process loses nothing it wrote, and the rename replaces the snapshot whole. A power cut
      // may cost the last writes, which a sandbox can afford.
      await writeFile(temp, text)
      await rename(temp, this.file)
    } catch (error) {
      throw new Error(`Cannot save the sandbox state to ${this.file}: ${(error as Error).message}`)
    }
    this.savedChanges = Math.max(this.savedChanges, upTo)
  }
}

/** The newest charges (and their refunds), oldest first. */
function newest(records: OrderRecord[]): OrderRecord[] {
  const charges = records.filter((r) => r.kind === "charge")
  if (charges.length <= MAX_SAVED_CHARGES) return records
  const kept = new Set(charges.slice(-MAX_SAVED_CHARGES).map((r) => r.order.order_id))
  return records.filter((r) => kept.has(r.kind === "charge" ? r.order.order_id : r.order.parent_order_id))
}

function toSaved(record: OrderRecord): SavedRecord {
  if (record.kind === "refund") return { kind: "refund", merchant_id: record.merchant.merchant_id, order: record.order }
  return {
    kind: "charge",
    merchant_id: record.merchant.merchant_id,
    order: record.order,
    ...(record.allowedMethods && { allowed_methods: record.allowedMethods }),
    checkout_token: record.checkoutToken,
    ...(record.visibleAt !== undefined && { visible_at: record.visibleAt }),
  }
}

function fromSaved(entry: SavedRecord, merchant: SandboxMerchant): OrderRecord {
  if (entry.kind === "refund") return { kind: "refund", order: entry.order, merchant }
  return {
    kind: "charge",
    order: entry.order,
    merchant,
    allowedMethods: entry.allowed_methods,
    checkoutToken: entry.checkout_token,
    visibleAt: entry.visible_at,
  }
}

/** `<file>.<pid>.tmp` files of processes that died mid-write. */
function removeLeftoverTemps(file: string): void {
  const prefix = `${basename(file)}.`
  let names: string[]
  try {
    names = readdirSync(dirname(file))
  } catch {
    return
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) && name.endsWith(".tmp") ? Number(name.slice(prefix.length, -".tmp".length)) : NaN
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(dirname(file), name), { force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
