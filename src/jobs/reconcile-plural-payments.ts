import type { MedusaContainer } from "@medusajs/framework/types"
import { reconcilePluralPaymentsWorkflow } from "../workflows/reconcile-plural-payments"

/** Every five minutes: settle Plural sessions nobody came back for. */
export default async function reconcilePluralPaymentsJob(container: MedusaContainer) {
  await reconcilePluralPaymentsWorkflow(container).run({ input: {} })
}

export const config = { name: "reconcile-plural-payments", schedule: "*/5 * * * *" }
