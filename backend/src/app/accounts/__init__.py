"""The accounts domain: signing up, logging in, tokens, the password and its throttle."""
