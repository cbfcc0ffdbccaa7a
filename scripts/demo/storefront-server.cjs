// @ts-check
// The demo storefront: a static page (demo/storefront/) and its script, bundled with esbuild together with
// @medusajs/js-sdk and this package's storefront helper, served by a small node:http server.
"use strict"

const fs = require("node:fs")
const http = require("node:http")
const path = require("node:path")

/** @type {Record<string, string>} */
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" }

/**
 * Bundles demo/storefront/app.js for the browser; the helper comes from the built package, as a shop would use it.
 * @param {string} root
 * @param {string} pluginDir
 */
async function bundle(root, pluginDir) {
  const esbuild = require("esbuild")
  const result = await esbuild.build({
    entryPoints: [path.join(root, "demo/storefront/app.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    write: false,
    minify: false,
    sourcemap: "inline",
    logLevel: "silent",
    nodePaths: [path.join(root, "node_modules")],
    alias: { "medusa-payment-plural/storefront": path.join(pluginDir, ".medusa/server/src/storefront/index.js") },
    define: { "process.env.NODE_ENV": '"production"' },
  })
  return result.outputFiles[0].text
}

/**
 * Starts the storefront on `host:port`. `config` is given to the page as `window.PLURAL_DEMO`.
 * @param {{
 *   root: string,
 *   pluginDir: string,
 *   port: number,
 *   host?: string,
 *   config: { medusaUrl: string, publishableKey: string, regionId: string },
 * }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
async function startStorefront({ root, pluginDir, port, host = "127.0.0.1", config }) {
  const dir = path.join(root, "demo/storefront")
  const script = await bundle(root, pluginDir)
  const page = () =>
    fs
      .readFileSync(path.join(dir, "index.html"), "utf8")
      .replace("<!-- PLURAL_DEMO_CONFIG -->", `<script>window.PLURAL_DEMO = ${JSON.stringify(config).replace(/</g, "\\u003c")}</script>`)

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://storefront")
    /** @type {(status: number, type: string, body: string | Buffer) => void} */
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" })
      res.end(body)
    }
    try {
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "Method not allowed")
      if (url.pathname === "/app.js") return send(200, TYPES[".js"], script)
      if (url.pathname === "/health") return send(200, "text/plain", "ok")
      const asset = /^\/[a-z0-9-]+\.(css|svg)$/.exec(url.pathname)
      if (asset) {
        const file = path.join(dir, url.pathname)
        if (fs.existsSync(file)) return send(200, TYPES[path.extname(file)], fs.readFileSync(file))
        return send(404, "text/plain", "Not found")
      }
      // Browsers that ask for the icon at its old place get the page's icon.
      if (url.pathname === "/favicon.ico") return send(200, TYPES[".svg"], fs.readFileSync(path.join(dir, "favicon.svg")))
      // Every other path is a page of the single-page storefront.
      return send(200, TYPES[".html"], page())
    } catch (error) {
      send(500, "text/plain", error instanceof Error ? error.message : String(error))
    }
  })
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      server.once("error", reject)
      server.listen(port, host, resolve)
    })
  )
  return {
    url: `http://${host}:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections?.()
      }),
  }
}

module.exports = { startStorefront }
