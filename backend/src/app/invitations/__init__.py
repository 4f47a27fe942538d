"""Invitations to a list, an invitee's inbox, and blocks between accounts."""
