"""The todo domain: a todo in a list, its routes, service, statements, table, shapes and
events (the layout and its rules: docs/architecture.md)."""
