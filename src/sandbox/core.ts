/**
 * One running sandbox: its configuration, clock, randomness, and the parts (orders, tokens, webhooks, faults)
 * wired together, plus the few operations that span several parts. The HTTP layers (API, pages, control) only
 * translate requests into calls on this object.
 */
import type { Order, Payment } from "../plural/schemas"
import { type BrowserReturn, browserReturn } from "./callback"
import { Faults } from "./faults"
import {
  DEFAULT_CONFIG,
  DEFAULT_MERCHANT,
  RuntimeConfigPatch,
  type RuntimeConfig,
  type SandboxMerchant,
  type SandboxOptions,
} from "./options"
import { type ChargeRecord, type CompleteInput, Orders, type PaymentResult } from "./orders"
import { createRandom } from "./random"
import { Scheduler } from "./scheduler"
import { loadState, StateFile } from "./state-file"
import { Tokens } from "./tokens"
import { upiLink } from "./upi"
import { Webhooks } from "./webhooks"
import { parseWith } from "./http"

export class SandboxCore {
  readonly config: RuntimeConfig
  readonly merchants: SandboxMerchant[]
  readonly now: () => number
  readonly scheduler = new Scheduler()
  readonly orders: Orders
  readonly tokens: Tokens
  readonly webhooks: Webhooks
  readonly faults: Faults
  /** With `stateFile`: where the orders are kept across restarts. */
  readonly stateFile?: StateFile
  /** Set once the server listens (the listening URL unless `publicUrl` was given). */
  publicUrl = ""

  constructor(readonly options: SandboxOptions) {
    this.config = { ...DEFAULT_CONFIG }
    this.configure(pickRuntime(options))
    this.merchants = options.merchants?.length ? options.merchants : [DEFAULT_MERCHANT]
    this.now = options.now ?? Date.now
    const logger = options.logger ?? { info: () => undefined, warn: (message: string) => console.warn(message) }
    const saved = options.stateFile ? loadState(options.stateFile, this.merchants, logger) : undefined
    // A seeded sandbox restarted on its saved orders must not hand out the ids of the previous run again.
    const seed = saved?.starts && options.seed !== undefined ? `${options.seed}/start-${saved.starts}` : options.seed
    const random = (stream: string) => createRandom(seed, stream)
    const config = () => this.config
    if (options.stateFile) {
      this.stateFile = new StateFile(options.stateFile, (saved?.starts ?? 0) + 1, () => this.orders.list().reverse(), logger)
    }
    this.webhooks = new Webhooks({ config, now: this.now, random: random("webhooks"), scheduler: this.scheduler, logger: options.logger })
    this.orders = new Orders({
      config,
      now: this.now,
      ids: random("ids"),
      announce: (...event) => this.webhooks.announce(...event),
      changed: (record) => this.stateFile?.changed(record),
    })
    if (saved) this.orders.restore(saved.records)
    this.tokens = new Tokens(this.merchants, { config, now: this.now, random: random("tokens") })
    this.faults = new Faults(random("faults"))
  }

  /** Patches the runtime options; an invalid patch is a 400 naming the option. */
  configure(patch: unknown): RuntimeConfig {
    Object.assign(this.config, parseWith(RuntimeConfigPatch, patch))
    return { ...this.config }
  }

  /** Forgets orders, tokens, deliveries and faults; configuration stays. */
  reset(): void {
    this.scheduler.cancelAll()
    this.orders.reset()
    this.tokens.reset()
    this.webhooks.reset()
    this.faults.clear()
  }

  async stop(): Promise<void> {
    this.scheduler.stop()
    await this.webhooks.stop()
    await this.saveState()
  }

  /** Resolves once every change to the orders is in the state file (if any); a failure is logged, not thrown. */
  async saveState(): Promise<void> {
    await this.stateFile?.flush()
  }

  /**
   * Starts a seamless UPI payment: an intent gets its `challenge_url` (the landing page), a QR its `image_url`, a
   * collect its auto-approval when configured.
   */
  startPayment(record: ChargeRecord, input: Parameters<Orders["startPayment"]>[1]) {
    const started = this.orders.startPayment(record, input)
    if (started.existing) return started
    const upi = started.payment.payment_option?.upi_details
    if (upi?.txn_mode === "INTENT") record.order.challenge_url = this.landingUrl(record)
    if (upi?.upi_qr) record.order.image_url = this.qrImageUrl(record, started.payment)
    const autoApproveMs = this.config.collectAutoApproveMs
    if (upi?.txn_mode === "COLLECT" && autoApproveMs !== undefined) {
      this.scheduler.after(autoApproveMs, () => {
        if (this.orders.pendingPayment(record)?.id === started.payment.id) this.orders.complete(record, { outcome: "success" })
      })
    }
    return started
  }

  /** The shopper's answer (page or control API): the new state, and the browser return it leads to. */
  completePayment(record: ChargeRecord, input: CompleteInput): { result: PaymentResult; browserReturn: BrowserReturn } {
    const result = this.orders.complete(record, input)
    return { result, browserReturn: browserReturn(result, this.config) }
  }

  // ---- URLs the shopper's browser opens ----------------------------------------------------------------------

  /** Hosted checkout's `redirect_url`, shaped like Plural's. */
  checkoutUrl(record: ChargeRecord): string {
    return `${this.publicUrl}/api/v3/checkout-bff/redirect/checkout?token=${record.checkoutToken}`
  }

  /** A pending UPI payment's `challenge_url` (Plural's landing page). */
  landingUrl(record: ChargeRecord): string {
    return `${this.publicUrl}/web/auth/landing/?token=${record.checkoutToken}`
  }

  qrImageUrl(record: ChargeRecord, payment: Payment): string {
    return `${this.publicUrl}/web/upi/qr.png?token=${record.checkoutToken}&payment=${encodeURIComponent(payment.id)}`
  }

  upiLink(order: Order, payment: Payment): string {
    return upiLink(order, payment.id)
  }
}

function pickRuntime(options: SandboxOptions): Partial<RuntimeConfig> {
  const { port: _port, host: _host, publicUrl: _publicUrl, seed: _seed, now: _now, merchants: _merchants, logger: _logger, stateFile: _stateFile, ...runtime } =
    options
  return Object.fromEntries(Object.entries(runtime).filter(([, value]) => value !== undefined))
}
