"""Membership: tiers, applications, memberships, invoices and payments."""
