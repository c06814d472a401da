"""Thin GraphQL adapters: authentication, global IDs, DataLoaders, error mapping."""
