/**
 * The sandbox's HTTP vocabulary: handlers return a `Reply` instead of writing to the socket, so faults can be
 * applied to any answer in one place, and throw `PluralFailure` for Plural-shaped errors.
 */
import type { IncomingMessage } from "node:http"
import type { z } from "zod"
import type { ErrorBody } from "../plural/schemas"

export type Reply = {
  status: number
  headers?: Record<string, string>
  body: string | Buffer
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(value) }
}

export function html(status: number, page: string): Reply {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body: page }
}

/** An error Plural would answer with: `{code, message, additional_error_details?}`. */
export class PluralFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
  }

  reply(): Reply {
    const body: ErrorBody = { code: this.code, message: this.message }
    if (this.details !== undefined) body.additional_error_details = this.details
    return json(this.status, body)
  }
}

export const invalid = (field: string, problem: string) =>
  new PluralFailure(400, "INVALID_REQUEST", `${field} ${problem}`, { field })
export const notAllowed = (message: string) => new PluralFailure(422, "OPERATION_NOT_ALLOWED", message)
export const orderNotFound = (id: string) => new PluralFailure(404, "ORDER_NOT_FOUND", `No order ${id}`)
export const unauthorized = (message: string) => new PluralFailure(401, "UNAUTHORIZED", message)

/** Parses `input` with a shared schema; the first problem becomes a 400 naming its field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw invalid(issue.path.join(".") || "body", issue.message)
}

const MAX_BODY_BYTES = 1 << 20

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw invalid("body", "is larger than 1 MiB")
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString("utf8")
}

/** A JSON body; an empty body is `{}` so that "no body" and "empty object" validate alike. */
export function parseJson(text: string): unknown {
  if (!text.trim()) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw invalid("body", "is not valid JSON")
  }
}
