"""spurc."""
