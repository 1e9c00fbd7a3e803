"""Adapters: each translates one platform to and from the engine's events and replies."""
