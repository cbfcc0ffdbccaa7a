/**
 * The Plural API client: every documented endpoint, an access token shared by all calls, responses parsed into the
 * objects of ./schemas. It knows nothing of Medusa.
 */
import type { Dispatcher } from "undici"
import type { z } from "zod"
import { PluralApiError, PluralAuthenticationError, PluralError, PluralRequestError } from "./errors"
import {
  CaptureRequest,
  CreateOrderRequest,
  CreatePaymentRequest,
  CreatePaymentResponse,
  HostedCheckoutRequest,
  HostedCheckoutResponse,
  Order,
  PaymentOptionRequest,
  PaymentOptionResponse,
  RefundOrder,
  RefundRequest,
  TokenRequest,
  TokenResponse,
  wrapped,
} from "./schemas"
import { TokenCache } from "./token-cache"
import { type Exchange, type RetryPolicy, Transport, type TransportOptions, type TransportTimeouts } from "./transport"

export const PLURAL_BASE_URLS = {
  uat: "https://pluraluat.v2.pinepg.in",
  prod: "https://api.pluralpay.in",
} as const
export type PluralEnvironment = keyof typeof PLURAL_BASE_URLS

export type PluralClientOptions = {
  clientId: string
  clientSecret: string
  /** `uat` (default) or `prod`; ignored when `baseUrl` is given. */
  environment?: PluralEnvironment
  /** Any other origin speaking Plural's API: the sandbox, a proxy. */
  baseUrl?: string
  timeouts?: Partial<TransportTimeouts>
  retry?: Partial<RetryPolicy>
  dispatcher?: Dispatcher
  onRetry?: TransportOptions["onRetry"]
  sleep?: (ms: number) => Promise<void>
  /** The clock of the token cache and of each call's overall deadline. */
  now?: () => number
  /** The largest answer read from Plural, in bytes (default 1 MiB); a longer one is a PluralResponseError. */
  maxResponseBytes?: number
}

/** What create payment returns: the order (documented shape), or only the QR fields (seed 001's QR sample). */
export type CreatePaymentResult = {
  order_id: string
  order?: Order
  challenge_url?: string
  image_url?: string
}

type Call<T> = Omit<Exchange<T>, "bearer">

const encode = encodeURIComponent

/** The answers of `/api/pay/v1/*`, built once (see `wrapped`). */
const OrderAnswer = wrapped(Order)
const RefundOrderAnswer = wrapped(RefundOrder)

export class PluralClient {
  private readonly transport: Transport
  private readonly tokens: TokenCache

  constructor(private readonly options: PluralClientOptions) {
    this.transport = new Transport({
      baseUrl: options.baseUrl ?? PLURAL_BASE_URLS[options.environment ?? "uat"],
      timeouts: options.timeouts,
      retry: options.retry,
      dispatcher: options.dispatcher,
      onRetry: options.onRetry,
      sleep: options.sleep,
      now: options.now,
      maxResponseBytes: options.maxResponseBytes,
    })
    this.tokens = new TokenCache({ fetchToken: () => this.requestToken(), now: options.now })
  }

  get baseUrl(): string {
    return this.transport.baseUrl
  }

  /** Creates a seamless order (status `CREATED`); a repeated reference yields the existing order. */
  async createOrder(input: z.input<typeof CreateOrderRequest>): Promise<Order> {
    const body = checked(CreateOrderRequest, input, "create order")
    return this.orExisting(
      this.call({ operation: "create order", method: "POST", path: "/api/pay/v1/orders", body, safeToRepeat: true, schema: OrderAnswer }).then((r) => r.data),
      () => this.getOrderByReference(body.merchant_order_reference)
    )
  }

  /** Starts a payment on an order: UPI intent, collect or QR. */
  async createPayment(orderId: string, input: z.input<typeof CreatePaymentRequest>): Promise<CreatePaymentResult> {
    const body = checked(CreatePaymentRequest, input, "create payment")
    const response = await this.call({
      operation: "create payment",
      method: "POST",
      path: `/api/pay/v1/orders/${encode(orderId)}/payments`,
      body,
      // Without its own reference Plural cannot tell a repeat from a second payment.
      safeToRepeat: body.payments.every((p) => p.merchant_payment_reference !== undefined),
      schema: CreatePaymentResponse,
    })
    if ("data" in response) {
      return { order_id: response.data.order_id, order: response.data, challenge_url: response.data.challenge_url, image_url: response.data.image_url }
    }
    return { order_id: orderId, challenge_url: response.challenge_url, image_url: response.image_url }
  }

  /** Creates a hosted-checkout order; the shopper pays at `redirect_url`. */
  async createHostedCheckout(input: HostedCheckoutRequest): Promise<HostedCheckoutResponse> {
    const body = checked(HostedCheckoutRequest, input, "create hosted checkout")
    return this.call({ operation: "create hosted checkout", method: "POST", path: "/api/checkout/v1/orders", body, safeToRepeat: true, schema: HostedCheckoutResponse })
  }

  /** The authoritative state of an order. */
  async getOrder(orderId: string): Promise<Order> {
    const response = await this.call({ operation: "get order", method: "GET", path: `/api/pay/v1/orders/${encode(orderId)}`, safeToRepeat: true, schema: OrderAnswer })
    return response.data
  }

  async getOrderByReference(merchantOrderReference: string): Promise<Order> {
    const response = await this.call({ operation: "get order by reference", method: "GET", path: `/api/pay/v1/orders/reference/${encode(merchantOrderReference)}`, safeToRepeat: true, schema: OrderAnswer })
    return response.data
  }

