"""kombu's `json` serializer, decoding without its object hook when the hook has
nothing to do. Registered when imported (shared.rpc and shared.inbox import it, so
every service process and the gateway decode with it).

kombu decodes every message's JSON with `object_hook`, a Python call per JSON object
that turns `{"__type__": ..., "__value__": ...}` (what kombu's encoder writes for a
datetime, date, time, Decimal, UUID or bytes) back into its type: about 2% of funding's
CPU. Such an object needs the key `__type__` in the text, literally or with some of its
characters escaped (`\\u005f` for `_`, `\\u0074` `\\u0079` `\\u0070` `\\u0065` for t, y,
p, e: all `\\u005`, `\\u006` or `\\u007`). A text with neither is decoded by the json
module's C decoder alone, to the same result; any other is decoded by kombu's own
`loads`, hook included. Encoding, content type and errors (DecodeError) are kombu's.
"""
import json
import re

import kombu.serialization
from kombu.utils import json as kombu_json

ESCAPED_KEY_CHARACTER = re.compile(r"\\u00[5-7]")


def may_hold_a_type(text: str) -> bool:
    # Substring tests first: a regex with an alternation tries it at every character,
    # and costs about what the hook it spares does.
    return "__type__" in text or ("\\u00" in text and
                                  ESCAPED_KEY_CHARACTER.search(text) is not None)


def loads(data):
    """kombu.utils.json.loads, the same result, without the hook where it cannot act."""
    if isinstance(data, memoryview):
        data = data.tobytes().decode("utf-8")
    elif isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    if may_hold_a_type(data):
        return kombu_json.loads(data)
    return json.loads(data)


kombu.serialization.register("json", kombu_json.dumps, loads,
                             content_type="application/json", content_encoding="utf-8")
