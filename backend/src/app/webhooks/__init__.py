"""The webhooks domain: the event log delivered, signed, to owners' servers (docs/webhooks.md)."""
