"""Outgoing mail: an outbox written with each change and a sender that drains it."""
