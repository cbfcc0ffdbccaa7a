// The store the integration tests boot: this plugin installed as the README tells merchants (plugin + payment
// provider), loaded from the built package, talking to the Plural sandbox the test started.
import path from "node:path"
import { defineConfig } from "@medusajs/framework/utils"

const root = path.resolve(__dirname, "../..")

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: { jwtSecret: "integration-test", cookieSecret: "integration-test", storeCors: "*", adminCors: "*", authCors: "*" },
  },
  admin: { disable: true },
  plugins: [{ resolve: root, options: {} }],
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [
          {
            resolve: path.join(root, ".medusa/server/src/providers/plural"),
            id: "plural",
            options: JSON.parse(process.env.PLURAL_PROVIDER_OPTIONS ?? "{}"),
          },
        ],
      },
    },
  ],
})
