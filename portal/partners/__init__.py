"""Organisations (the tenant), their members and roles, seats, and the partner dashboard."""
