/**
 * Seeds the demo store through Medusa's own workflows, like the starter's `src/scripts/seed.ts`, and is safe to run on
 * every start: each record is looked up first and only created when missing.
 *
 *   medusa exec <path>/demo/seed.ts
 *
 * Reads DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD, and writes what a storefront or script needs (publishable key,
 * region, products) as JSON to DEMO_SEED_OUTPUT when it is set.
 */
import { writeFileSync } from "node:fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createInventoryLevelsWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  createUserAccountWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateRegionsWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows"
import { PLURAL_PROVIDER_ID as PLURAL_PROVIDER } from "medusa-payment-plural/shared"

const SYSTEM_PROVIDER = "pp_system_default"
const SALES_CHANNEL = "Plural demo store"
const API_KEY_TITLE = "Plural demo storefront"
const STOCK_LOCATION = "Bengaluru warehouse"
const FULFILLMENT_SET = "India delivery"
const SHIPPING_OPTION = "Standard delivery (India)"

/** Prices are in rupees (Medusa keeps major units); the plugin sends Plural integer paise. */
const PRODUCTS = [
  {
    title: "Masala Chai Tin",
    handle: "masala-chai-tin",
    description: "Assam CTC tea with cardamom, ginger and clove. 250 g.",
    price: 499.5,
    sku: "DEMO-CHAI-250",
  },
  {
    title: "Block-Printed Cotton Tote",
    handle: "block-printed-tote",
    description: "Hand block-printed in Jaipur on unbleached cotton.",
    price: 1299,
    sku: "DEMO-TOTE-01",
  },
  {
    title: "Brass Diya Set",
    handle: "brass-diya-set",
    description: "Four hand-polished brass oil lamps.",
    price: 2450,
    sku: "DEMO-DIYA-4",
  },
]

