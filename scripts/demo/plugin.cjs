// @ts-check
// The plugin as the demo app gets it: built the way it is published (medusa plugin:build, when the build is missing
// or older than src/), then installed into the app's node_modules as npm would install its tarball.
"use strict"

const fs = require("node:fs")
const path = require("node:path")
const { ROOT, newestMtime, walkFiles } = require("./files.cjs")
const { runProcess } = require("./processes.cjs")

const PLUGIN_NAME = "medusa-payment-plural"

const REQUIRED_PLUGIN_FILES = ["providers/plural/index.js", "sandbox/index.js", "storefront/index.js"].map((file) =>
  path.join(".medusa", "server", "src", file)
)

/**
 * Whether `.medusa/server` is missing, incomplete, or older than a source file.
 * @returns {"missing" | "stale" | false}
 */
function pluginBuildIsStale() {
  const out = path.join(ROOT, ".medusa", "server", "src")
  if (REQUIRED_PLUGIN_FILES.some((file) => !fs.existsSync(path.join(ROOT, file)))) return "missing"
  const sources = walkFiles(path.join(ROOT, "src"), (f) => /\.(ts|tsx|json)$/.test(f) && !/\.spec\.tsx?$/.test(f))
  const built = walkFiles(out, (f) => f.endsWith(".js"))
  return newestMtime(sources) > newestMtime(built) ? "stale" : false
}

/**
 * Why the plugin must be built now (false: it need not): `when` is "always", "never" or "auto" (when stale).
 * @param {string} when
 * @returns {"requested" | "missing" | "stale" | false}
 */
function pluginBuildReason(when) {
  if (when === "always") return "requested"
  if (when === "never") return false
  return pluginBuildIsStale()
}

/**
 * `medusa plugin:build` in the checkout. The backend still works when only a part of the build (e.g. the admin
 * extensions) failed: that is a warning, unless the backend's files are missing.
 * @param {{ env: NodeJS.ProcessEnv, logDir: string, echo?: boolean, log: (message: string) => void }} options
 */
async function buildPlugin({ env, logDir, echo, log }) {
  try {
    await runProcess({
      name: "plugin-build",
      command: process.execPath,
      args: [path.join(ROOT, "node_modules/.bin/medusa"), "plugin:build"],
      cwd: ROOT,
      env: { ...env, MEDUSA_DISABLE_TELEMETRY: "true" },
      logDir,
      echo,
    })
  } catch (error) {
    if (pluginBuildIsStale() === "missing") throw error
    log(`    warning: the plugin build reported errors; continuing with what it built (${path.join(logDir, "plugin-build.log")})`)
  }
}

/**
 * The app's own node_modules holds every package of this checkout (linked), as a store's holds what npm installed:
 * the plugin and Medusa resolve zod, @medusajs/* and the rest from the app wherever the demo folder is, not only from
 * a node_modules further up that a folder outside the checkout does not have.
 * @param {string} appDir
 */
function linkDependencies(appDir) {
  const from = path.join(ROOT, "node_modules")
  const to = path.join(appDir, "node_modules")
  const wanted = new Set(fs.readdirSync(from).filter((name) => !name.startsWith(".") && name !== PLUGIN_NAME))
  for (const name of fs.readdirSync(to)) {
    // A package the checkout no longer has (a link: removing it leaves the package alone).
    if (!name.startsWith(".") && name !== PLUGIN_NAME && !wanted.has(name)) fs.rmSync(path.join(to, name), { recursive: true, force: true })
  }
  for (const name of wanted) {
    const link = path.join(to, name)
    const target = path.join(from, name)
    let current
    try {
      current = fs.readlinkSync(link)
    } catch {}
    if (current === target) continue
    fs.rmSync(link, { recursive: true, force: true })
    fs.symlinkSync(target, link, "dir")
  }
}

/**
 * Installs the built package into the app's node_modules the way npm would from a tarball: its published files
 * (package.json "files") only. A copy rather than a link, so that rebuilding the plugin while the demo runs cannot
 * pull files from under it. Resolves the installed package's folder.
 * @param {string} appDir
 * @returns {Promise<string>}
 */
async function installPlugin(appDir) {
  linkDependencies(appDir)
  const target = path.join(appDir, "node_modules", PLUGIN_NAME)
  /** @type {{ files?: string[] }} */
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))
  for (let attempt = 1; ; attempt++) {
    fs.rmSync(target, { recursive: true, force: true })
    fs.mkdirSync(target, { recursive: true })
    for (const entry of ["package.json", ...(pkg.files ?? [])]) {
      const from = path.join(ROOT, entry)
      if (fs.existsSync(from)) fs.cpSync(from, path.join(target, entry), { recursive: true, dereference: true })
    }
    const missing = REQUIRED_PLUGIN_FILES.filter((file) => !fs.existsSync(path.join(target, file)))
    if (!missing.length) return target
    // A rebuild (medusa plugin:build empties .medusa/server first) may be under way: wait for it.
    if (attempt >= 30) throw new Error(`The plugin build is incomplete (missing ${missing.join(", ")}); run npm run build`)
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}

module.exports = { buildPlugin, installPlugin, pluginBuildReason }
