"""Query, mutation and subscription resolvers: they check permissions and call models and store."""
