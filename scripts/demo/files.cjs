// @ts-check
// The checkout's root and the file helpers the demo's steps share: walking, hashing and dating source trees, and
// writing generated files only when their content changes.
"use strict"

const { createHash } = require("node:crypto")
const fs = require("node:fs")
const path = require("node:path")

const ROOT = path.resolve(__dirname, "..", "..")

/**
 * The files under `dir` (node_modules and __tests__ left out) that `filter` keeps.
 * @param {string} dir
 * @param {(file: string) => boolean} filter
 * @param {string[]} [out]
 * @returns {string[]}
 */
function walkFiles(dir, filter, out = []) {
  if (!fs.existsSync(dir)) return out
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "__tests__") walkFiles(full, filter, out)
    } else if (filter(full)) out.push(full)
  }
  return out
}

/** @param {string[]} files */
const newestMtime = (files) => files.reduce((max, f) => Math.max(max, fs.statSync(f).mtimeMs), 0)

/**
 * A hash of the files' paths (relative to the checkout) and contents.
 * @param {string[]} files
 */
function hashFiles(files) {
  const hash = createHash("sha256")
  for (const file of files.sort()) {
    hash.update(path.relative(ROOT, file))
    hash.update(fs.readFileSync(file))
  }
  return hash.digest("hex")
}

/**
 * Writes `content` unless the file holds it already (its date then says when it last changed).
 * @param {string} file
 * @param {string} content
 */
function writeIfChanged(file, content) {
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content)
}

/** @param {string} dir */
function touch(dir) {
  const now = new Date()
  fs.utimesSync(dir, now, now)
}

/**
 * Keeps the `keep` most recently used entries of a cache folder.
 * @param {string} dir
 * @param {number} keep
 */
function pruneCache(dir, keep) {
  const entries = fs
    .readdirSync(dir)
    .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
  for (const { name } of entries.slice(keep)) fs.rmSync(path.join(dir, name), { recursive: true, force: true })
}

module.exports = { ROOT, hashFiles, newestMtime, pruneCache, touch, walkFiles, writeIfChanged }
