/**
 * The shared vocabulary is loaded by the storefront helper and the admin widgets in a browser: its runtime imports
 * (type-only imports vanish at build) may reach only each other, zod, and Plural's own dependency-free definitions.
 * The entry point (`shared/index.ts`) loads no schema library at all. The browser code takes what it shares with the
 * server from here, so it loads no server module either.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import path from "node:path"

const SHARED = path.resolve(__dirname, "..")
const SRC = path.resolve(SHARED, "..")
const ALLOWED_OUTSIDE = new Set(["zod", "../plural/schemas", "../plural/vpa", "../plural/points-card"])

/** Runtime imports and re-exports of a source file (`import type` / `export type` excluded). */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, "utf8")
  const found: string[] = []
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^"']*?\sfrom\s+)?["']([^"']+)["']/gm)) found.push(match[1])
  return found
}

/** The source file an import of `target` (a path without extension, or a folder) names. */
function sourceOf(target: string): string {
  const found = [`${target}.ts`, `${target}.tsx`, path.join(target, "index.ts")].find((file) => existsSync(file))
  if (!found) throw new Error(`no source for ${target}`)
  return found
}

/** Every module `entry` loads at run time, followed through relative imports inside `src/`. */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith(".")) visit(sourceOf(path.resolve(path.dirname(file), spec)))
      else seen.add(spec)
    }
  }
  visit(entry)
  return seen
}

const sharedFiles = readdirSync(SHARED).filter((name) => name.endsWith(".ts"))

describe("the shared vocabulary is safe in a browser", () => {
  it.each(sharedFiles)("%s imports nothing from the server at run time", (name) => {
    for (const spec of runtimeImports(path.join(SHARED, name))) {
      if (spec.startsWith("./")) continue
      expect(ALLOWED_OUTSIDE).toContain(spec)
    }
  })

  it("its entry point loads no schema library and no Node or Medusa module", () => {
    const loaded = [...loadedBy(path.join(SHARED, "index.ts"))]
    expect(loaded.filter((m) => !m.startsWith("/"))).toEqual([])
    expect(loaded.map((m) => path.relative(SHARED, m)).sort()).not.toContain("../plural/schemas.ts")
  })

  it("finds runtime imports and ignores type-only ones (the check above can fail)", () => {
    const file = path.join(SHARED, "session-data.ts")
    expect(runtimeImports(file)).toEqual(expect.arrayContaining(["zod", "../plural/schemas"]))
    expect(runtimeImports(path.join(SHARED, "statuses.ts"))).not.toContain("@medusajs/framework/types")
  })
})

describe("browser code loads the server's vocabulary from src/shared only", () => {
  it.each([
    ["storefront/index.ts", []],
    ["storefront/react/index.ts", ["react"]],
  ])("%s loads no server module and no schema library", (entry, packages) => {
    const loaded = [...loadedBy(path.join(SRC, entry))]
    expect(loaded.filter((m) => !m.startsWith("/")).sort()).toEqual(packages)
    const outside = loaded
      .filter((m) => m.startsWith("/") && !m.startsWith(path.join(SRC, "storefront")))
      .map((m) => path.relative(SRC, m))
    expect(outside.filter((m) => !m.startsWith("shared/")).sort()).toEqual(["plural/points-card.ts", "plural/vpa.ts"])
  })

  it("the admin extension reaches outside src/admin only into src/shared", () => {
    const ADMIN = path.join(SRC, "admin")
    const files = readdirSync(ADMIN, { recursive: true, encoding: "utf8" }).filter((name) => /\.tsx?$/.test(name))
    const reached = files.flatMap((name) =>
      runtimeImports(path.join(ADMIN, name))
        .filter((spec) => spec.startsWith("."))
        .map((spec) => path.relative(SRC, path.resolve(path.dirname(path.join(ADMIN, name)), spec)))
        .filter((target) => !target.startsWith("admin"))
    )
    expect(reached.length).toBeGreaterThan(0)
    expect([...new Set(reached)]).toEqual(["shared"])
  })
})
