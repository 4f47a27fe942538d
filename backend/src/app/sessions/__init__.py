"""Sessions: each log-in is a row, which its token names (docs/security.md, "Sessions")."""
