import type { MedusaContainer } from "@medusajs/framework/types"
import { reconcilePluralPaymentsWorkflow } from "../workflows/reconcile-plural-payments"

/** Every five minutes (one instance at a time): the ledger's due rows, lost refund answers, failed webhooks. */
export default async function reconcilePluralPaymentsJob(container: MedusaContainer) {
  await reconcilePluralPaymentsWorkflow(container).run({ input: {} })
}

export const config = { name: "reconcile-plural-payments", schedule: "*/5 * * * *" }
