"""The CRM rules."""
