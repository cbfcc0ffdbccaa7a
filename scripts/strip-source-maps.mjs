#!/usr/bin/env node
// Runs before `npm pack` and `npm publish` (package.json "prepack"). Medusa's plugin:build always inlines a source
// map into each built file (unless tsconfig asks for separate map files), and those maps point at TypeScript sources
// the package does not ship: they are removed from the built files, so what merchants install carries none.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const built = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.medusa/server")
const INLINE_MAP = /\n?\/\/# sourceMappingURL=data:application\/json[^\n]*\n?$/

if (!existsSync(built)) {
  console.error("Nothing to pack: run `npm run build` first.")
  process.exit(1)
}

let stripped = 0
for (const entry of readdirSync(built, { withFileTypes: true, recursive: true })) {
  if (!entry.isFile() || !/\.[cm]?js$/.test(entry.name)) continue
  const file = path.join(entry.parentPath ?? entry.path, entry.name)
  const code = readFileSync(file, "utf8")
  if (!INLINE_MAP.test(code)) continue
  writeFileSync(file, `${code.replace(INLINE_MAP, "")}\n`)
  stripped++
}
console.log(`removed the inline source maps of ${stripped} built files`)
