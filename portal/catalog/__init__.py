"""The technology catalog (push): listings, researchers, search, leads, saved searches."""
