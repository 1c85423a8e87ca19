"""shared.json_codec decodes every message as kombu's json does, hook or no hook."""
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import kombu.serialization
import pytest
from kombu.exceptions import DecodeError
from kombu.utils import json as kombu_json

from shared import json_codec

TEXTS = [
    '{"args": ["c1", {"amount_cents": 2500}], "kwargs": {"email_verified": true}}',
    '{"message": "Bon courage \\u00e0 tous, \\u00e9t\\u00e9 \\u20ac"}',   # accents escaped
    '[1, 2.5, null, "x", {"a": {"b": [{}]}}]',
    '{"__type__": "decimal", "__value__": "12.30"}',
    '{"a": [{"\\u005f_type__": "date", "__value__": "2026-12-07"}]}',    # key escaped
    '{"__typ\\u0065__": "uuid", "__value__": {"hex": "' + uuid.UUID(int=7).hex + '"}}',
    '{"__\\u0054ype__": 1}',                     # an escaped capital: not the key
    '{"__type__": "date", "__value__": "2026-12-07", "other": 1}',  # not only those two
    '"\\u005f"',
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_decodes_as_kombu_decodes_it(text):
    for data in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert json_codec.loads(data) == kombu_json.loads(text)


def test_what_kombu_s_encoder_writes_comes_back_as_its_type():
    value = {"at": datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc), "day": date(2026, 12, 7),
             "amount": Decimal("12.30"), "id": uuid.uuid4(), "raw": b"\xff\x00",
             "name": "Zo\u00e9"}
    content_type, encoding, body = kombu.serialization.dumps(value, serializer="json")
    assert kombu.serialization.loads(body, content_type, encoding) == value


def test_the_registry_decodes_json_with_it_and_its_errors_are_kombu_s():
    assert kombu.serialization.registry._decoders["application/json"] is json_codec.loads
    for broken in (b'{"a": ', b"\xff", b'{"__type__": "nothing", "__value__": 1}'):
        with pytest.raises(DecodeError):
            kombu.serialization.loads(broken, "application/json", "utf-8")
