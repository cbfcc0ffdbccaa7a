/**
 * What NPCI allows as a UPI id (`name@bank`). On its own, with no imports, so that a browser can check a shopper's
 * entry with the very pattern the server and Plural's schema use, without loading the schemas.
 */
export const UPI_VPA_PATTERN = /^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9.-]{1,64}$/
