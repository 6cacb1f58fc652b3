"""Performance tests: the load profile of the testing spec."""
