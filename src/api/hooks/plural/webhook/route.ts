/**
 * Plural's webhooks. The signature is checked against the raw body before anything else (401 otherwise); then the
 * event is stored in the inbox by its `webhook-id` and acknowledged at once. Processing is asynchronous and exactly
 * once (a redelivery, or the same event at several Medusa instances, is a duplicate), and a failure is retried by the
 * plugin.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { nestsDeeperThan } from "../../../../utils/json-depth"
import { resolvePluralGateway } from "../../../../utils/resolve-plural-gateway"
import { receivePluralWebhook } from "./inbox"

/** Plural's events nest four or five levels; far deeper is no event, and could not be stored again. */
const MAX_EVENT_DEPTH = 32

export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const gateway = resolvePluralGateway(req.scope)
  const rawBody = (req as MedusaRequest & { rawBody?: Buffer }).rawBody
  if (!rawBody || !gateway.verifyWebhook({ headers: req.headers, rawBody })) {
    return res.status(401).json({ message: "Invalid or stale webhook signature" })
  }
  if (nestsDeeperThan(req.body, MAX_EVENT_DEPTH)) {
    return res.status(400).json({ message: `The webhook body nests deeper than ${MAX_EVENT_DEPTH} levels: it is no Plural event` })
  }

  const stored = await receivePluralWebhook(req.scope, { webhook_id: String(req.headers["webhook-id"]), body: req.body })
  return res.status(200).json(stored === "duplicate" ? { received: true, duplicate: true } : { received: true })
}
