"""The six agents: their slot specs, dependencies and blueprints."""
