"""The staff console: one blueprint, one guard, its own layout."""
