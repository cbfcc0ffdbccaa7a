/** Valid provider options for unit tests: a merchant whose Plural lives at `base_url` (a fake or the sandbox). */
import type { PluralOptions } from "../src/providers/plural/options"

export function providerOptions(base_url: string, client_secret: string): PluralOptions {
  return {
    client_id: "merchant-7",
    client_secret,
    secret_key: "9A7B3C5D1E2F4051",
    webhook_secret: "YWJjMTIzNA==",
    base_url,
    backend_url: "https://api.shop.example.in",
    storefront_success_url: "https://shop.example.in/order/confirmed",
    storefront_failure_url: "https://shop.example.in/checkout",
  }
}
