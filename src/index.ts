/**
 * The package's public library: the Plural client, the signature functions, the error classes and the types of
 * every Plural object. Everything here works without Medusa.
 */
export * from "./plural"
