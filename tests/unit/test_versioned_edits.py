"""Edits by version: a PATCH body's rules, and the update that refuses a stale version."""
import pytest
import sqlalchemy as sa
from marshmallow import Schema, fields
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.database import update_versioned
from shared.errors import DomainError
from shared.schemas import load_patch


class NoteSchema(Schema):
    title = fields.String(required=True)
    body = fields.String()


def test_a_patch_gives_its_version_and_only_the_fields_it_names():
    assert load_patch(NoteSchema(), {"version": 3, "body": "texte"}) == (3, {"body": "texte"})


@pytest.mark.parametrize("payload, field", [
    ({"body": "texte"}, "version"),
    ({"version": "3", "body": "texte"}, "version"),
    ({"version": True, "body": "texte"}, "version"),
    ({"version": 0, "body": "texte"}, "version"),
    ({"version": 2}, "_schema"),
    ({"version": 2, "colour": "bleu"}, "colour"),
    ({"version": 2, "title": 5}, "title"),
    ({"version": 2, "body": "a\x00b"}, "body"),
])
def test_a_patch_without_version_or_change_or_with_bad_fields_is_refused(payload, field):
    with pytest.raises(DomainError) as refused:
        load_patch(NoteSchema(), payload)
    assert refused.value.code == "validation_failed"
    assert field in refused.value.details["fields"]


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[int] = mapped_column(sa.Integer, default=1)


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Note(id="n1", title="avant", version=1))
        session.commit()
        yield session


def test_an_edit_of_the_current_version_applies_and_bumps_it(session):
    row = update_versioned(session, Note, "n1", "note", 1, {"title": "après"})
    session.commit()
    assert (row.title, row.version) == ("après", 2)


def test_an_edit_of_a_stale_version_changes_nothing_and_names_the_current_one(session):
    update_versioned(session, Note, "n1", "note", 1, {"title": "première"})
    session.commit()
    with pytest.raises(DomainError) as refused:
        update_versioned(session, Note, "n1", "note", 1, {"title": "seconde"})
    session.rollback()
    assert refused.value.code == "version_conflict"
    assert refused.value.details["current_version"] == 2
    assert session.get(Note, "n1").title == "première"


def test_an_edit_of_a_missing_row_is_not_found(session):
    with pytest.raises(DomainError) as refused:
        update_versioned(session, Note, "n9", "note", 1, {"title": "x"})
    assert refused.value.code == "note_not_found"
