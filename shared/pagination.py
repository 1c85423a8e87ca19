"""Cursor pagination: a stable order on (created_at, id), and an opaque cursor that
says where the previous page ended. Pages don't shift when rows are added meanwhile."""
import base64
import json
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from shared.errors import invalid

DEFAULT_LIMIT, MAX_LIMIT = 20, 100


class PageQuery(Schema):
    """The query parameters every list takes; lists with filters extend it."""

    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


@cache  # one class per item schema: the OpenAPI document names each once
def page_schema(item_schema):
    """The schema of one page of `item_schema`s: `{"items": [...], "next_cursor": ...}`."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "next_cursor": fields.String(allow_none=True),
    }, name=f"{item_schema.__name__}Page")


@cache
def list_schema(item_schema):
    """The schema of a short, unpaged list: `{"items": [...]}`."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item_schema))},
                            name=f"{item_schema.__name__}List")


def _encode(created_at: datetime, row_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str):
    try:
        created_at, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(created_at), str(row_id)
    except (ValueError, TypeError):
        raise invalid({"cursor": ["This cursor was not given by this list."]}) from None


def paginate(session, model, params, *, created_at, filters=(), dump, where=(),
             id_column=None):
    """One page of `model` rows after `params["cursor"]`, at most `params["limit"]` of them,
    those whose columns named in `filters` equal the params given and that meet every
    condition of `where`, dumped with `dump`. The order is (created_at, id_column), the
    model's `id` unless told."""
    id_column = model.id if id_column is None else id_column
    query = sa.select(model).where(*where)
    for name in filters:
        value = params.get(name)
        if value is not None:  # numbers and booleans as they are; UUIDs as text
            query = query.where(getattr(model, name) ==
                                (value if isinstance(value, (int, str)) else str(value)))
    if params["cursor"]:
        after = _decode(params["cursor"])
        query = query.where(sa.tuple_(created_at, id_column) > sa.tuple_(*after))
    limit = params["limit"]
    rows = session.scalars(query.order_by(created_at, id_column).limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(getattr(rows[-1], created_at.key),
                              getattr(rows[-1], id_column.key))
    return {"items": [dump(row) for row in rows], "next_cursor": next_cursor}
