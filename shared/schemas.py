"""Loading input with marshmallow, turning its errors into a DomainError by field."""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError

from shared.errors import invalid


def flatten_errors(messages, prefix=""):
    """marshmallow nests errors by field; clients want `{"address.commune": [...]}`."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(flatten_errors(value, name))
    return flat


def load(schema: Schema, payload, *, strict=True):
    """Validate and deserialize `payload`; unknown fields are refused unless not strict."""
    if not isinstance(payload, dict):
        raise invalid({"_schema": ["Expected a JSON object."]})
    try:
        return schema.load(payload, unknown=RAISE if strict else EXCLUDE)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
