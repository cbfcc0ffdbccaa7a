/**
 * Plural's webhooks. The signature is checked against the raw body before anything else (401 otherwise); then the
 * delivery goes through the inbox by its `webhook-id`, so a redelivery — or the same event arriving at several
 * Medusa instances at once — is processed once, and a failed one is retried by the plugin.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { parseWebhookEvent } from "../../../../plural"
import { resolvePluralProvider } from "../../../../utils/resolve-plural-provider"
import { handlePluralWebhook } from "../../../../workflows/handle-plural-webhook"

export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const provider = resolvePluralProvider(req.scope)
  const rawBody = (req as MedusaRequest & { rawBody?: Buffer }).rawBody
  if (!rawBody || !provider.verifyWebhook({ headers: req.headers, rawBody })) {
    return res.status(401).json({ message: "Invalid or stale webhook signature" })
  }

  const event = parseWebhookEvent(rawBody)
  const eventType = event?.event_type ?? String((req.body as { event_type?: unknown })?.event_type ?? "unknown").slice(0, 100)
  const outcome = await handlePluralWebhook(req.scope, { webhook_id: String(req.headers["webhook-id"]), event_type: eventType, event })
  switch (outcome) {
    case "duplicate":
      return res.status(200).json({ received: true, duplicate: true })
    case "ignored":
      return res.status(200).json({ received: true, ignored: true })
    // Another instance is processing this very delivery; a non-2xx makes Plural redeliver it later.
    case "busy":
      return res.status(409).json({ message: "This event is being processed" })
    // Kept in the inbox and retried by the plugin; Plural may redeliver too.
    case "failed":
      return res.status(500).json({ message: "The event could not be processed; it will be retried" })
    default:
      return res.status(200).json({ received: true })
  }
}
