"""Strawberry types of one domain.

Events out and automation: the outbox and signed webhooks, the audit trail, reminders and
notifications.
"""
