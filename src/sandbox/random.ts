/**
 * Randomness for ids, tokens and probabilistic faults. With a seed every stream is a mulberry32 PRNG, so the same
 * seed and the same requests give the same ids; without one, crypto randomness. Each consumer gets its own stream
 * so that, say, a fault's dice rolls never shift the ids that follow.
 */
import { randomInt } from "node:crypto"

export type Random = {
  /** A float in [0, 1). */
  next(): number
  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet?: string): string
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
export const DIGITS = "0123456789"

function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a: turns a seed and a stream name into a 32-bit PRNG state. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export function createRandom(seed: number | string | undefined, stream: string): Random {
  const next = seed === undefined ? () => randomInt(0, 2 ** 32) / 2 ** 32 : mulberry32(hash(`${seed}:${stream}`))
  return {
    next,
    string(length, alphabet = ALPHANUMERIC) {
      let out = ""
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)]
      return out
    },
  }
}
