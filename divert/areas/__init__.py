"""Areas as configured in tenants/*.toml, and syncing them into the database."""
