/**
 * Every timer the sandbox sets (webhook retries, auto-approved collects, injected latency) goes through one
 * scheduler, so `stop()` can cancel them all and a test run exits without stray handles.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>()
  private stopped = false

  /** Runs `task` after `ms`; errors are the task's own business and are never thrown out of a timer. */
  after(ms: number, task: () => unknown): void {
    if (this.stopped) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void Promise.resolve()
        .then(task)
        .catch(() => undefined)
    }, ms)
    this.timers.add(timer)
  }

  /** Resolves after `ms`, or never once the scheduler stops (the awaiting request is abandoned with the server). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve))
  }

  /** Forgets every pending task (a reset); the scheduler stays usable. */
  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  stop(): void {
    this.stopped = true
    this.cancelAll()
  }
}
