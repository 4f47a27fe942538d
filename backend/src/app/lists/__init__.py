"""The lists domain: lists, their members and roles, with the same shape as `app.todos`."""
