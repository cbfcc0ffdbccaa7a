// Medusa's test runner boots several apps in one process; MikroORM's metadata must not leak between them.
const { MetadataStorage } = require("@mikro-orm/core")

MetadataStorage.clear()
