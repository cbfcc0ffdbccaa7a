/** Session data read and checked on the server: a problem is Medusa's INVALID_DATA (a 400 naming the field). */
import { MedusaError } from "@medusajs/framework/utils"
import type { z } from "zod"
import { PluralSessionData, SessionRequest } from "../shared/session-data"

function fail(what: string, error: z.ZodError): never {
  const issue = error.issues[0]
  throw new MedusaError(MedusaError.Types.INVALID_DATA, `${what}: ${issue.path.join(".") || "data"} ${issue.message}`)
}

export function parseSessionRequest(data: unknown): SessionRequest {
  const result = SessionRequest.safeParse(data ?? {})
  return result.success ? result.data : fail("Invalid Plural payment session data", result.error)
}

/** The stored data of a session this provider created; anything else is a clear error, not a crash later. */
export function parseSessionData(data: unknown): PluralSessionData {
  const result = PluralSessionData.safeParse(data)
  return result.success ? result.data : fail("This payment session has no Plural order (was it created by the Plural provider?)", result.error)
}
