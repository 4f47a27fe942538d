"""HTTP plumbing every domain shares: middleware, error responses, the OpenAPI document,
shared dependencies, health checks and the API docs pages."""
