/**
 * The demo store's Medusa configuration: exactly how a merchant installs medusa-payment-plural (the plugin for its
 * routes, subscribers and admin widgets, plus the provider under the payment module).
 *
 * `npm run demo` copies this file into the generated app folder (.demo/app) and sets the variables below; with a
 * real Plural account you would set base_url to nothing (environment "uat" or "prod") and use your own keys.
 */
import { defineConfig, loadEnv } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`The demo store needs ${name} (npm run demo sets it)`)
  return value
}

const backendUrl = process.env.DEMO_BACKEND_URL || `http://localhost:${process.env.PORT || 9000}`
const storefrontUrl = process.env.DEMO_STOREFRONT_URL || "http://localhost:8000"
const cors = [storefrontUrl, backendUrl].join(",")

// Several server instances (the benchmark's) need one lock across them: Medusa's PostgreSQL locking provider.
const sharedLocking =
  process.env.DEMO_LOCKING === "postgres"
    ? [
        {
          resolve: "@medusajs/medusa/locking",
          options: { providers: [{ resolve: "@medusajs/medusa/locking-postgres", id: "locking-postgres", is_default: true }] },
        },
      ]
    : []

// Medusa's production topology (npm run chaos): server instances and a worker (MEDUSA_WORKER_MODE) sharing Redis
// through Medusa's own event bus, workflow engine, locking and caching modules.
const redisUrl = process.env.DEMO_REDIS_URL
const redisModules = redisUrl
  ? [
      { resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl } },
      { resolve: "@medusajs/medusa/workflow-engine-redis", options: { redis: { redisUrl } } },
      {
        resolve: "@medusajs/medusa/locking",
        options: { providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl } }] },
      },
      {
        resolve: "@medusajs/medusa/caching",
        options: { providers: [{ resolve: "@medusajs/medusa/caching-redis", id: "caching-redis", is_default: true, options: { redisUrl } }] },
      },
    ]
  : sharedLocking
const workerMode = (process.env.MEDUSA_WORKER_MODE as "shared" | "worker" | "server" | undefined) || "shared"
// Provider options a run may tighten (the chaos run's shorter timeouts and reconciliation windows), as JSON.
const extraPluralOptions = process.env.DEMO_PLURAL_OPTIONS ? JSON.parse(process.env.DEMO_PLURAL_OPTIONS) : {}

const config = defineConfig({
  projectConfig: {
    databaseUrl: required("DATABASE_URL"),
    // A local demo: no TLS to the embedded PostgreSQL.
    databaseDriverOptions: { connection: { ssl: false } },
    workerMode,
    redisUrl,
    http: {
      storeCors: process.env.STORE_CORS || cors,
      adminCors: process.env.ADMIN_CORS || cors,
      authCors: process.env.AUTH_CORS || cors,
      jwtSecret: process.env.JWT_SECRET || "demo-jwt-secret-not-for-production",
      cookieSecret: process.env.COOKIE_SECRET || "demo-cookie-secret-not-for-production",
    },
  },
  admin: {
    disable: false,
    // Same origin as the API, so one dashboard build serves the demo on any port.
    backendUrl: "/",
  },
  plugins: [{ resolve: "medusa-payment-plural", options: {} }],
  ...(redisUrl && { featureFlags: { caching: true } }),
  modules: [
    ...redisModules,
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [
          {
            resolve: "medusa-payment-plural/providers/plural",
            id: "plural",
            options: {
              client_id: required("PLURAL_CLIENT_ID"),
              client_secret: required("PLURAL_CLIENT_SECRET"),
              secret_key: required("PLURAL_SECRET_KEY"),
              webhook_secret: required("PLURAL_WEBHOOK_SECRET"),
              base_url: process.env.PLURAL_BASE_URL || undefined,
              backend_url: backendUrl,
              storefront_success_url: `${storefrontUrl}/order/confirmed`,
              storefront_failure_url: `${storefrontUrl}/checkout/failed`,
              pre_auth: process.env.PLURAL_PRE_AUTH === "true",
              // The demo storefront offers pay by points (with the shopper's stored consent) on the sandbox's points cards.
              pay_by_points: true,
              ...extraPluralOptions,
            },
          },
        ],
      },
    },
  ],
})

// defineConfig adds Medusa's draft-order plugin, which a full Medusa app has installed. This repository does not depend
// on it, so the demo leaves it out when it cannot be found (the admin then has no draft-orders page).
function isInstalled(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`, { paths: [process.cwd()] })
    return true
  } catch {
    return false
  }
}
config.plugins = config.plugins.filter((plugin) => {
  const name = typeof plugin === "string" ? plugin : plugin.resolve
  return name !== "@medusajs/draft-order" || isInstalled(name)
})

module.exports = config
