"""Notifications: webhooks and e-mail, written to the outbox and sent by the worker."""
