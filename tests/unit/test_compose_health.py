"""The compose tests' reading of Docker's health checks (tests/support/compose.py): a
container counts as checked since a moment only by a check that started after it and
passed."""
from datetime import datetime, timezone

from tests.support.compose import passed_since

STOPPED = datetime(2026, 12, 7, 12, 9, 36, 500000, tzinfo=timezone.utc)


def check(start, exit_code=0):
    return {"Start": start, "End": start, "ExitCode": exit_code, "Output": ""}


def test_docker_times_are_read_to_the_microsecond_and_their_zone():
    just_after = {"Status": "healthy", "Log": [check("2026-12-07T12:09:36.500001999Z")]}
    just_before = {"Status": "healthy", "Log": [check("2026-12-07T13:09:36.499999+01:00")]}
    assert passed_since(just_after, STOPPED)
    assert not passed_since(just_before, STOPPED)


def test_a_check_before_the_moment_does_not_count():
    health = {"Status": "healthy", "Log": [check("2026-12-07T12:09:36.400000000Z")]}
    assert not passed_since(health, STOPPED)


def test_a_passing_check_after_the_moment_counts():
    health = {"Status": "healthy", "Log": [check("2026-12-07T12:09:30.0Z"),
                                           check("2026-12-07T12:09:46.6Z")]}
    assert passed_since(health, STOPPED)


def test_the_latest_check_failing_does_not_count_though_docker_still_says_healthy():
    health = {"Status": "healthy", "Log": [check("2026-12-07T12:09:46.6Z"),
                                           check("2026-12-07T12:09:56.6Z", exit_code=1)]}
    assert not passed_since(health, STOPPED)


def test_no_check_yet_does_not_count():
    assert not passed_since({"Status": "starting"}, STOPPED)
