"""The tokens domain: personal access tokens, for scripts and notebooks (docs/security.md)."""
