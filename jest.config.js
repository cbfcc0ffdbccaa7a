// Four projects: unit tests (HTTP faked with undici's MockAgent), integration tests on a real Medusa app and a
// real PostgreSQL, browser tests in headless Chromium, and the multi-instance topology. `npm test` runs them all.
const swc = [
  "@swc/jest",
  // JSX as the build compiles it (tsconfig "jsx": "react-jsx"): the automatic runtime, no React import needed.
  { jsc: { parser: { syntax: "typescript", decorators: true, tsx: true }, target: "es2022", transform: { react: { runtime: "automatic" } } } },
]
const common = {
  transform: { "^.+\\.[jt]sx?$": swc },
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "tsx", "json"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/.medusa/", "<rootDir>/.demo/"],
  // Generated demo apps have package.json files of their own; keep them out of jest's module map.
  modulePathIgnorePatterns: ["<rootDir>/.demo/"],
}

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/src/**/__tests__/**/*.spec.ts"] },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/integration-tests/http/**/*.spec.ts"],
      setupFiles: ["<rootDir>/integration-tests/setup.js"],
    },
    {
      ...common,
      displayName: "browser",
      testMatch: ["<rootDir>/integration-tests/browser/**/*.spec.ts"],
    },
    // The demo store started twice on one database (Medusa's PostgreSQL locking between them).
    { ...common, displayName: "topology", testMatch: ["<rootDir>/integration-tests/topology/**/*.spec.ts"] },
  ],
}
