/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn()
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}
