/**
 * A minimal store for the integration tests, made through Medusa's own workflows and modules: an India region in
 * INR and a US region in USD with Plural enabled, a sales channel with a publishable key, a product that needs no
 * shipping, and an admin token. Then a shopper's steps through the store API.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/medusa/core-flows"
import jwt from "jsonwebtoken"

export const PROVIDER_ID = "pp_plural_plural"

export type Store = {
  sales_channel_id: string
  inr: { region_id: string; variant_id: string }
  usd: { region_id: string; variant_id: string }
  storeHeaders: { headers: Record<string, string> }
  adminHeaders: { headers: Record<string, string> }
}

export async function seedStore(container: MedusaContainer): Promise<Store> {
  const user = await container.resolve(Modules.USER).createUsers({ email: "admin@plural.test" })
  const token = jwt.sign({ actor_id: user.id, actor_type: "user", auth_identity_id: "authid_test", app_metadata: { user_id: user.id } }, "integration-test")

  const { result: [channel] } = await createSalesChannelsWorkflow(container).run({ input: { salesChannelsData: [{ name: "Web" }] } })
  const { result: [key] } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: user.id }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: key.id, add: [channel.id] } })

  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        { name: "India", currency_code: "inr", countries: ["in"], payment_providers: [PROVIDER_ID] },
        { name: "United States", currency_code: "usd", countries: ["us"], payment_providers: [PROVIDER_ID] },
      ],
    },
  })
  const variant_id = await createProduct(container, {
    title: "Chai set",
    sales_channel_id: channel.id,
    variant: {
      manage_inventory: false,
      prices: [
        { amount: 499.5, currency_code: "inr" },
        { amount: 12, currency_code: "usd" },
      ],
    },
  })
  return {
    sales_channel_id: channel.id,
    inr: { region_id: regions[0].id, variant_id },
    usd: { region_id: regions[1].id, variant_id },
    storeHeaders: { headers: { "x-publishable-api-key": key.token } },
    adminHeaders: { headers: { authorization: `Bearer ${token}` } },
  }
}

type Variant = {
  manage_inventory: boolean
  prices: { amount: number; currency_code: string }[]
  inventory_items?: { inventory_item_id: string; required_quantity: number }[]
}

/** A published product of one variant ("One", the only value of its one option) in the sales channel: its variant id. */
export async function createProduct(container: MedusaContainer, input: { title: string; sales_channel_id: string; variant: Variant }): Promise<string> {
  const { result: [product] } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: input.title,
          status: "published",
          options: [{ title: "Size", values: ["One"] }],
          sales_channels: [{ id: input.sales_channel_id }],
          variants: [{ title: "One", options: { Size: "One" }, ...input.variant }],
        },
      ],
    },
  })
  return product.variants[0].id
}

type Api = {
  post: (url: string, body?: unknown, config?: unknown) => Promise<{ data: any; status: number }>
  get: (url: string, config?: unknown) => Promise<{ data: any; status: number }>
}

/** A cart for one item, with an email and an Indian address, and a Plural payment session for it. */
export async function cartWithPluralSession(
  api: Api,
  store: Store,
  options: { region?: "inr" | "usd"; quantity?: number; data?: Record<string, unknown>; variant_id?: string } = {}
) {
  const { region_id } = store[options.region ?? "inr"]
  const variant_id = options.variant_id ?? store[options.region ?? "inr"].variant_id
  const { data: { cart } } = await api.post(
    "/store/carts",
    {
      region_id,
      email: "shopper@example.in",
      items: [{ variant_id, quantity: options.quantity ?? 2 }],
      billing_address: { first_name: "Asha", last_name: "Rao", address_1: "12 MG Road", city: "Bengaluru", postal_code: "560001", country_code: "in", phone: "+91 98765 43210" },
    },
    store.storeHeaders
  )
  const session = await startPluralSession(api, store, cart.id, options.data)
  return { cart, session }
}

export async function startPluralSession(api: Api, store: Store, cartId: string, data: Record<string, unknown> = {}) {
  const { status, data: created } = await requestPluralSession(api, store, cartId, data)
  if (status >= 300) throw new Error(`the Plural session was refused: ${status} ${JSON.stringify(created)}`)
  const session = created.payment_collection.payment_sessions.find((s: { provider_id: string }) => s.provider_id === PROVIDER_ID)
  return session as { id: string; status: string; data: Record<string, any> }
}

/** Asks for a Plural payment session for the cart: Medusa's answer as it is, a refusal included. */
export async function requestPluralSession(api: Api, store: Store, cartId: string, data: Record<string, unknown> = {}) {
  const { data: { payment_collection } } = await api.post("/store/payment-collections", { cart_id: cartId }, store.storeHeaders)
  return api.post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: PROVIDER_ID, data }, { ...store.storeHeaders, validateStatus: () => true })
}

/** A cart of one item in the region, with no email or address yet. */
export async function cartOfOneItem(api: Api, store: Store, region: "inr" | "usd" = "inr"): Promise<{ id: string }> {
  const { region_id, variant_id } = store[region]
  const { data } = await api.post("/store/carts", { region_id, items: [{ variant_id, quantity: 1 }] }, store.storeHeaders)
  return data.cart
}

/** The order made from a cart, if any, with its payments. */
export async function orderOfCart(container: MedusaContainer, cartId: string) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  if (!links[0]) return undefined
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "payment_collections.payments.*", "payment_collections.payments.captures.*", "payment_collections.payments.refunds.*"],
    filters: { id: links[0].order_id },
  })
  return data[0] as any
}

export async function countOrdersOfCart(container: MedusaContainer, cartId: string): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data.length
}
