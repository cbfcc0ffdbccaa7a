/**
 * Injected API faults. A fault names a route (or `*`) and a kind; `count` limits it to the next N matching
 * requests, `rate` makes it fire with that probability (seeded when the sandbox is), otherwise it lasts until
 * cleared. The server asks `take(route)` once per request and applies what it gets.
 */
import { z } from "zod"
import type { Random } from "./random"

export const API_ROUTES = [
  "token",
  "create_order",
  "create_payment",
  "hosted_checkout",
  "get_order",
  "get_order_by_reference",
  "capture",
  "cancel",
  "refund",
  "payment_option",
] as const
export type ApiRoute = (typeof API_ROUTES)[number]

export const FaultSpec = z
  .object({
    route: z.enum([...API_ROUTES, "*"]),
    kind: z.enum(["status", "reset", "latency", "slow_body"]),
    count: z.int().positive().optional(),
    rate: z.number().min(0).max(1).optional(),
    status: z.int().min(400).max(599).optional(),
    latency_ms: z.int().nonnegative().optional(),
    /** status/reset only: the write happens, then the answer is lost ("Plural did it but we never heard"). */
    after_commit: z.boolean().optional(),
  })
  .refine((f) => f.kind !== "status" || f.status !== undefined, { path: ["status"], message: "is required for kind status" })
  .refine((f) => (f.kind !== "latency" && f.kind !== "slow_body") || f.latency_ms !== undefined, {
    path: ["latency_ms"],
    message: "is required for kinds latency and slow_body",
  })
export type FaultSpec = z.infer<typeof FaultSpec>

/** The Plural error code an injected status answers with. */
export const STATUS_CODES: Record<number, string> = {
  429: "API_RATE_LIMIT",
  500: "INTERNAL_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
}

type ActiveFault = FaultSpec & { remaining?: number }

export class Faults {
  private active: ActiveFault[] = []

  constructor(private readonly dice: Random) {}

  add(spec: FaultSpec): void {
    this.active.push({ ...spec, remaining: spec.count })
  }

  clear(): void {
    this.active = []
  }

  list(): FaultSpec[] {
    return this.active.map(({ remaining, ...spec }) => ({ ...spec, ...(remaining !== undefined && { count: remaining }) }))
  }

  /** The fault that fires on this request, if any; a counted fault is used up by firing. */
  take(route: ApiRoute): FaultSpec | undefined {
    for (const fault of this.active) {
      if (fault.route !== route && fault.route !== "*") continue
      if (fault.rate !== undefined && this.dice.next() >= fault.rate) continue
      if (fault.remaining !== undefined) {
        fault.remaining -= 1
        if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault)
      }
      return fault
    }
    return undefined
  }
}
