"""The webhooks domain: the event log delivered, signed, to its owners' servers (docs/webhooks.md)."""
