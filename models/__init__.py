"""The domain: Tortoise models and the rules that change them. No GraphQL, no HTTP."""

MODEL_MODULES = [
    "models.tenancy",
    "models.catalog",
    "models.seats",
    "models.events",
    "models.idempotency",
    "models.booking",
    "models.notices",
    "models.billing",
    "models.marketplace",
]
