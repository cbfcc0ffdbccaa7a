import { Module } from "@medusajs/framework/utils"
import { PluralWebhookInboxService } from "./service"

export const PLURAL_WEBHOOK_INBOX = "pluralWebhookInbox"

export default Module(PLURAL_WEBHOOK_INBOX, { service: PluralWebhookInboxService })
