"""HTTP routers: one per entity, plus health and metrics."""
