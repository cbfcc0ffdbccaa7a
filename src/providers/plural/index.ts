import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import checkCredentialsAtBoot from "./boot"
import { PluralProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, { services: [PluralProviderService], loaders: [checkCredentialsAtBoot] })
