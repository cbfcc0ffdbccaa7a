/**
 * Plural's webhooks. The signature is checked against the raw body before anything else (401 otherwise); each
 * delivery is claimed in the inbox by its `webhook-id`, so a redelivery — or the same event arriving at several
 * Medusa instances at once — is processed once.
 */
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { PLURAL_WEBHOOK_INBOX } from "../../../../modules/plural-webhook-inbox"
import type { PluralWebhookInboxService } from "../../../../modules/plural-webhook-inbox/service"
import { resolvePluralProvider } from "../../../../utils/resolve-plural-provider"
import { recordPluralRefundWorkflow } from "../../../../workflows/record-plural-refund"
import { settlePluralPaymentWorkflow } from "../../../../workflows/settle-plural-payment"

export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const provider = resolvePluralProvider(req.scope)
  const rawBody = (req as MedusaRequest & { rawBody?: Buffer }).rawBody
  if (!rawBody || !provider.verifyWebhook({ headers: req.headers, rawBody })) {
    return res.status(401).json({ message: "Invalid or stale webhook signature" })
  }

  const webhookId = String(req.headers["webhook-id"])
  const event = provider.parseWebhookEvent(rawBody)
  const inbox = req.scope.resolve<PluralWebhookInboxService>(PLURAL_WEBHOOK_INBOX)
  const claim = await inbox.claim({
    webhook_id: webhookId,
    event_type: event?.event_type ?? String((req.body as { event_type?: unknown })?.event_type ?? "unknown"),
    plural_order_id: event?.data.order_id,
  })
  if (claim === "duplicate") return res.status(200).json({ received: true, duplicate: true })
  // Another instance is processing this very delivery; a non-2xx makes Plural redeliver it later.
  if (claim === "busy") return res.status(409).json({ message: "This event is being processed" })

  if (!event) {
    await inbox.finish(webhookId, { status: "ignored" })
    return res.status(200).json({ received: true, ignored: true })
  }

  try {
    if (event.data.type === "REFUND") {
      await recordPluralRefundWorkflow(req.scope).run({ input: { refund: event.data } })
    } else {
      await settlePluralPaymentWorkflow(req.scope).run({ input: { session_id: provider.sessionIdOf(event.data) } })
    }
    await inbox.finish(webhookId, { status: "processed" })
    return res.status(200).json({ received: true })
  } catch (error) {
    const message = (error as Error).message
    if (MedusaError.isMedusaError(error) && (error as MedusaError).type === MedusaError.Types.NOT_FOUND) {
      // An order this store did not create (another shop on the same Plural account): nothing to do, ever.
      await inbox.finish(webhookId, { status: "ignored" })
      return res.status(200).json({ received: true, ignored: true })
    }
    req.scope.resolve("logger").error(`Plural webhook ${webhookId} (${event.event_type}) failed; Plural will redeliver it: ${message}`)
    await inbox.finish(webhookId, { status: "failed", error: message })
    return res.status(500).json({ message: "The event could not be processed; it will be retried" })
  }
}
