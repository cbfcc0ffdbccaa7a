/**
 * Request bodies that carry a card number, parsed so that no part of what was sent reaches an error answer or a log
 * line: every message is built only from a field's name and its rule, never from the value sent.
 *
 * Not Medusa's `validateAndTransformBody`: its messages quote what was received, and its error handler logs them,
 * so a card number sent as a JSON number (or with a typo) would land in the answer and in the logs. Not Medusa's
 * JSON body parser either: a malformed body's syntax error quotes the body too.
 */
import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { z } from "zod"

export type BodyParse<T> = { success: true; data: T } | { success: false; message: string }

/**
 * Validates a parsed body against a flat object schema. The message names each invalid field with its rule from
 * `rules`, never a received value.
 */
export function parseWithoutEcho<S extends z.ZodObject>(
  schema: S,
  rules: Record<keyof z.output<S> & string, string>,
  what: string,
  body: unknown
): BodyParse<z.output<S>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { success: false, message: "body: must be a JSON object" }
  }
  const result = schema.safeParse(body)
  if (result.success) return { success: true, data: result.data }
  const fields = new Set<string>()
  for (const issue of result.error.issues) {
    const field = issue.path[0]
    if (typeof field === "string" && field in rules) fields.add(field)
  }
  // Every issue of a flat schema is on one of its fields; anything else is described without detail.
  const message = fields.size
    ? [...fields].map((field) => `${field}: ${rules[field as keyof typeof rules]}`).join("; ")
    : `body: is not a valid ${what}`
  return { success: false, message }
}

/** Parses raw bytes as JSON; a syntax error is reported without the JSON engine's message (it quotes the input). */
export function parseJsonBody(raw: Buffer | string): { success: true; body: unknown } | { success: false; message: string } {
  const text = typeof raw === "string" ? raw : raw.toString("utf8")
  try {
    return { success: true, body: JSON.parse(text) }
  } catch {
    return { success: false, message: "body: must be valid JSON" }
  }
}

class BodyTooLarge extends Error {}

/**
 * The request's raw body, up to `limit` bytes. Past the limit the rest is drained and dropped rather than the
 * stream destroyed, so the 400 can still be sent on the same connection.
 */
export function readRawBody(req: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      req.removeListener("data", onData)
      req.removeListener("end", onEnd)
      req.removeListener("error", onError)
    }
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk
      size += buffer.length
      if (size > limit) {
        cleanup()
        req.on("error", () => {}) // whatever happens to the rest of the upload no longer matters
        req.resume()
        reject(new BodyTooLarge())
        return
      }
      chunks.push(buffer)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = (error: unknown) => {
      cleanup()
      reject(error)
    }
    req.on("data", onData)
    req.on("end", onEnd)
    req.on("error", onError)
  })
}

function invalid(res: MedusaResponse, message: string) {
  // Answered here rather than thrown: Medusa's error handler would log the message (harmless) and, for a zod
  // error, rebuild it from the issues (not harmless).
  res.status(400).json({ type: "invalid_data", message })
}

/**
 * A route's body middleware: reads the JSON body itself (the route is registered with `bodyParser: false`; a body
 * some other parser already read is used as it is), validates it with `parse`, and sets `req.validatedBody` as
 * `validateAndTransformBody` would. Logs nothing. (Named for what it guards: the card number of a points balance.)
 */
export function validateBodyWithoutEcho<T>(parse: (body: unknown) => BodyParse<T>, maxBytes: number) {
  return async function pointsBalanceBody(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
    let body: unknown = req.body
    // body-parser marks a body it has read with `_body`; otherwise the stream is still ours to read.
    const alreadyRead = (req as { _body?: boolean })._body === true || req.readableEnded
    if (!alreadyRead) {
      const type = String(req.headers["content-type"] ?? "")
      if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
        return invalid(res, "body: must be JSON, sent with content-type application/json")
      }
      let raw: Buffer
      try {
        raw = await readRawBody(req, maxBytes)
      } catch (error) {
        if (error instanceof BodyTooLarge) return invalid(res, `body: must be at most ${maxBytes} bytes`)
        return invalid(res, "body: could not be read")
      }
      const json = parseJsonBody(raw)
      if (!json.success) return invalid(res, json.message)
      body = json.body
    }
    const parsed = parse(body)
    if (!parsed.success) return invalid(res, parsed.message)
    req.validatedBody = parsed.data
    next()
  }
}
