"""Cursor pagination: a stable order on (created_at, id), and an opaque cursor that
says where the previous page ended. Pages don't shift when rows are added meanwhile."""
import base64
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

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


def _encode(value, row_id: str) -> str:
    """Where a page ended: the order column's value (a time, or a number) and the id."""
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value,
                      row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str):
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(value)
        return value, str(row_id)
    except (ValueError, TypeError):
        raise invalid({"cursor": ["This cursor was not given by this list."]}) from None


@dataclass(frozen=True)
class Order:
    """A list's order other than oldest first: a column (a time or a number, never
    null), then the id, both descending when told. A cursor is only good in the order
    that gave it; rows whose column changes between pages (a count) may move."""

    column: Any
    descending: bool = False


def paginate(session, model, params, *, created_at, filters=(), dump, where=(),
             id_column=None, order: Order | None = None):
    """One page of `model` rows after `params["cursor"]`, at most `params["limit"]` of them,
    those whose columns named in `filters` equal the params given and that meet every
    condition of `where`, dumped with `dump`. The order is (created_at, id_column), the
    model's `id` unless told, or `order`'s column then the id."""
    id_column = model.id if id_column is None else id_column
    created_at = order.column if order is not None else created_at
    descending = order is not None and order.descending
    query = sa.select(model).where(*where)
    for name in filters:
        value = params.get(name)
        if value is not None:  # numbers and booleans as they are; UUIDs as text
            query = query.where(getattr(model, name) ==
                                (value if isinstance(value, (int, str)) else str(value)))
    if params["cursor"]:
        after = _decode(params["cursor"])
        if isinstance(after[0], int) != isinstance(created_at.type, sa.Integer):
            raise invalid({"cursor": ["This cursor was given by this list in another order."]})
        position = sa.tuple_(created_at, id_column)
        query = query.where(position < sa.tuple_(*after) if descending
                            else position > sa.tuple_(*after))
    limit = params["limit"]
    ordering = (created_at.desc(), id_column.desc()) if descending else (created_at, id_column)
    rows = session.scalars(query.order_by(*ordering).limit(limit + 1)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(getattr(rows[-1], created_at.key),
                              getattr(rows[-1], id_column.key))
    return {"items": [dump(row) for row in rows], "next_cursor": next_cursor}
