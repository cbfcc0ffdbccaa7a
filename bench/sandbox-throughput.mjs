#!/usr/bin/env node
// @ts-check
/**
 * Measures the Plural sandbox's get-order throughput: requests per second over keep-alive from undici.
 *
 *   node bench/sandbox-throughput.mjs [--requests 20000] [--connections 8] [--built]
 *
 * By default the sandbox is compiled on the fly: @swc/core (a dev dependency) transpiles src/sandbox and
 * src/plural to CommonJS in node_modules/.cache/plural-sandbox-bench, so no `medusa plugin:build` is needed and
 * the measured code is the working tree's. `--built` loads .medusa/server/src/sandbox instead (run
 * `npx medusa plugin:build` first). The request count is bounded; the number printed is requests per second.
 */
import { createRequire } from "node:module"
import { mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { concurrently } from "../scripts/lib/concurrently.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const require = createRequire(join(root, "package.json"))
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "20000" },
    connections: { type: "string", default: "8" },
    built: { type: "boolean", default: false },
  },
})
const total = Number(values.requests)
const connections = Number(values.connections)

/** Compiles src/sandbox and src/plural to CommonJS; returns the folder that holds them as `src/…`. */
function compileOnTheFly() {
  const swc = require("@swc/core")
  const out = join(root, "node_modules", ".cache", "plural-sandbox-bench")
  for (const dir of ["src/sandbox", "src/plural"]) {
    for (const name of readdirSync(join(root, dir))) {
      if (!name.endsWith(".ts")) continue
      const source = join(root, dir, name)
      const { code } = swc.transformFileSync(source, {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
      })
      const target = join(out, relative(root, source)).replace(/\.ts$/, ".js")
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, code)
    }
  }
  return out
}

const compiled = values.built ? join(root, ".medusa", "server") : compileOnTheFly()
/** @type {typeof import("../src/sandbox/index.js")} */
const { startSandbox } = require(join(compiled, "src", "sandbox"))
/** @type {typeof import("../src/plural/index.js")} */
const { Order, TokenResponse, wrapped } = require(join(compiled, "src", "plural"))
const { Agent, request } = require("undici")

const sandbox = await startSandbox({ seed: "bench" })
const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 10_000 })
/**
 * A POST of `body` as JSON; resolves the answer's JSON.
 * @param {string} path
 * @param {unknown} body
 * @param {string} [token]
 */
const post = async (path, body, token) => {
  const response = await request(`${sandbox.url}${path}`, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  })
  return response.body.json()
}

try {
  const { access_token: token } = TokenResponse.parse(
    await post("/api/auth/v1/token", {
      client_id: sandbox.merchant.client_id,
      client_secret: sandbox.merchant.client_secret,
      grant_type: "client_credentials",
    })
  )
  const { data: order } = wrapped(Order).parse(
    await post("/api/pay/v1/orders", { merchant_order_reference: "bench-1", order_amount: { value: 1100, currency: "INR" } }, token)
  )
  const path = `/api/pay/v1/orders/${order.order_id}`
  const getOrder = async () => {
    const response = await request(`${sandbox.url}${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } })
    await response.body.dump()
    if (response.statusCode !== 200) throw new Error(`get order answered ${response.statusCode}`)
  }

  for (let i = 0; i < 500; i++) await getOrder() // warm-up
  const started = process.hrtime.bigint()
  await concurrently(total, connections, getOrder)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  console.log(`get-order: ${total} requests over ${connections} keep-alive connections in ${seconds.toFixed(2)} s`)
  console.log(`${Math.round(total / seconds)} requests/s`)
} finally {
  await agent.close()
  await sandbox.stop()
}
