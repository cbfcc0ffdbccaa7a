import { nextOpenCheckSeconds, retryPaidSeconds, retryReturnSeconds } from "../schedule"

const minutes = (m: number) => m * 60
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000)
const ahead = (seconds: number) => new Date(Date.now() + seconds * 1000)
const options = { reconcile_after_minutes: 10 }

describe("when the ledger next looks at an unpaid order", () => {
  it("not before reconcile_after_minutes, then at intervals that double with its age", () => {
    const day = ahead(minutes(24 * 60))
    expect(nextOpenCheckSeconds({ created_at: ago(5), expires_at: day }, options)).toBe(minutes(10))
    expect(nextOpenCheckSeconds({ created_at: ago(minutes(10)), expires_at: day }, options)).toBe(minutes(10))
    expect(nextOpenCheckSeconds({ created_at: ago(minutes(40)), expires_at: day }, options)).toBe(minutes(40))
  })

  it("at most every six hours, and a last look at the expiry", () => {
    expect(nextOpenCheckSeconds({ created_at: ago(minutes(20 * 60)), expires_at: ahead(minutes(24 * 60)) }, options)).toBe(minutes(360))
    expect(nextOpenCheckSeconds({ created_at: ago(minutes(300)), expires_at: ahead(minutes(30)) }, options)).toBe(minutes(30) + 1)
  })

  it("a handful of reads a day for an abandoned checkout, not one every five-minute run", () => {
    const created = Date.now()
    let at = created
    let reads = 0
    const expires = new Date(created + minutes(24 * 60) * 1000)
    const realNow = Date.now
    try {
      while (at < expires.getTime()) {
        Date.now = () => at
        at += nextOpenCheckSeconds({ created_at: new Date(created), expires_at: expires }, options) * 1000
        reads++
      }
    } finally {
      Date.now = realNow
    }
    expect(reads).toBeLessThanOrEqual(12)
    expect(reads).toBeGreaterThanOrEqual(6)
  })
})

describe("retrying a paid order whose cart would not complete", () => {
  it("1, 2, 4… minutes, at most 10, never past the deadline", () => {
    const far = Date.now() + minutes(60) * 1000
    expect([1, 2, 3, 4, 5, 6].map((n) => retryPaidSeconds(n, far))).toEqual([60, 120, 240, 480, 600, 600])
    expect(retryPaidSeconds(5, Date.now() + 90_000)).toBeLessThanOrEqual(90)
    expect(retryPaidSeconds(5, Date.now() - 1000)).toBe(1)
  })

  it("giving money back is retried the same way", () => {
    expect([1, 2, 10].map(retryReturnSeconds)).toEqual([60, 120, 600])
  })
})
