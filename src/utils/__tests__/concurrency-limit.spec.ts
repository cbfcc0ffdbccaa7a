import { concurrencyLimit } from "../concurrency-limit"

describe("concurrencyLimit", () => {
  it("runs at most `limit` tasks at once, all of them eventually, and passes results and errors through", async () => {
    const run = concurrencyLimit(2)
    let active = 0
    let peak = 0
    const task = (i: number) => async () => {
      active++
      peak = Math.max(peak, active)
      await new Promise((resolve) => setTimeout(resolve, 5))
      active--
      if (i === 3) throw new Error("task 3 failed")
      return i
    }
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => run(task(i))))
    expect(peak).toBe(2)
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([0, 1, 2, "task 3 failed", 4, 5])
  })
})
