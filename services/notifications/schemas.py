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


class PersonMail(Schema):
    """A mail the platform wrote to an account, for its person's right of access: what it
    was about and what became of it. Never its body: a password reset's or an address
    confirmation's carries a secret link once sent (kept here only as a placeholder)."""

    kind = fields.String(required=True, metadata={"description": "what the mail tells, e.g. "
                                                  "email_confirmation, contribution_confirmed"})
    subject = fields.String(required=True)
    status = fields.String(required=True,
                           metadata={"enum": ["pending", "sent", "cancelled", "failed"]})
    queued_at = fields.AwareDateTime(required=True, attribute="created_at")
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
