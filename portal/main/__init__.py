"""Pages that compose several areas (landing, dashboard, brand CSS, health); paths unchanged."""
