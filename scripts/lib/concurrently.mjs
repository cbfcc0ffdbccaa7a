// @ts-check
// Many calls with a bounded number in flight: the benchmarks' load and the chaos run's shoppers.

/**
 * Calls `call(i)` for every `i` from 0 to `count - 1`, at most `concurrency` at a time: each of `concurrency` lanes
 * takes the next `i` as soon as its previous call is done. Rejects with the first failure.
 * @param {number} count
 * @param {number} concurrency
 * @param {(index: number) => Promise<unknown>} call
 * @returns {Promise<void>}
 */
export async function concurrently(count, concurrency, call) {
  let next = 0
  const lane = async () => {
    while (next < count) await call(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
}
