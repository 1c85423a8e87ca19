"""The catalogue of every event the platform publishes, rendered for docs/events.md.

    python -m shared.event_catalogue > docs/events.md

A test checks that docs/events.md is exactly this rendering, so the document and the
schemas can't drift apart.
"""
import importlib

from marshmallow import fields

from shared.config import SERVICE_NAMES
from shared.envelope import EnvelopeSchema

INTRO = """# Events

Every fact a service records is published as an event, through the service's
transactional outbox, to the topic exchange `<service>.events` with the routing key
`<thing>_<past verb>`. Reporting's archive queue is bound to every exchange; a service
that needs another's facts binds a durable queue per handler (shared/topology.py).

This file is generated from the schemas: `python -m shared.event_catalogue > docs/events.md`.
A test fails when the two differ.

## Rules

- Publishers are strict: data that does not match its schema is never published.
- Consumers are tolerant: fields they don't know are ignored.
- Delivery is at least once; every consumer applies an event once (its inbox).
- Order is not guaranteed across replicas: projections are increments or check versions.
- A breaking change is a new routing key (`..._v2`), published beside the old one until
  every consumer has moved.
"""


def published_events():
    specs = []
    for name in SERVICE_NAMES:
        specs.extend(importlib.import_module(f"services.{name}.schemas").PUBLISHED_EVENTS)
    return specs


def _type_name(field):
    if isinstance(field, fields.Integer) and field.strict:
        return "integer"
    return {
        fields.UUID: "UUID", fields.String: "string", fields.Integer: "integer",
        fields.AwareDateTime: "datetime (ISO 8601, UTC)", fields.Dict: "object",
        fields.Boolean: "boolean", fields.List: "list",
    }.get(type(field), type(field).__name__)


def _table(schema):
    rows = ["| field | type | required | may be null |", "| --- | --- | --- | --- |"]
    for name, field in schema().fields.items():
        rows.append(f"| `{name}` | {_type_name(field)} | {'yes' if field.required else 'no'} "
                    f"| {'yes' if field.allow_none else 'no'} |")
    return "\n".join(rows)


def render() -> str:
    parts = [INTRO, "## Envelope\n", "Every message body is this JSON object.\n",
             _table(EnvelopeSchema), ""]
    for spec in published_events():
        parts += [f"## `{spec.type}` v{spec.version}\n", f"{spec.description}\n",
                  _table(spec.schema), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
