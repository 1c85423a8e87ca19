import uuid

import pytest
from marshmallow import Schema, ValidationError, fields

from shared.envelope import EventSpec, make_envelope, read_envelope
from shared.errors import DomainError
from shared.schemas import StrictBoolean, flatten_errors, load


class Thing(Schema):
    thing_id = fields.UUID(required=True)
    amount_cents = fields.Integer(required=True, strict=True)


SPEC = EventSpec("members", "thing_happened", 1, Thing, "A thing happened.")


def test_publishing_is_strict_unknown_or_missing_fields_are_refused():
    with pytest.raises(ValueError, match="extra.*Unknown field"):
        make_envelope(SPEC, {"thing_id": str(uuid.uuid4()), "amount_cents": 1, "extra": 1})
    with pytest.raises(ValueError, match="amount_cents"):
        make_envelope(SPEC, {"thing_id": str(uuid.uuid4())})


def test_an_envelope_carries_its_identity_and_reads_back():
    envelope = make_envelope(SPEC, {"thing_id": str(uuid.uuid4()), "amount_cents": 5}, "cid-1")
    assert envelope["type"] == "members.thing_happened"
    assert envelope["source"] == "members"
    assert envelope["correlation_id"] == "cid-1"
    read = read_envelope({**envelope, "a_field_from_the_future": True})
    assert str(read["event_id"]) == envelope["event_id"]
    assert read["occurred_at"].tzinfo is not None


def test_consuming_is_tolerant_of_fields_a_newer_publisher_added():
    data = SPEC.read({"thing_id": str(uuid.uuid4()), "amount_cents": 5, "new_field": "x"})
    assert data["amount_cents"] == 5 and "new_field" not in data


def test_a_body_that_is_not_an_envelope_is_refused():
    with pytest.raises(ValidationError):
        read_envelope({"type": "members.thing_happened"})


def test_errors_are_flattened_by_dotted_field():
    assert flatten_errors({"address": {"commune": ["Required."]}, "name": ["Too short."]}) == {
        "address.commune": ["Required."], "name": ["Too short."]}


def test_load_names_each_bad_field_and_refuses_unknown_ones():
    with pytest.raises(DomainError) as raised:
        load(Thing(), {"amount_cents": "12", "surprise": 1})
    assert set(raised.value.details["fields"]) == {"thing_id", "amount_cents", "surprise"}


def test_load_refuses_what_is_not_an_object():
    with pytest.raises(DomainError) as raised:
        load(Thing(), [1, 2])
    assert raised.value.details["fields"] == {"_schema": ["Expected a JSON object."]}


@pytest.mark.parametrize("value, accepted", [(True, True), (False, True), (0, False),
                                             (1, False), ("true", False), (None, False)])
def test_a_strict_boolean_takes_only_json_true_and_false(value, accepted):
    class Consent(Schema):
        given = StrictBoolean(required=True)
    if accepted:
        assert load(Consent(), {"given": value}) == {"given": value}
    else:
        with pytest.raises(DomainError) as raised:
            load(Consent(), {"given": value})
        assert list(raised.value.details["fields"]) == ["given"]


def test_a_field_the_data_lacks_is_named_with_its_event():
    envelope = make_envelope(SPEC, {"thing_id": str(uuid.uuid4()), "amount_cents": 5})
    del envelope["data"]["amount_cents"]
    data = read_envelope(envelope)["data"]
    with pytest.raises(KeyError) as missing:
        data["amount_cents"]
    assert str(missing.value) == "members.thing_happened v1: its data has no field 'amount_cents'"
    assert data.get("amount_cents") is None and data["thing_id"] == envelope["data"]["thing_id"]
