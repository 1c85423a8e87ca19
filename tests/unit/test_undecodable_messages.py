"""How a consumer decodes a message's body, and refuses what no handler can read; how
the operator's listing shows a raw body."""
import json

import pytest
from kombu.exceptions import ContentDisallowed, DecodeError

from shared.cli import raw_preview
from shared.inbox import Undecodable, accepted_content_types, decode

ACCEPTED = accepted_content_types({})


def test_our_consumers_accept_json_only():
    assert ACCEPTED == {"application/json"}


def test_json_decodes():
    assert decode(json.dumps({"a": 1}).encode(), "application/json", "utf-8", ACCEPTED) \
        == {"a": 1}


@pytest.mark.parametrize("raw, content_type, content_encoding, refusal", [
    (b"{not json", "application/json", "utf-8", DecodeError),
    (b"\xff\xfe", "application/json", "utf-8", DecodeError),
    (b"", "application/json", "utf-8", DecodeError),
    (b"bonjour", "text/plain", "utf-8", ContentDisallowed),
    # kombu lets its "trusted" types through undecoded; no handler of ours reads them.
    (b'{"a": 1}', "application/data", "binary", ContentDisallowed),
    (b'{"a": 1}', "application/text", "utf-8", ContentDisallowed),
    (b'{"a": 1}', None, None, ContentDisallowed),
])
def test_what_no_handler_can_read_is_refused(raw, content_type, content_encoding, refusal):
    with pytest.raises(refusal):
        decode(raw, content_type, content_encoding, ACCEPTED)


def test_an_undecodable_message_decoded_again_says_why_it_still_is():
    letter = Undecodable(b"{not json", "application/json", "utf-8", "funding.events",
                         "contribution_confirmed", "DecodeError: old")
    again = letter.again(ACCEPTED)
    assert isinstance(again, Undecodable) and again.raw == letter.raw
    assert again.error.startswith("DecodeError: ") and again.error != letter.error
    fixed = Undecodable(b'{"a": 1}', "application/json", "utf-8", None, None, "")
    assert fixed.again(ACCEPTED) == {"a": 1}


def test_a_raw_body_previews_as_one_readable_line():
    assert raw_preview("Virement reçu : 25 €".encode()) == "Virement reçu : 25 €"
    assert raw_preview(b"\x00\xff\xfe binaire\n") == r"\x00\xff\xfe binaire\n"
    assert raw_preview(b"x" * 200) == "x" * 80 + "…"
