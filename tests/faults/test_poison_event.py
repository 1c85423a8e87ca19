"""A poison event: its handler fails every time. It goes to the dead letters, the queue
keeps flowing, an operator lists it with `python -m shared.cli dead-letters`, fixes the
cause, replays it, and it takes effect once."""
import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.reporting import projector
from services.reporting.service import ReportingService
from tests.support.events import confirmed_contribution, dead_letters_command, publish_confirmed

pytestmark = pytest.mark.timeout(120)


def operator(amqp_uri, *arguments):
    return dead_letters_command(amqp_uri, "reporting", *arguments)


def summary(container):
    with entrypoint_hook(container, "get_summary") as get_summary:
        return get_summary()


def test_a_poison_event_waits_in_the_dead_letters_until_an_operator_replays_it(
        container_factory, service_config, broker_uri, monkeypatch):
    reporting = container_factory(ReportingService, service_config("reporting"))
    reporting.start()
    poison = confirmed_contribution(4200)
    project = projector.project

    def buggy(session, envelope, *planned):  # a bug that only this event meets
        if str(envelope["event_id"]) == poison["event_id"]:
            raise ValueError("a bug meets this event")
        return project(session, envelope, *planned)
    monkeypatch.setattr(projector, "project", buggy)

    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_confirmed(broker_uri, poison)
    assert outcome.get() == "dead_lettered"
    # The queue keeps flowing behind it.
    for amount in (700, 300):
        with entrypoint_waiter(reporting, "archive") as outcome:
            publish_confirmed(broker_uri, confirmed_contribution(amount))
        assert outcome.get() == "applied"
    assert (summary(reporting)["contributions"], summary(reporting)["amount_raised_cents"]) \
        == (2, 1000)

    listed = operator(broker_uri)
    assert listed.returncode == 0, listed.stderr
    assert poison["event_id"] in listed.stdout
    assert "reporting.archive" in listed.stdout and "a bug meets this event" in listed.stdout
    assert "1 dead letter(s) in reporting." in listed.stdout
    with entrypoint_hook(reporting, "dead_letters") as dead_letters:
        [letter] = dead_letters()

    # Replayed before the fix: it fails again, is kept (under a new id), exit code 1.
    again = operator(broker_uri, "--replay", str(letter["id"]))
    assert again.returncode == 1 and f"{letter['id']}: dead_lettered" in again.stdout
    assert summary(reporting)["contributions"] == 2

    monkeypatch.setattr(projector, "project", project)  # the fix is deployed
    replayed = operator(broker_uri, "--replay-all")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert replayed.stdout.strip().endswith(": applied")
    assert (summary(reporting)["contributions"], summary(reporting)["amount_raised_cents"]) \
        == (3, 5200)

    # Once: replaying again is refused, and the same event delivered again is a duplicate.
    refused = operator(broker_uri, "--replay", str(letter["id"]))
    assert refused.returncode == 1 and "replayed already" in refused.stderr
    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_confirmed(broker_uri, poison)
    assert outcome.get() == "duplicate"
    assert (summary(reporting)["contributions"], summary(reporting)["amount_raised_cents"]) \
        == (3, 5200)
    listed = operator(broker_uri)
    assert "0 dead letter(s) in reporting." in listed.stdout
    history = operator(broker_uri, "--all")
    assert history.stdout.count(poison["event_id"]) == 2 and "replayed" in history.stdout
