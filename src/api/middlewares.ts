import { defineMiddlewares, validateAndTransformBody } from "@medusajs/framework/http"
import { PointsBalanceRequest } from "./admin/plural/points-balance/validators"

export default defineMiddlewares({
  routes: [
    // The signature covers the exact bytes Plural sent, so the webhook keeps its raw body.
    { matcher: "/hooks/plural/webhook", method: ["POST"], bodyParser: { preserveRawBody: true } },
    { matcher: "/admin/plural/points-balance", method: ["POST"], middlewares: [validateAndTransformBody(PointsBalanceRequest)] },
  ],
})