export default async function seedPluralDemo({ container }: ExecArgs) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const storeModule = container.resolve(Modules.STORE)
  const salesChannelModule = container.resolve(Modules.SALES_CHANNEL)
  const regionModule = container.resolve(Modules.REGION)
  const taxModule = container.resolve(Modules.TAX)
  const stockLocationModule = container.resolve(Modules.STOCK_LOCATION)
  const fulfillmentModule = container.resolve(Modules.FULFILLMENT)
  const apiKeyModule = container.resolve(Modules.API_KEY)
  const productModule = container.resolve(Modules.PRODUCT)
  const inventoryModule = container.resolve(Modules.INVENTORY)
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)

  // Sales channel
  let [salesChannel] = await salesChannelModule.listSalesChannels({ name: SALES_CHANNEL })
  if (!salesChannel) {
    const { result } = await createSalesChannelsWorkflow(container).run({
      input: { salesChannelsData: [{ name: SALES_CHANNEL, description: "The demo storefront" }] },
    })
    salesChannel = result[0]
    logger.info(`seed: created the sales channel "${SALES_CHANNEL}"`)
  }

  // Store: INR as the default currency, the demo channel as the default channel
  const [store] = await storeModule.listStores({}, { relations: ["supported_currencies"] })
  const hasInr = store.supported_currencies?.some((c) => c.currency_code === "inr" && c.is_default)
  if (!hasInr || store.default_sales_channel_id !== salesChannel.id) {
    await updateStoresWorkflow(container).run({
      input: {
        selector: { id: store.id },
        update: {
          name: "Plural demo store",
          supported_currencies: [{ currency_code: "inr", is_default: true }],
          default_sales_channel_id: salesChannel.id,
        },
      },
    })
    logger.info("seed: store set to INR")
  }

  // Region: India, INR, Plural (and the system provider as Medusa's default)
  let [region] = await regionModule.listRegions({ name: "India" })
  if (!region) {
    const { result } = await createRegionsWorkflow(container).run({
      input: {
        regions: [
          {
            name: "India",
            currency_code: "inr",
            countries: ["in"],
            automatic_taxes: true,
            payment_providers: [PLURAL_PROVIDER, SYSTEM_PROVIDER],
          },
        ],
      },
    })
    region = result[0]
    logger.info("seed: created the India region")
  } else {
    const { data } = await query.graph({
      entity: "region",
      fields: ["id", "payment_providers.id"],
      filters: { id: region.id },
    })
    const enabled = new Set<string>((data[0]?.payment_providers ?? []).map((p: { id: string }) => p.id))
    if (!enabled.has(PLURAL_PROVIDER) || !enabled.has(SYSTEM_PROVIDER)) {
      await updateRegionsWorkflow(container).run({
        input: {
          selector: { id: region.id },
          update: { payment_providers: [...new Set([...enabled, PLURAL_PROVIDER, SYSTEM_PROVIDER])] },
        },
      })
      logger.info("seed: enabled Plural on the India region")
    }
  }

  const taxRegions = await taxModule.listTaxRegions({ country_code: "in" })
  if (!taxRegions.length) {
    await createTaxRegionsWorkflow(container).run({ input: [{ country_code: "in", provider_id: "tp_system" }] })
  }

  // Stock location, served by the manual fulfillment provider
  let [stockLocation] = await stockLocationModule.listStockLocations({ name: STOCK_LOCATION })
  if (!stockLocation) {
    const { result } = await createStockLocationsWorkflow(container).run({
      input: {
        locations: [
          {
            name: STOCK_LOCATION,
            address: { address_1: "12 MG Road", city: "Bengaluru", postal_code: "560001", country_code: "IN" },
          },
        ],
      },
    })
    stockLocation = result[0]
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: stockLocation.id },
      [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
    })
    logger.info(`seed: created the stock location "${STOCK_LOCATION}"`)
  }

  const { data: locationChannels } = await query.graph({
    entity: "stock_location",
    fields: ["id", "sales_channels.id", "fulfillment_sets.id", "fulfillment_sets.name"],
    filters: { id: stockLocation.id },
  })
  if (!(locationChannels[0]?.sales_channels ?? []).some((sc: { id: string }) => sc.id === salesChannel.id)) {
    await linkSalesChannelsToStockLocationWorkflow(container).run({
      input: { id: stockLocation.id, add: [salesChannel.id] },
    })
  }

  // Shipping profile, fulfillment set with an India service zone, and a flat-rate shipping option
  let [shippingProfile] = await fulfillmentModule.listShippingProfiles({ type: "default" })
  if (!shippingProfile) {
    const { result } = await createShippingProfilesWorkflow(container).run({
      input: { data: [{ name: "Default Shipping Profile", type: "default" }] },
    })
    shippingProfile = result[0]
  }

  let [fulfillmentSet] = await fulfillmentModule.listFulfillmentSets(
    { name: FULFILLMENT_SET },
    { relations: ["service_zones"] }
  )
  if (!fulfillmentSet) {
    fulfillmentSet = await fulfillmentModule.createFulfillmentSets({
      name: FULFILLMENT_SET,
      type: "shipping",
      service_zones: [{ name: "India", geo_zones: [{ country_code: "in", type: "country" }] }],
    })
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: stockLocation.id },
      [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
    })
    logger.info(`seed: created the fulfillment set "${FULFILLMENT_SET}"`)
  }

  const serviceZoneId = fulfillmentSet.service_zones[0].id
  const existingOptions = await fulfillmentModule.listShippingOptions({ name: SHIPPING_OPTION })
  if (!existingOptions.length) {
    await createShippingOptionsWorkflow(container).run({
      input: [
        {
          name: SHIPPING_OPTION,
          price_type: "flat",
          provider_id: "manual_manual",
          service_zone_id: serviceZoneId,
          shipping_profile_id: shippingProfile.id,
          type: { label: "Standard", description: "Delivered in 3-5 days.", code: "standard" },
          prices: [
            { currency_code: "inr", amount: 99 },
            { region_id: region.id, amount: 99 },
          ],
          rules: [
            { attribute: "enabled_in_store", value: "true", operator: "eq" },
            { attribute: "is_return", value: "false", operator: "eq" },
          ],
        },
      ],
    })
    logger.info(`seed: created the shipping option "${SHIPPING_OPTION}"`)
  }

  // Publishable key for the storefront, scoped to the demo sales channel
  let apiKey = (await apiKeyModule.listApiKeys({ title: API_KEY_TITLE, type: "publishable" })).find((k) => !k.revoked_at)
  if (!apiKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: API_KEY_TITLE, type: "publishable", created_by: "" }] },
    })
    apiKey = result[0]
    logger.info("seed: created the publishable key")
  }
  const { data: keyChannels } = await query.graph({
    entity: "api_key",
    fields: ["id", "sales_channels.id"],
    filters: { id: apiKey.id },
  })
  if (!(keyChannels[0]?.sales_channels ?? []).some((sc: { id: string }) => sc.id === salesChannel.id)) {
    await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: apiKey.id, add: [salesChannel.id] } })
  }

  // Products with INR prices
  const existingProducts = await productModule.listProducts({ handle: PRODUCTS.map((p) => p.handle) })
  const existingHandles = new Set(existingProducts.map((p) => p.handle))
  const missing = PRODUCTS.filter((p) => !existingHandles.has(p.handle))
  if (missing.length) {
    await createProductsWorkflow(container).run({
      input: {
        products: missing.map((p) => ({
          title: p.title,
          handle: p.handle,
          description: p.description,
          status: ProductStatus.PUBLISHED,
          shipping_profile_id: shippingProfile.id,
          options: [{ title: "Edition", values: ["Standard"] }],
          variants: [
            {
              title: "Standard",
              sku: p.sku,
              manage_inventory: true,
              options: { Edition: "Standard" },
              prices: [{ currency_code: "inr", amount: p.price }],
            },
          ],
          sales_channels: [{ id: salesChannel.id }],
        })),
      },
    })
    logger.info(`seed: created ${missing.length} product(s)`)
  }

  // Inventory: plenty of stock at the warehouse for every demo SKU
  const inventoryItems = await inventoryModule.listInventoryItems({ sku: PRODUCTS.map((p) => p.sku) })
  const levels = await inventoryModule.listInventoryLevels({
    inventory_item_id: inventoryItems.map((i) => i.id),
    location_id: stockLocation.id,
  })
  const stocked = new Set(levels.map((l) => l.inventory_item_id))
  const unstocked = inventoryItems.filter((i) => !stocked.has(i.id))
  if (unstocked.length) {
    await createInventoryLevelsWorkflow(container).run({
      input: {
        inventory_levels: unstocked.map((i) => ({
          location_id: stockLocation.id,
          inventory_item_id: i.id,
          stocked_quantity: 1_000_000,
        })),
      },
    })
    logger.info(`seed: stocked ${unstocked.length} inventory item(s)`)
  }

  // Admin user (emailpass)
  const email = process.env.DEMO_ADMIN_EMAIL || "admin@plural-demo.test"
  const password = process.env.DEMO_ADMIN_PASSWORD || "plural-demo"
  const [user] = await userModule.listUsers({ email })
  if (!user) {
    let authIdentityId: string | undefined
    const { authIdentity, error } = await authModule.register("emailpass", { body: { email, password } })
    if (authIdentity) {
      authIdentityId = authIdentity.id
    } else {
      // A previous run registered the identity but stopped before creating the user.
      const [identity] = await authModule.listProviderIdentities({ entity_id: email, provider: "emailpass" })
      authIdentityId = identity?.auth_identity_id
      if (!authIdentityId) throw new Error(`seed: could not register the admin user: ${error}`)
    }
    await createUserAccountWorkflow(container).run({
      input: { authIdentityId, userData: { email, first_name: "Demo", last_name: "Admin" } },
    })
    logger.info(`seed: created the admin user ${email}`)
  }

  const facts = {
    publishable_key: apiKey.token,
    region_id: region.id,
    sales_channel_id: salesChannel.id,
    stock_location_id: stockLocation.id,
    admin: { email, password },
    products: PRODUCTS.map((p) => p.handle),
  }
  if (process.env.DEMO_SEED_OUTPUT) writeFileSync(process.env.DEMO_SEED_OUTPUT, JSON.stringify(facts, null, 2))
  logger.info("seed: done")
}
