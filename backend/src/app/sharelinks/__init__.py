"""Share links: a secret URL that makes whoever opens it a member of a list."""