  /** Captures a pre-authorised order, in full or (once) in part. A repeated capture reference is the same capture. */
  async captureOrder(orderId: string, input: z.input<typeof CaptureRequest>): Promise<Order> {
    const body = checked(CaptureRequest, input, "capture order")
    return this.orExisting(
      this.call({ operation: "capture order", method: "PUT", path: `/api/pay/v1/orders/${encode(orderId)}/capture`, body, safeToRepeat: true, schema: OrderAnswer }).then((r) => r.data),
      () => this.getOrder(orderId)
    )
  }

  /** Releases a pre-authorisation. Never retried blindly: the caller re-reads the order instead. */
  async cancelOrder(orderId: string): Promise<Order> {
    const response = await this.call({ operation: "cancel order", method: "PUT", path: `/api/pay/v1/orders/${encode(orderId)}/cancel`, safeToRepeat: false, schema: OrderAnswer })
    return response.data
  }

  /** Refunds a processed order, in full or in part; the refund's own reference makes a repeat the same refund. */
  async refundOrder(orderId: string, input: RefundRequest): Promise<RefundOrder> {
    const body = checked(RefundRequest, input, "refund order")
    return this.orExisting(
      this.call({ operation: "refund order", method: "POST", path: `/api/pay/v1/refunds/${encode(orderId)}`, body, safeToRepeat: true, schema: RefundOrderAnswer }).then((r) => r.data),
      () => this.getRefundByReference(body.merchant_order_reference)
    )
  }

  /** A refund by its own merchant reference: how a refund whose answer was lost is read back. */
  async getRefundByReference(merchantOrderReference: string): Promise<RefundOrder> {
    const response = await this.call({ operation: "get refund by reference", method: "GET", path: `/api/pay/v1/orders/reference/${encode(merchantOrderReference)}`, safeToRepeat: true, schema: RefundOrderAnswer })
    return response.data
  }

  /** Pay by points: a card's points balance and what of it this order could redeem. */
  async checkPointsBalance(input: z.input<typeof PaymentOptionRequest>): Promise<PaymentOptionResponse> {
    const body = checked(PaymentOptionRequest, input, "check points balance")
    return this.call({ operation: "check points balance", method: "POST", path: "/payment-option", body, safeToRepeat: true, schema: PaymentOptionResponse })
  }

  /** Requests an access token (cached like any other): resolves when Plural accepts the credentials. */
  async authenticate(): Promise<void> {
    await this.tokens.get()
  }

  async close(): Promise<void> {
    await this.transport.close()
  }

  /** Sends with the cached token; a 401 gets one fresh token and one more try. */
  private async call<T>(exchange: Call<T>): Promise<T> {
    const used: string[] = []
    try {
      return await this.callWith(exchange, used)
    } catch (error) {
      throw this.conceal(error, used)
    }
  }

  private async callWith<T>(exchange: Call<T>, used: string[]): Promise<T> {
    const token = this.tokens.current() ?? (await this.tokens.get())
    used.push(token)
    try {
      return await this.transport.send({ ...exchange, bearer: token })
    } catch (error) {
      if (!(error instanceof PluralApiError) || error.status !== 401) throw error
      this.tokens.invalidate(token)
      const fresh = await this.tokens.get()
      used.push(fresh)
      try {
        return await this.transport.send({ ...exchange, bearer: fresh })
      } catch (retryError) {
        if (retryError instanceof PluralApiError && retryError.status === 401) {
          throw new PluralAuthenticationError(
            `Plural refused a fresh access token for ${exchange.operation}. Check the client_id / client_secret and environment.`,
            { code: retryError.code, status: 401, requestId: retryError.requestId, operation: exchange.operation }
          )
        }
        throw retryError
      }
    }
  }

  /**
   * Plural may echo what it was sent (the client secret, an opaque token) in an error message; `redact` only knows
   * JWTs, bearer headers and card numbers, so the secrets this client holds are removed here.
   */
  private conceal(error: unknown, tokens: string[]): unknown {
    if (!(error instanceof PluralError)) return error
    // The error and the Plural errors it wraps (a deadline error keeps the last attempt's error as its cause).
    for (let e: unknown = error, depth = 0; e instanceof PluralError && depth < 5; e = e.cause, depth++) {
      for (const secret of [this.options.clientSecret, ...tokens]) {
        if (secret && secret.length >= 6) e.message = e.message.split(secret).join("[redacted]")
      }
    }
    return error
  }

  private async requestToken(): Promise<TokenResponse> {
    const body: TokenRequest = { client_id: this.options.clientId, client_secret: this.options.clientSecret, grant_type: "client_credentials" }
    try {
      return await this.transport.send({ operation: "generate token", method: "POST", path: "/api/auth/v1/token", body, safeToRepeat: true, schema: TokenResponse })
    } catch (error) {
      if (error instanceof PluralApiError && (error.status === 401 || error.status === 400)) {
        throw new PluralAuthenticationError(
          `Plural refused the credentials (${error.code}). Check client_id, client_secret and that the environment (uat/prod) matches them.`,
          { code: error.code, status: error.status, requestId: error.requestId, operation: "generate token" }
        )
      }
      throw this.conceal(error, [])
    }
  }

  /** Decision 4 (docs/decisions.md): a repeated merchant reference may answer 422 DUPLICATE_REQUEST; then the first result is read back. */
  private async orExisting<T>(attempt: Promise<T>, readExisting: () => Promise<T>): Promise<T> {
    try {
      return await attempt
    } catch (error) {
      if (error instanceof PluralApiError && error.code === "DUPLICATE_REQUEST") return readExisting()
      throw error
    }
  }
}

function checked<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue.path.join(".") || "(request)"
  throw new PluralRequestError(`Cannot ${operation}: ${field} ${issue.message}`, { code: "INVALID_REQUEST", operation })
}
