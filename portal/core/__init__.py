"""Shared kernel: base types, permissions, errors, audit, mail outbox. No routes, no area imports."""
