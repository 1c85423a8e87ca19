"""What goes out of reporting. It consumes every event and publishes none yet."""
from marshmallow import Schema, fields


class Summary(Schema):
    organisations = fields.Integer()
    projects = fields.Integer()
    campaigns = fields.Integer()
    contributions = fields.Integer()
    amount_raised_cents = fields.Integer()


PUBLISHED_EVENTS = ()
