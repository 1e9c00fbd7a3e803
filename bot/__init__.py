"""Bounceback's platform-neutral conversation engine.

Events come in, replies go out; state lives behind the ports in :mod:`bot.ports`.
This package imports no platform SDK, no storage library and no scheduler.
"""
