"""A message no handler can read (invalid JSON, a content type we do not accept, a body
that is not an envelope) is never acked and dropped: every consumer of every service
keeps it, raw, in its dead letters; the operator lists it and replays it through the
same decoding; the messages behind it flow on."""
import base64
import json

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.members.schemas import ORGANISATION_REGISTERED
from services.projects.service import ProjectsService
from services.reporting.service import ReportingService
from shared.envelope import make_envelope
from tests.support.events import (
    confirmed_contribution, dead_letters_command, organisation_registered, publish_confirmed,
    publish_raw,
)

pytestmark = pytest.mark.timeout(120)

BROKEN_JSON = b'{"event_id": "3f2c", "type": funding.contribution_confirmed'
PLAIN_TEXT = "Virement reçu : 25 € pour la Recyclerie".encode("utf-8")


def dead_letters(container, include_replayed=False):
    with entrypoint_hook(container, "dead_letters") as listing:
        return listing(include_replayed=include_replayed)


def raw(letter):
    return base64.b64decode(letter["raw_body"])


def test_undecodable_messages_are_dead_lettered_raw_listed_and_replayed(
        container_factory, service_config, broker_uri):
    reporting = container_factory(ReportingService, service_config("reporting"))
    reporting.start()

    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_raw(broker_uri, BROKEN_JSON, "application/json")
    assert outcome.get() == "dead_lettered"
    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_raw(broker_uri, PLAIN_TEXT, "text/plain")
    assert outcome.get() == "dead_lettered"
    # The queue flows on behind them.
    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_confirmed(broker_uri, confirmed_contribution(700))
    assert outcome.get() == "applied"

    broken, plain = dead_letters(reporting)
    assert raw(broken) == BROKEN_JSON and raw(plain) == PLAIN_TEXT
    for letter, content_type in ((broken, "application/json"), (plain, "text/plain")):
        assert letter["undecodable"] and letter["event_id"] is None
        assert letter["consumer"] == "reporting.archive"
        assert (letter["content_type"], letter["content_encoding"]) == (content_type, "utf-8")
        assert (letter["exchange"], letter["routing_key"]) \
            == ("funding.events", "contribution_confirmed")
        assert letter["error"].startswith("undecodable message: ")
    assert "DecodeError" in broken["error"]
    assert "ContentDisallowed" in plain["error"] and "text/plain" in plain["error"]

    listed = dead_letters_command(broker_uri, "reporting")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("undecodable (") == 2, listed.stdout
    assert "Virement reçu : 25 € pour la Recyclerie" in listed.stdout
    assert '{"event_id": "3f2c"' in listed.stdout
    assert "2 dead letter(s) in reporting." in listed.stdout

    # Replayed through the same decoding: still undecodable, so kept anew, exit code 1.
    replayed = dead_letters_command(broker_uri, "reporting", "--replay-all")
    assert replayed.returncode == 1, replayed.stdout + replayed.stderr
    assert f"{broken['id']}: dead_lettered" in replayed.stdout
    assert f"{plain['id']}: dead_lettered" in replayed.stdout
    again = dead_letters(reporting)
    assert [raw(letter) for letter in again] == [BROKEN_JSON, PLAIN_TEXT]
    assert {letter["id"] for letter in again}.isdisjoint({broken["id"], plain["id"]})
    assert [letter["content_type"] for letter in again] == ["application/json", "text/plain"]
    assert len(dead_letters(reporting, include_replayed=True)) == 4

    with entrypoint_hook(reporting, "get_summary") as get_summary:
        assert (get_summary()["contributions"], get_summary()["amount_raised_cents"]) \
            == (1, 700)


def test_an_event_handler_keeps_what_it_cannot_read_and_applies_the_next_event(
        container_factory, service_config, broker_uri):
    projects = container_factory(ProjectsService, service_config("projects"))
    projects.start()
    binary = b"\x00\xff\xfe not text at all \x80"
    not_an_envelope = b'{"type": "members.organisation_registered", "data": {}}'

    def deliver(body, content_type, content_encoding="utf-8"):
        with entrypoint_waiter(projects, "remember_organisation") as outcome:
            publish_raw(broker_uri, body, content_type, content_encoding,
                        source="members", routing_key="organisation_registered")
        return outcome.get()

    assert deliver(b"{not json", "application/json") == "dead_lettered"
    assert deliver(binary, "application/octet-stream", "binary") == "dead_lettered"
    assert deliver(not_an_envelope, "application/json") == "dead_lettered"
    envelope = make_envelope(ORGANISATION_REGISTERED, organisation_registered("Recyclerie"))
    assert deliver(json.dumps(envelope).encode(), "application/json") == "applied"

    invalid, opaque, envelope_less = dead_letters(projects)
    assert invalid["consumer"] == "projects.remember_organisation"
    assert raw(invalid) == b"{not json" and raw(opaque) == binary
    assert (opaque["content_type"], opaque["content_encoding"]) \
        == ("application/octet-stream", "binary")
    assert (opaque["exchange"], opaque["routing_key"]) \
        == ("members.events", "organisation_registered")
    assert "not an envelope" in envelope_less["error"] and "event_id" in envelope_less["error"]

    listed = dead_letters_command(broker_uri, "projects")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("undecodable (") == 2, listed.stdout
    assert r"\x00\xff\xfe not text at all" in listed.stdout
    assert "3 dead letter(s) in projects." in listed.stdout
