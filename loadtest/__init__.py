"""Load tests (issue 6: the demo block; issue 13: the province on the production stack)."""
