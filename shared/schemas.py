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


def fields_with_nul(value, prefix=""):
    """The fields whose text holds a NUL character, which no database column can store."""
    if isinstance(value, str):
        return [prefix or "_schema"] if "\x00" in value else []
    if isinstance(value, dict):
        return [name for key, item in value.items()
                for name in fields_with_nul(item, f"{prefix}.{key}" if prefix else str(key))]
    if isinstance(value, list):
        return [name for index, item in enumerate(value)
                for name in fields_with_nul(item, f"{prefix}.{index}" if prefix else str(index))]
    return []


def load(schema: Schema, payload, *, strict=True):
    """Validate and deserialize `payload`; unknown fields are refused unless not strict."""
    if not isinstance(payload, dict):
        raise invalid({"_schema": ["Expected a JSON object."]})
    with_nul = fields_with_nul(payload)
    if with_nul:
        raise invalid({name: ["Text may not contain a NUL character."] for name in with_nul})
    try:
        return schema.load(payload, unknown=RAISE if strict else EXCLUDE)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None
