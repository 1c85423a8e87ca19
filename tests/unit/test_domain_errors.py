"""A DomainError crosses RPC as itself, its details with their JSON types: nameko
stringifies every number, boolean and None it finds in an exception's args."""
import json

from nameko.exceptions import deserialize, serialize

import shared.rpc  # noqa: F401  registers DomainError with nameko
from shared.errors import CONFLICT, DomainError, version_conflict


def across_rpc(error):
    return deserialize(json.loads(json.dumps(serialize(error))))


def test_details_keep_numbers_booleans_and_none_across_rpc():
    sent = DomainError(CONFLICT, "quiz_locked", "Locked.", {
        "retry_after": 3600, "expired": False, "passed_at": None,
        "fields": {"amount_cents": ["Too small."]}, "limits": [1, 2.5]})
    received = across_rpc(sent)
    assert isinstance(received, DomainError)
    assert (received.kind, received.code, received.message) == (
        CONFLICT, "quiz_locked", "Locked.")
    assert received.details == {"retry_after": 3600, "expired": False, "passed_at": None,
                                "fields": {"amount_cents": ["Too small."]},
                                "limits": [1, 2.5]}


def test_a_version_conflict_names_the_current_version_as_a_number():
    received = across_rpc(version_conflict("project", "p-1", 7))
    assert received.details["current_version"] == 7


def test_details_default_to_an_empty_mapping_and_values_json_cannot_hold_become_text():
    assert DomainError(CONFLICT, "c", "m").details == {}
    assert DomainError(CONFLICT, "c", "m", {"at": object}).details["at"].startswith("<class")
