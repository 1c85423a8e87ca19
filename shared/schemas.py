"""Loading input with marshmallow, turning its errors into a DomainError by field."""
from decimal import Decimal

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields

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


def load(schema: Schema, payload, *, strict=True, partial=False):
    """Validate and deserialize `payload`; unknown fields are refused unless not strict;
    `partial` lets required fields be absent (an edit names only what it changes)."""
    if not isinstance(payload, dict):
        raise invalid({"_schema": ["Expected a JSON object."]})
    with_nul = fields_with_nul(payload)
    if with_nul:
        raise invalid({name: ["Text may not contain a NUL character."] for name in with_nul})
    try:
        return schema.load(payload, unknown=RAISE if strict else EXCLUDE, partial=partial)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None


class Hundredths(fields.Field):
    """A quantity with at most two decimals in the API (FTE, hours), an integer count of
    hundredths inside (12.5 is 1250), so that sums are exact."""

    def __init__(self, *, maximum=100_000, signed=False, **kwargs):
        self.maximum = maximum
        # No `multipleOf: 0.01`: float division makes validators refuse 0.07. A `signed`
        # one is a figure given out that may go down (jobs lost in a year), never read in.
        bounds = {} if signed else {"minimum": 0, "maximum": maximum}
        metadata = {"type": "number", **bounds, "description": "At most two decimals.",
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("A number is expected.")
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0 or amount > self.maximum:
            raise ValidationError(f"A number from 0 to {self.maximum} is expected.")
        hundredths = amount * 100
        if hundredths != hundredths.to_integral_value():
            raise ValidationError("At most two decimals.")
        return int(hundredths)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value / 100


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else: marshmallow's Boolean would also take 1, "yes"
    or "on" (and 0 == False to a set), which the OpenAPI document (boolean) does not allow."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def load_patch(schema: Schema, payload):
    """Validate a PATCH body: the fields it names, with the `version` it edits.

    Returns `(expected_version, changes)`. A body that changes nothing is refused, as is
    one without the version: an edit without it could overwrite someone else's."""
    if not isinstance(payload, dict):
        raise invalid({"_schema": ["Expected a JSON object."]})
    payload = dict(payload)
    version = payload.pop("version", None)
    problems = {}
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems["version"] = ["The version you edit (a positive integer, as read) is required."]
    if not payload:
        problems["_schema"] = ["Name at least one field to change."]
    if problems:
        raise invalid(problems)
    return version, load(schema, payload, partial=True)
