import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { PluralProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, { services: [PluralProviderService] })
