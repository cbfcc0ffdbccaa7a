/** Access tokens: issued per merchant for `tokenTtlSeconds`, checked on every other API call. */
import type { TokenRequest, TokenResponse } from "../plural/schemas"
import { unauthorized } from "./http"
import type { RuntimeConfig, SandboxMerchant } from "./options"
import type { Random } from "./random"

type Issued = { merchant: SandboxMerchant; expiresAt: number }

export class Tokens {
  private readonly issued = new Map<string, Issued>()

  constructor(
    private readonly merchants: SandboxMerchant[],
    private readonly deps: { config: () => RuntimeConfig; now: () => number; random: Random }
  ) {}

  issue(request: TokenRequest): TokenResponse {
    const merchant = this.merchants.find(
      (m) => m.client_id === request.client_id && m.client_secret === request.client_secret
    )
    if (!merchant) throw unauthorized("Invalid client_id or client_secret")
    const { tokenTtlSeconds, tokenExpiryField } = this.deps.config()
    const expiresAt = this.deps.now() + tokenTtlSeconds * 1000
    const accessToken = `sbx_${this.deps.random.string(48)}`
    this.issued.set(accessToken, { merchant, expiresAt })
    return tokenExpiryField === "expires_at"
      ? { access_token: accessToken, expires_at: new Date(expiresAt).toISOString() }
      : { access_token: accessToken, expires_in: tokenTtlSeconds }
  }

  /** The merchant behind `Authorization: Bearer <token>`; 401 for a missing, unknown or expired token. */
  authenticate(authorization: string | undefined): SandboxMerchant {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1]
    if (!token) throw unauthorized("Missing Authorization: Bearer <access_token>")
    const issued = this.issued.get(token)
    if (!issued) throw unauthorized("Unknown access token")
    if (this.deps.now() >= issued.expiresAt) throw unauthorized("The access token has expired")
    return issued.merchant
  }

  /** Every token issued so far stops working now. */
  expireAll(): void {
    const now = this.deps.now()
    for (const issued of this.issued.values()) issued.expiresAt = Math.min(issued.expiresAt, now)
  }

  reset(): void {
    this.issued.clear()
  }
}
