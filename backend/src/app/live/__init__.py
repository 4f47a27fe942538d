"""Live updates: the event log every domain writes its changes to, the per-process broker
that reads it, and `GET /events`, which streams it."""
