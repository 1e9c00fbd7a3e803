"""Bounceback's entry points: settings, the composition root and the command line."""
