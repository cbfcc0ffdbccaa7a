import { Module } from "@medusajs/framework/utils"
import { PluralModuleService } from "./service"

/** The plugin's own module: the ledger of Plural orders and refunds, and the webhook inbox. */
export const PLURAL_MODULE = "plural"

export default Module(PLURAL_MODULE, { service: PluralModuleService })
