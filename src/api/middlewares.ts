import { defineMiddlewares } from "@medusajs/framework/http"
import { validatePointsBalanceBody } from "./admin/plural/points-balance/validators"
import { validateStorePointsBalanceBody } from "./store/plural/carts/[id]/points-balance/validators"

export default defineMiddlewares({
  routes: [
    // The signature covers the exact bytes Plural sent, so the webhook keeps its raw body.
    { matcher: "/hooks/plural/webhook", method: ["POST"], bodyParser: { preserveRawBody: true } },
    // A card number must never reach an answer or a log line: the route reads and validates its own body, because
    // Medusa's JSON parser and validator both quote what they were sent in their errors (which are logged).
    {
      matcher: "/admin/plural/points-balance",
      methods: ["POST"],
      bodyParser: false,
      middlewares: [validatePointsBalanceBody()],
    },
    {
      matcher: "/store/plural/carts/:id/points-balance",
      methods: ["POST"],
      bodyParser: false,
      middlewares: [validateStorePointsBalanceBody()],
    },
  ],
})
