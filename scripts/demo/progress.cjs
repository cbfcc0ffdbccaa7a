// @ts-check
// The demo's progress lines and timings, and the stop of what it started (last started, first stopped).
"use strict"

/** @param {number} ms */
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`

/**
 * `step(name, fn)` runs `fn` between a "…" and a "✔" line, and records how long it took under `name` in `timings`.
 * @param {(message: string) => void} log
 */
function progress(log) {
  /** @type {Record<string, number>} */
  const timings = {}
  /**
   * @template T
   * @param {string} name
   * @param {() => T | Promise<T>} fn
   * @returns {Promise<T>}
   */
  async function step(name, fn) {
    const t0 = Date.now()
    log(`  … ${name}`)
    const result = await fn()
    timings[name] = Date.now() - t0
    log(`  ✔ ${name} (${seconds(timings[name])})`)
    return result
  }
  return { step, timings }
}

/**
 * What was started, to stop in reverse order: `add(name, fn)` registers, `stop()` (once, however often called)
 * stops everything, logging what could not be stopped. `debug` also logs each stop.
 * @param {(message: string) => void} log
 * @param {boolean} debug
 */
function cleanups(log, debug) {
  /** @type {{ name: string, fn: () => unknown }[]} */
  const registered = []
  /** @type {Promise<void> | undefined} */
  let stopping
  return {
    /**
     * @param {string} name
     * @param {() => unknown} fn
     */
    add(name, fn) {
      registered.push({ name, fn })
    },
    stop() {
      stopping ??= (async () => {
        for (const cleanup of registered.reverse()) {
          try {
            if (debug) log(`  stopping ${cleanup.name}`)
            await cleanup.fn()
          } catch (error) {
            log(`  could not stop ${cleanup.name}: ${error instanceof Error ? error.message : error}`)
          }
        }
      })()
      return stopping
    },
  }
}

module.exports = { cleanups, progress, seconds }
