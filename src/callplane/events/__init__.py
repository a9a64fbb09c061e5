"""Events to tenant apps: webhook endpoints, typed event catalog, durable signed delivery."""
