"""The event envelope every service publishes, and the specification of each event."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache

from marshmallow import EXCLUDE, Schema, fields, validate


class EnvelopeSchema(Schema):
    """Consumers read envelopes tolerantly: unknown fields are ignored."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z]+\.[a-z0-9_]+$"))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    source = fields.String(required=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


ENVELOPE = EnvelopeSchema()


@cache
def schema_of(schema_class):
    """One instance of an event's schema, made once: building a marshmallow schema costs
    more than loading an event with it, and an instance keeps no state between loads."""
    return schema_class()


@dataclass(frozen=True)
class EventSpec:
    """One event a service publishes: routing key `name` on exchange `<source>.events`."""

    source: str
    name: str
    version: int
    schema: type
    description: str

    @property
    def type(self):
        return f"{self.source}.{self.name}"

    def check(self, data):
        """Publish strictly: the data must match the schema exactly, unknown fields refused."""
        errors = schema_of(self.schema).validate(data)
        if errors:
            raise ValueError(
                f"{self.type} v{self.version} data does not match its schema: {errors}")

    def read(self, data):
        """Consume tolerantly: what this version knows, loaded; the rest ignored."""
        return schema_of(self.schema).load(data, unknown=EXCLUDE)


def make_envelope(spec: EventSpec, data, correlation_id=None):
    spec.check(data)
    return {
        "event_id": str(uuid.uuid4()),
        "type": spec.type,
        "version": spec.version,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "source": spec.source,
        "correlation_id": correlation_id,
        "data": data,
    }


class MissingField(KeyError):
    """A handler read a field its event's data lacks."""

    def __init__(self, event: str, field):
        super().__init__(field)
        self.event, self.field = event, field

    def __str__(self):
        return f"{self.event}: its data has no field {self.field!r}"


class EventData(dict):
    """An event's data, as a consumer reads it: a field it lacks raises MissingField,
    which names the event and the field (a bare KeyError would name neither)."""

    def __init__(self, data, event: str):
        super().__init__(data)
        self.event = event

    def __missing__(self, field):
        raise MissingField(self.event, field)


def describe(envelope) -> str:
    """`funding.contribution_confirmed v2`: an event, as errors name it (a dead letter
    keeps its id beside the error)."""
    return f"{envelope['type']} v{envelope['version']}"


def read_envelope(body):
    """Raises marshmallow.ValidationError for what is not an envelope."""
    envelope = ENVELOPE.load(body)
    envelope["data"] = EventData(envelope["data"], describe(envelope))
    return envelope
