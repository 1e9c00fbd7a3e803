"""The terminal adapter: chat with Bounceback in a shell, no tokens and no server needed."""
