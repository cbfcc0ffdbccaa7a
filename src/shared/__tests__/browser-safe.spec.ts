/**
 * The shared vocabulary is loaded by the storefront helper and the admin widgets in a browser: its runtime imports
 * (type-only imports vanish at build) may reach only each other, zod, and Plural's own dependency-free definitions.
 * The entry point (`shared/index.ts`) loads no schema library at all.
 */
import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"

const SHARED = path.resolve(__dirname, "..")
const ALLOWED_OUTSIDE = new Set(["zod", "../plural/schemas", "../plural/vpa"])

/** Runtime imports and re-exports of a source file (`import type` / `export type` excluded). */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, "utf8")
  const found: string[] = []
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^"']*?\sfrom\s+)?["']([^"']+)["']/gm)) found.push(match[1])
  return found
}

/** Every module `entry` loads at run time, followed through relative imports inside `src/`. */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith(".")) visit(`${path.resolve(path.dirname(file), spec)}.ts`)
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
