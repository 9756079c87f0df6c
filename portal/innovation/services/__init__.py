"""The innovation rules."""
