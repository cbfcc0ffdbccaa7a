/** What Medusa's built-in webhook route does for each Plural event (the plugin's own route records the rest). */
import type { PaymentActions } from "@medusajs/framework/types"
import type { WebhookEventType } from "../../plural"

export const WEBHOOK_ACTION_OF: Record<WebhookEventType, PaymentActions> = {
  ORDER_AUTHORIZED: "authorized",
  ORDER_PROCESSED: "captured",
  ORDER_FAILED: "failed",
  PAYMENT_FAILED: "failed",
  ORDER_CANCELLED: "canceled",
  // Refund outcomes are recorded by the plugin's own webhook route; Medusa has no action for them.
  REFUND_PROCESSED: "not_supported",
  REFUND_FAILED: "not_supported",
}
