"""Runtime configuration read from the environment."""
