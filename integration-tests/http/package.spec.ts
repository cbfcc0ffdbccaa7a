/**
 * The built package as a merchant gets it: the root export is a small public library, the sub-exports resolve,
 * and medusa-plugin.json says exactly what the build contains.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import path from "node:path"

const root = path.resolve(__dirname, "../..")

describe("the built package", () => {
  it("exports the Plural client, the signature functions and the error classes from its root", () => {
    const library = require("medusa-payment-plural")
    for (const name of ["PluralClient", "signCallback", "verifyCallback", "signWebhook", "verifyWebhook", "PluralError", "PluralApiError", "PluralNetworkError", "Order"]) {
      expect(library[name]).toBeDefined()
    }
    const fields = { order_id: "v1-1", payment_status: "PROCESSED" }
    const signature = library.signCallback(fields, "0a1b2c3d")
    expect(library.verifyCallback({ ...fields, signature }, "0a1b2c3d")).toBe(true)
  })

  it("resolves its sub-exports: provider, sandbox, storefront helper, workflows", () => {
    expect(require("medusa-payment-plural/providers/plural").default.services[0].identifier).toBe("plural")
    expect(typeof require("medusa-payment-plural/sandbox").startSandbox).toBe("function")
    expect(require("medusa-payment-plural/storefront")).toBeDefined()
    expect(typeof require("medusa-payment-plural/workflows").settlePluralPaymentWorkflow).toBe("function")
  })

  it("has a medusa-plugin.json that agrees with the build", () => {
    const check = spawnSync(process.execPath, [path.join(root, "scripts/manifest.mjs"), "--check"], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } })
    expect(check.stderr).toBe("")
    expect(check.status).toBe(0)
  })

  it("documents in the README every environment variable and route the manifest lists", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "medusa-plugin.json"), "utf8"))
    const readme = readFileSync(path.join(root, "README.md"), "utf8")
    for (const variable of manifest.environment) expect(readme).toContain(variable.name)
    for (const route of manifest.routes) expect(readme).toContain(route.path)
    for (const option of Object.keys(manifest.provider.options.properties)) expect(readme).toContain(`\`${option}\``)
  })
})
