"""What goes in and out of notifications.

It publishes no event: a mail sent is not a fact another service acts on. It reads
members' and funding's events with their own specifications (tolerantly: fields it
does not know are ignored), imported from their schemas modules.
"""
from marshmallow import Schema, fields

PUBLISHED_EVENTS = ()


class MailCounts(Schema):
    """How many mails are in each state, for an operator: a growing `failed` or an old
    `pending` says the SMTP server or members needs a look."""

    pending = fields.Integer()
    sent = fields.Integer()
    cancelled = fields.Integer()
    failed = fields.Integer()
    oldest_pending_at = fields.AwareDateTime(allow_none=True)
