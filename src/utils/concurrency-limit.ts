/**
 * At most `limit` of these tasks at once in this process; the rest wait their turn. Throttling only: nothing relies
 * on it for correctness (a task that never runs because the process died is found again from the database).
 */
export function concurrencyLimit(limit: number) {
  let active = 0
  const waiting: (() => void)[] = []
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
