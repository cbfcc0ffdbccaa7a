import { batched } from "../batch"

describe("batched", () => {
  it("hands calls of one event-loop turn to one flush, in order, each caller getting its own result", async () => {
    const flushes: number[][] = []
    const double = batched(async (items: number[]) => {
      flushes.push(items)
      return items.map((n) => n * 2)
    }, 3)
    const results = await Promise.all([1, 2, 3, 4, 5].map(double))
    expect(results).toEqual([2, 4, 6, 8, 10])
    expect(flushes).toEqual([[1, 2, 3], [4, 5]])
    expect(await double(6)).toBe(12)
    expect(flushes.at(-1)).toEqual([6])
  })

  it("a failed flush fails every caller of that batch, and the next batch still runs", async () => {
    let fail = true
    const write = batched(async (items: string[]) => {
      if (fail) throw new Error("database down")
      return items
    })
    const first = await Promise.allSettled([write("a"), write("b")])
    expect(first.map((r) => r.status)).toEqual(["rejected", "rejected"])
    fail = false
    await expect(write("c")).resolves.toBe("c")
  })
})
