/**
 * Group commit: calls made in the same turn of the event loop (up to `maxSize`) are handed to `flush` together, and
 * each caller gets its own result. One database round trip for a burst of webhooks instead of one each; a caller
 * still resolves only once its item is written.
 */
export function batched<In, Out>(flush: (items: In[]) => Promise<Out[]>, maxSize = 100) {
  let pending: { item: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] = []
  const run = async () => {
    const batch = pending.splice(0, maxSize)
    if (pending.length) setImmediate(run)
    try {
      const results = await flush(batch.map((p) => p.item))
      batch.forEach((p, i) => p.resolve(results[i]))
    } catch (error) {
      for (const p of batch) p.reject(error)
    }
  }
  return (item: In): Promise<Out> =>
    new Promise<Out>((resolve, reject) => {
      if (!pending.length) setImmediate(run)
      pending.push({ item, resolve, reject })
    })
}
