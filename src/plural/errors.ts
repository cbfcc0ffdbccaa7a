/**
 * Errors the Plural client throws. Each carries what a merchant needs for a support ticket (Plural's code and
 * message, the HTTP status, our Request-ID) and never a credential, token or card number: messages are built
 * only from fields we choose, and `redact` scrubs anything Plural echoes back.
 */

export type PluralErrorDetails = {
  code: string
  status?: number
  requestId?: string
  operation?: string
}

export class PluralError extends Error {
  readonly code: string
  readonly status?: number
  readonly requestId?: string
  readonly operation?: string

  constructor(message: string, details: PluralErrorDetails, options?: { cause?: unknown }) {
    super(redact(message), options)
    this.name = new.target.name
    this.code = details.code
    this.status = details.status
    this.requestId = details.requestId
    this.operation = details.operation
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      status: this.status,
      requestId: this.requestId,
      operation: this.operation,
    }
  }
}

/** Plural answered with an error body (4xx/5xx). */
export class PluralApiError extends PluralError {
  readonly additionalDetails?: unknown
  constructor(message: string, details: PluralErrorDetails & { additionalDetails?: unknown }) {
    super(message, details)
    this.additionalDetails = details.additionalDetails
  }
  /** Plural's documented "this transition is not allowed" answer (capture twice, cancel after capture…). */
  get isOperationNotAllowed() {
    return this.code === "OPERATION_NOT_ALLOWED"
  }
}

/** Plural's credentials were refused, even after one fresh token. */
export class PluralAuthenticationError extends PluralError {}

/** No answer in time, or the connection failed. The request may or may not have reached Plural. */
export class PluralNetworkError extends PluralError {}

/** Plural answered 2xx with a body that is not what its API documents. */
export class PluralResponseError extends PluralError {}

/** A request the client refused to send because it breaks Plural's documented rules. */
export class PluralRequestError extends PluralError {}

const CARD_NUMBER = /\b(?:\d[ -]?){12,19}\b/g
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/gi
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g

/** Removes card numbers and bearer tokens from text that may have come from a request or a response. */
export function redact(text: string): string {
  return text.replace(BEARER, "Bearer [redacted]").replace(JWT, "[redacted-token]").replace(CARD_NUMBER, "[redacted]")
}
