"""The membership calendar (lapse overdue memberships, renew ending years) runs in every
replica; with two replicas at once, each change still happens once. The years are last
year and this one, whatever today is, and dues are overdue at once (no grace), so the
story holds on any day of the year."""
import json
import time
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from services.members import models
from shared.database import create_engine
from tests.support.platform import Processes
from tests.support.waiting import wait_until

ORGANISATIONS = 30
THIS_YEAR = datetime.now(timezone.utc).year
LAST_YEAR = THIS_YEAR - 1
JAN_LAST_YEAR = datetime(LAST_YEAR, 1, 1, tzinfo=timezone.utc)


def seed(engine):
    """Per organisation: a paid membership of last year, due for renewal into this year
    (whose dues will then be overdue too), or an unpaid one of last year, overdue."""
    with engine.begin() as connection:
        for index in range(ORGANISATIONS):
            organisation_id = str(uuid.uuid4())
            connection.execute(models.Organisation.__table__.insert().values(
                id=organisation_id, name=f"Organisation {index}", legal_form="association",
                postal_code="01330", commune="Villars-les-Dombes", territory="dombes",
                headcount_fte_hundredths=300, registered_at=JAN_LAST_YEAR))
            paid = index % 2 == 0
            connection.execute(models.Membership.__table__.insert().values(
                id=str(uuid.uuid4()), organisation_id=organisation_id, year=LAST_YEAR, circle="core",
                status="active", dues_cents=5_000, paid_cents=5_000 if paid else 0,
                activated_at=JAN_LAST_YEAR, created_at=JAN_LAST_YEAR))


@pytest.fixture
def members_db(databases):
    url = databases.new("members")
    engine = create_engine(url)
    yield url, engine
    engine.dispose()


def test_two_replicas_lapse_and_renew_each_membership_once(members_db, broker_uri, tmp_path):
    url, engine = members_db
    replicas = Processes({"AMQP_URI": broker_uri, "MEMBERS_DATABASE_URL": url,
                          "CALENDAR_SECONDS": "0.2", "DUES_GRACE_DAYS": "0"}, tmp_path)
    replicas.start("members", "members#2")
    half = ORGANISATIONS // 2

    def counts():
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT (SELECT count(*) FROM memberships WHERE year = :year),"
                " (SELECT count(*) FROM membership_moves WHERE to_status = 'lapsed')"),
                {"year": THIS_YEAR}).one()
    try:
        for name in ("members", "members#2"):
            wait_until(lambda name=name: "service started" in replicas.log(name), timeout=60,
                       message=f"{name} to have started")
        seed(engine)  # while both replicas' calendars tick every 0.2 s
        # 15 unpaid memberships of last year lapse; 15 paid ones are renewed into this
        # year, then lapse in turn, this year's dues being unpaid. (From December, an
        # active one may also be renewed into next year before it lapses: only the
        # renewals into this year are counted below.)
        wait_until(lambda: tuple(counts()) == (half, ORGANISATIONS), timeout=60,
                   message="15 renewals and 30 lapses")
        time.sleep(1.5)  # both replicas tick several more times: nothing may change now
        replicas.assert_running()
    finally:
        replicas.stop()

    assert tuple(counts()) == (half, ORGANISATIONS)
    with engine.connect() as connection:
        moves = connection.execute(sa.text(
            "SELECT membership_id, count(*) FROM membership_moves GROUP BY membership_id")).all()
        events = [json.loads(payload) for (payload,) in connection.execute(sa.text(
            "SELECT payload FROM outbox WHERE routing_key IN "
            "('membership_status_changed', 'membership_renewed')")).all()]
        lapsed_this_year = connection.execute(sa.text(
            "SELECT count(*) FROM memberships WHERE year = :year AND status = 'lapsed'"),
            {"year": THIS_YEAR}).scalar()
    assert all(count == 1 for _, count in moves) and len(moves) == ORGANISATIONS
    renewed = [e for e in events if e["type"] == "members.membership_renewed"
               and e["data"]["year"] == THIS_YEAR]
    changed = [e for e in events if e["type"] == "members.membership_status_changed"]
    assert len(renewed) == half
    assert len({e["data"]["organisation_id"] for e in renewed}) == half
    assert len(changed) == ORGANISATIONS
    assert {e["data"]["by"] for e in changed} == {"calendar"}
    assert lapsed_this_year == half
