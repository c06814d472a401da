"""Wiring: settings, database, ASGI app, CLI."""
