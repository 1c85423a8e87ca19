"""The login limits: an account locks after its failures; an address is only slowed."""
from datetime import datetime, timedelta, timezone

from services.members.domain.accounts import (
    ADDRESS_SLOWDOWN,
    THROTTLES,
    AddressSlowdown,
    address_delay,
    login_refused_for,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_an_account_is_refused_after_five_failures_for_the_rest_of_its_window():
    email = THROTTLES["email"]
    assert login_refused_for(4, NOW, NOW, email) is None
    assert login_refused_for(5, NOW - timedelta(minutes=5), NOW, email) == 600
    assert login_refused_for(9, NOW - timedelta(minutes=15), NOW, email) is None


def test_an_address_is_never_refused_only_asked_to_wait_longer_after_each_failure():
    slowdown = AddressSlowdown(free=3, first_delay=2, max_delay=20, counted=9,
                               window=timedelta(minutes=15))
    assert [address_delay(n, slowdown) for n in range(1, 10)] == [
        None, None, None, 2, 4, 8, 16, 20, 20]


def test_the_address_slowdown_counts_failures_up_to_where_its_delay_stops_growing():
    assert address_delay(ADDRESS_SLOWDOWN.free, ADDRESS_SLOWDOWN) is None
    assert address_delay(ADDRESS_SLOWDOWN.free + 1, ADDRESS_SLOWDOWN) == 1
    assert address_delay(ADDRESS_SLOWDOWN.counted, ADDRESS_SLOWDOWN) == ADDRESS_SLOWDOWN.max_delay
    assert address_delay(ADDRESS_SLOWDOWN.counted - 1, ADDRESS_SLOWDOWN) < \
        ADDRESS_SLOWDOWN.max_delay
    assert ADDRESS_SLOWDOWN.max_delay <= 15 * 60
