"""Console views, one module per area; each registers its routes on `portal.admin.bp`."""
