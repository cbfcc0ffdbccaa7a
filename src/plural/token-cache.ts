/**
 * Caches Plural's access token until shortly before it expires. Concurrent callers on a cold or expiring cache
 * share one token request.
 */
import type { TokenResponse } from "./schemas"

export type TokenCacheOptions = {
  fetchToken: () => Promise<TokenResponse>
  /** Renew this long before the stated expiry, so a request never leaves with a token about to die. */
  refreshMarginMs?: number
  now?: () => number
}

export class TokenCache {
  private token?: { value: string; expiresAt: number }
  private inFlight?: Promise<string>
  private readonly fetchToken: () => Promise<TokenResponse>
  private readonly refreshMarginMs: number
  private readonly now: () => number

  constructor(options: TokenCacheOptions) {
    this.fetchToken = options.fetchToken
    this.refreshMarginMs = options.refreshMarginMs ?? 60_000
    this.now = options.now ?? Date.now
  }

  /** The cached token if it is still good for a while; without waiting, so a warm call costs no extra turn. */
  current(): string | undefined {
    const token = this.token
    return token && this.now() < token.expiresAt - this.refreshMarginMs ? token.value : undefined
  }

  async get(): Promise<string> {
    const cached = this.current()
    if (cached !== undefined) return cached
    this.inFlight ??= this.fetchToken()
      .then((response) => {
        this.token = { value: response.access_token, expiresAt: expiryOf(response, this.now()) }
        return response.access_token
      })
      .finally(() => {
        this.inFlight = undefined
      })
    return this.inFlight
  }

  /** Forgets `value` if it is still the cached token (a 401 said it is no longer good). */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined
  }
}

function expiryOf(response: TokenResponse, now: number): number {
  if (response.expires_at !== undefined) {
    const at = Date.parse(response.expires_at)
    if (!Number.isNaN(at)) return at
  }
  return now + (response.expires_in ?? 0) * 1000
}
