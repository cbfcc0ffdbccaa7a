/**
 * The built package as a merchant gets it: the root export is a small public library, the sub-exports resolve,
 * and medusa-plugin.json says exactly what the build contains.
 */
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { builtinModules } from "node:module"
import { tmpdir } from "node:os"
import path from "node:path"

const root = path.resolve(__dirname, "../..")
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"))

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
}

/** The packages a built file loads: `require("x")`, `from "x"`, `import("x")`, minus Node's own and relative paths. */
function packagesImportedBy(code: string): string[] {
  return [...code.matchAll(/(?:\brequire\(|\bfrom\s*|\bimport\()\s*["']([^"'.][^"']*)["']/g)]
    .map(([, specifier]) => specifier)
    .filter((specifier) => !specifier.startsWith("node:") && !builtinModules.includes(specifier.split("/")[0]))
    .map((specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"))
}

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

  it("declares every package its built files load, and loads every package it declares", () => {
    const built = path.join(root, ".medusa/server")
    const loaded = new Set(filesBelow(built).filter((f) => /\.[cm]?js$/.test(f)).flatMap((f) => packagesImportedBy(readFileSync(path.join(built, f), "utf8"))))
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)])
    expect([...loaded].filter((name) => !declared.has(name))).toEqual([])
    // @medusajs/cli is the store's `medusa` command, which builds and runs the plugin; nothing imports it.
    expect([...declared].filter((name) => !loaded.has(name))).toEqual(["@medusajs/cli"])
    expect(pkg.peerDependencies["@medusajs/test-utils"]).toBeUndefined()
    // The store provides them all (a stock store, or Medusa's admin dashboard): npm checks versions, installs none.
    for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta?.[name]).toEqual({ optional: true })
  })

  it("plural-sandbox says once where it listens, then its merchant as PLURAL_* lines for .env", async () => {
    const bin = path.join(root, pkg.bin["plural-sandbox"])
    const child = spawn(process.execPath, [bin, "--port", "0"], { env: { ...process.env, NODE_OPTIONS: "" } })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    const exited = new Promise((resolve) => child.once("exit", resolve))
    try {
      for (let i = 0; i < 200 && !output.includes("Control API"); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(output.match(/listening on/g)).toHaveLength(1)
      const url = /listening on (http:\/\/\S+)/.exec(output)![1]
      const env = output.split("\n").filter((line) => /^[A-Z_]+=/.test(line))
      expect(env.map((line) => line.split("=")[0])).toEqual(["PLURAL_BASE_URL", "PLURAL_CLIENT_ID", "PLURAL_CLIENT_SECRET", "PLURAL_SECRET_KEY", "PLURAL_WEBHOOK_SECRET"])
      expect(env[0]).toBe(`PLURAL_BASE_URL=${url}`)
      expect(output).not.toMatch(/merchant_id/)
      // The printed credentials are the sandbox's: a token request with them succeeds.
      const values = Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]))
      const token = await fetch(`${url}/api/auth/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_id: values.PLURAL_CLIENT_ID, client_secret: values.PLURAL_CLIENT_SECRET, grant_type: "client_credentials" }),
      })
      expect(token.status).toBe(200)
    } finally {
      child.kill("SIGTERM")
      await exited
    }
  })

  // Last: `npm pack` runs the package's prepack step, which edits the built files in place.
  it("packs what a merchant installs: the built plugin, LICENSE, no TypeScript sources and no inline source maps", () => {
    const out = mkdtempSync(path.join(tmpdir(), "plural-pack-"))
    try {
      const packed = spawnSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } })
      expect(packed.status).toBe(0)
      const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[")))
      expect(spawnSync("tar", ["-xzf", path.join(out, filename), "-C", out]).status).toBe(0)
      const files = filesBelow(path.join(out, "package"))
      expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "medusa-plugin.json", ".medusa/server/src/index.js", ".medusa/server/src/admin/index.mjs"]))
      expect(readFileSync(path.join(out, "package/LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) 2026 medusa-payment-plural contributors/)
      expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])
      expect(files.filter((f) => f.endsWith(".map"))).toEqual([])
      const withMaps = files.filter((f) => /\.[cm]?js$/.test(f) && readFileSync(path.join(out, "package", f), "utf8").includes("sourceMappingURL="))
      expect(withMaps).toEqual([])
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)
})
