"""Funding's campaign, payment and resource rules, alone."""
import uuid
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from services.funding.domain import campaigns, investors, payments, questions, resources
from shared.errors import DomainError

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=30)


def no_sheet_errors(kind, sheet):
    return {}


def campaign_input(**changes):
    return {"project_id": uuid.uuid4(), "title": " Un  camion ", "kind": "donation",
            "model": "keep_it_all", "goal_cents": 500_000, "deadline": LATER, "rewards": [],
            **changes}


def new(**changes):
    return campaigns.new_campaign(campaign_input(**changes), NOW, no_sheet_errors)


def field_errors(call):
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.kind == "invalid"
    return raised.value.details["fields"]


def live_campaign(**changes):
    values = {"id": "c1", "kind": "donation", "status": "live",
              "starts_at": NOW - timedelta(days=1),
              "deadline": LATER, "min_contribution_cents": 500, "cap_cents": None,
              "committed_cents": 0, "matchfunder": None, "raised_cents": 0, "matched_cents": 0,
              "goal_cents": 10_000, "people_goal": None, "new_members": 0, **changes}
    return SimpleNamespace(**values)


def test_a_new_campaign_is_a_draft_starting_now_with_the_platform_minimum():
    values = new()
    assert (values["status"], values["title"], values["starts_at"]) == ("draft", "Un camion", NOW)
    assert values["min_contribution_cents"] == campaigns.MIN_CONTRIBUTION_CENTS


@pytest.mark.parametrize("changes, field", [
    ({"deadline": NOW - timedelta(seconds=1)}, "deadline"),
    ({"starts_at": LATER + timedelta(days=1)}, "deadline"),
    ({"cap_cents": 400_000}, "cap_cents"),
    ({"optimum_cents": 500_000}, "optimum_cents"),
    ({"optimum_cents": 900_000, "cap_cents": 800_000}, "optimum_cents"),
    ({"kind": "reward"}, "rewards"),
    ({"rewards": [{"title": "Mug", "min_amount_cents": 1500, "stock": 5}]}, "rewards"),
    ({"people_goal": 50}, "people_goal"),
    ({"kind": "reward", "min_contribution_cents": 2000,
      "rewards": [{"title": "Mug", "min_amount_cents": 1500, "stock": 5}]},
     "rewards.0.min_amount_cents"),
])
def test_rules_that_tie_fields_together_name_the_field(changes, field):
    assert field in field_errors(lambda: new(**changes))


def test_an_investment_campaign_is_refused_with_its_information_sheet_errors():
    def sheet_errors(kind, sheet):
        return {} if sheet.get("issuer") else {"issuer": ["Missing."]}
    errors = field_errors(lambda: campaigns.new_campaign(
        campaign_input(kind="loan", key_information={}), NOW, sheet_errors))
    assert errors == {"key_information.issuer": ["Missing."]}
    assert campaigns.new_campaign(campaign_input(kind="loan", key_information={"issuer": "X"}),
                                  NOW, sheet_errors)["kind"] == "loan"


def test_matchfunding_is_kept_as_its_three_caps():
    values = new(matchfunding={"funder": "Fondation", "per_contribution_cap_cents": 5000,
                               "per_contributor_cap_cents": 8000, "total_cap_cents": 100_000})
    assert (values["matchfunder"], values["match_per_contribution_cents"],
            values["match_per_contributor_cents"], values["match_total_cents"]) == (
        "Fondation", 5000, 8000, 100_000)


def test_the_review_lifecycle_and_what_it_refuses():
    assert campaigns.move("draft", "submit") == "in_review"
    assert campaigns.move("in_review", "send_back") == "sent_back"
    assert campaigns.move("sent_back", "submit") == "in_review"
    assert campaigns.move("in_review", "approve") == "live"
    for status, action in [("draft", "approve"), ("live", "submit"), ("closed", "send_back"),
                           ("sent_back", "approve"), ("in_review", "submit")]:
        with pytest.raises(DomainError) as raised:
            campaigns.move(status, action)
        assert raised.value.code == "campaign_wrong_status"


@pytest.mark.parametrize("status", campaigns.STATUSES)
def test_its_authors_change_a_campaign_only_while_a_draft_or_sent_back(status):
    if status in ("draft", "sent_back"):
        assert campaigns.check_editable(status) is None
    else:
        with pytest.raises(DomainError) as raised:
            campaigns.check_editable(status)
        assert (raised.value.kind, raised.value.code) == ("conflict", "campaign_not_editable")


def current_input(**changes):
    return {**campaign_input(), "starts_at": NOW - timedelta(days=2), "optimum_cents": None,
            "cap_cents": None, "people_goal": None, "min_contribution_cents": 100,
            "matchfunding": None, "key_information": None, "description": "", **changes}


def test_an_edit_changes_what_it_names_and_keeps_the_rest():
    values = campaigns.edited_campaign(current_input(), {"goal_cents": 600_000,
                                                         "title": "Un camion frigo"}, NOW)
    assert (values["goal_cents"], values["title"]) == (600_000, "Un camion frigo")
    assert values["deadline"] == LATER
    assert values["starts_at"] == NOW - timedelta(days=2)  # not moved by an edit
    assert "status" not in values and "id" not in values and "project_id" not in values


@pytest.mark.parametrize("changes, field", [
    ({"optimum_cents": 400_000}, "optimum_cents"),        # below the goal kept
    ({"deadline": NOW - timedelta(days=1)}, "deadline"),
    ({"kind": "reward"}, "rewards"),                     # a reward campaign needs rewards
    ({"cap_cents": 100_000}, "cap_cents"),
])
def test_an_edit_is_checked_with_the_fields_it_leaves(changes, field):
    assert field in field_errors(lambda: campaigns.edited_campaign(current_input(), changes,
                                                                   NOW, no_sheet_errors))


@pytest.mark.parametrize("media_type, size, accepted", [
    ("image/jpeg", 1, True), ("image/png", campaigns.MAX_IMAGE_BYTES, True),
    ("image/webp", 2000, True), ("image/gif", 2000, False), ("image/svg+xml", 2000, False),
    ("image/png", campaigns.MAX_IMAGE_BYTES + 1, False), ("image/png", 0, False),
])
def test_a_cover_picture_is_a_jpeg_png_or_webp_of_5_mib_at_most(media_type, size, accepted):
    if accepted:
        assert campaigns.check_image(media_type, size) is None
    else:
        assert "file" in field_errors(lambda: campaigns.check_image(media_type, size))


@pytest.mark.parametrize("size, stored", [
    ((800, 600), (800, 600)), ((1200, 10), (1200, 10)), ((2400, 1600), (1200, 800)),
    ((4000, 1), (1200, 1)), ((3000, 1999), (1200, 800)),
])
def test_a_cover_picture_is_stored_no_wider_than_1200_pixels_never_enlarged(size, stored):
    assert campaigns.resized(*size) == stored


CARRIER, OTHER = str(uuid.uuid4()), str(uuid.uuid4())
READERS = {  # as the gateway sends them: roles and organisation from the token
    "anonymous": None,
    "no roles": {"account_id": None, "roles": [], "organisation_id": None},
    "citizen": {"roles": ["citizen"], "organisation_id": None},
    "funder": {"roles": ["funder"], "organisation_id": None},
    "other admin": {"roles": ["member_admin"], "organisation_id": OTHER},
    "admin without organisation": {"roles": ["member_admin"], "organisation_id": None},
    "citizen of the carrier": {"roles": ["citizen"], "organisation_id": CARRIER},
    "carrier admin": {"roles": ["member_admin"], "organisation_id": CARRIER},
    "animator": {"roles": ["animator"], "organisation_id": None},
    "operator": {"roles": ["operator"], "organisation_id": None},
}
SEE_UNPUBLISHED = {"carrier admin", "animator", "operator"}


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize("status", campaigns.STATUSES)
def test_published_campaigns_are_everyones_the_others_their_carriers_and_staffs(name,
                                                                               status):
    reader = campaigns.sight(READERS[name])
    published = status in ("live", "succeeded", "failed", "closed")
    assert campaigns.is_public(status) == published
    assert campaigns.may_see(reader, status, CARRIER) == (published or name in SEE_UNPUBLISHED)


def test_a_member_admin_sees_no_unpublished_campaign_of_a_project_without_carrier():
    admin, staff = campaigns.sight(READERS["carrier admin"]), campaigns.sight(READERS["operator"])
    assert not campaigns.may_see(admin, "draft", None)
    assert campaigns.may_see(staff, "draft", None)
    assert campaigns.may_see(admin, "live", None)


@pytest.mark.parametrize("name", READERS)
def test_review_notes_are_read_by_staff_and_the_carrier_only(name):
    view = {"id": "c1", "status": "live", "review_note": "Revoir le budget."}
    seen = campaigns.as_seen(view, campaigns.sight(READERS[name]), CARRIER)
    assert seen["review_note"] == ("Revoir le budget." if name in SEE_UNPUBLISHED else None)
    assert view["review_note"] == "Revoir le budget."  # the view given is left as it was


def reward(**changes):
    return SimpleNamespace(**{"id": "r1", "campaign_id": "c1", "min_amount_cents": 2000,
                              "stock": 10, "taken": 0, **changes})


def test_a_live_campaign_accepts_a_contribution_within_its_rules():
    assert campaigns.accept_contribution(live_campaign(), 2500, reward(), NOW) is None


@pytest.mark.parametrize("campaign, amount, chosen, code", [
    (live_campaign(status="draft"), 2500, None, "campaign_not_live"),
    (live_campaign(status="in_review"), 2500, None, "campaign_not_live"),
    (live_campaign(deadline=NOW), 2500, None, "campaign_closed"),
    (live_campaign(status="closed"), 2500, None, "campaign_closed"),
    (live_campaign(starts_at=NOW + timedelta(hours=1)), 2500, None, "campaign_not_started"),
    (live_campaign(), 499, None, "validation_failed"),
    (live_campaign(), 1999, reward(), "validation_failed"),
    (live_campaign(), 2500, reward(campaign_id="other"), "validation_failed"),
    (live_campaign(), 2500, reward(taken=10), "reward_sold_out"),
    (live_campaign(cap_cents=10_000, committed_cents=8000), 2001, None, "campaign_cap_reached"),
])
def test_contributions_the_campaign_cannot_take(campaign, amount, chosen, code):
    with pytest.raises(DomainError) as raised:
        campaigns.accept_contribution(campaign, amount, chosen, NOW)
    assert raised.value.code == code


def test_the_cap_takes_a_contribution_that_fills_it_exactly_and_unlimited_rewards_never_run_out():
    campaigns.accept_contribution(live_campaign(cap_cents=10_000, committed_cents=8000), 2000,
                                  reward(stock=None, taken=10_000), NOW)


def test_matchfunding_doubles_within_each_cap():
    campaign = live_campaign(matchfunder="Région", match_per_contribution_cents=3000,
                             match_per_contributor_cents=5000, match_total_cents=10_000,
                             matched_cents=0)
    assert campaigns.matched_cents(2000, campaign, 0) == 2000
    assert campaigns.matched_cents(4000, campaign, 0) == 3000      # per contribution
    assert campaigns.matched_cents(4000, campaign, 3000) == 2000   # per contributor
    campaign.matched_cents = 9500
    assert campaigns.matched_cents(4000, campaign, 0) == 500       # in total
    campaign.matched_cents = 10_000
    assert campaigns.matched_cents(4000, campaign, 0) == 0
    assert campaigns.matched_cents(4000, live_campaign(), 0) == 0  # no matchfunder


def test_the_outcome_counts_matchfunding_and_the_people_goal():
    assert campaigns.outcome(live_campaign(raised_cents=9000, matched_cents=1000)) == "succeeded"
    assert campaigns.outcome(live_campaign(raised_cents=9999)) == "failed"
    assert campaigns.outcome(live_campaign(raised_cents=10_000, people_goal=5,
                                           new_members=4)) == "failed"
    assert campaigns.outcome(live_campaign(raised_cents=10_000, people_goal=5,
                                           new_members=5)) == "succeeded"


def test_a_campaign_is_decided_at_its_deadline_once_nothing_is_still_open():
    due = live_campaign(deadline=NOW)
    assert campaigns.ready_to_decide(due, NOW, still_open=0)
    assert not campaigns.ready_to_decide(due, NOW, still_open=1)
    assert not campaigns.ready_to_decide(live_campaign(), NOW, still_open=0)
    assert not campaigns.ready_to_decide(live_campaign(deadline=NOW, status="succeeded"), NOW, 0)
    # Only share subscriptions wait for a board: a gift campaign's contributions never do.
    assert campaigns.ready_to_decide(due, NOW, 0, undecided_reflection_ends=[None, NOW],
                                     board_decision_days=15)


# --- a shares campaign: the reflection periods, then the board -------------------------

DEADLINE = NOW
BOARD_DAYS = 15
LAST_DAYS = investors.reflection_ends_at(DEADLINE - timedelta(days=1))  # subscribed late


def shares_campaign(**changes):
    return live_campaign(kind="shares", deadline=DEADLINE, people_goal=1, **changes)


def test_the_board_has_its_days_after_the_later_of_the_deadline_and_the_reflection_end():
    early = DEADLINE - timedelta(days=20)
    assert campaigns.board_decision_due_at(DEADLINE, early, BOARD_DAYS) == \
        DEADLINE + timedelta(days=BOARD_DAYS)
    assert campaigns.board_decision_due_at(DEADLINE, LAST_DAYS, BOARD_DAYS) == \
        DEADLINE + timedelta(days=3 + BOARD_DAYS)


def test_a_shares_campaign_is_not_decided_while_a_subscription_can_be_withdrawn():
    in_reflection = DEADLINE + timedelta(days=2)  # its 4 days end a day later
    assert not campaigns.ready_to_decide(shares_campaign(), in_reflection, still_open=1,
                                         undecided_reflection_ends=[LAST_DAYS],
                                         board_decision_days=BOARD_DAYS)


def test_a_shares_campaign_waits_for_the_boards_word_within_its_days():
    after_reflection = LAST_DAYS + timedelta(minutes=1)
    last_day = LAST_DAYS + timedelta(days=BOARD_DAYS) - timedelta(seconds=1)
    for now in (after_reflection, last_day):
        assert not campaigns.ready_to_decide(shares_campaign(), now, 0, [LAST_DAYS],
                                             BOARD_DAYS)
    # The board decided each one (approved or declined): nothing left to wait for.
    assert campaigns.ready_to_decide(shares_campaign(), after_reflection, 0, [], BOARD_DAYS)
    # Silent past its days: the campaign is decided without it.
    assert campaigns.ready_to_decide(shares_campaign(), last_day + timedelta(seconds=1), 0,
                                     [LAST_DAYS], BOARD_DAYS)


def test_at_the_decision_a_subscription_counts_only_if_the_board_approved_it():
    shares = shares_campaign()
    assert campaigns.counts_at_decision(shares, "approved")
    assert not campaigns.counts_at_decision(shares, "declined")
    assert not campaigns.counts_at_decision(shares, None)  # silent past its days
    assert campaigns.counts_at_decision(live_campaign(kind="loan"), None)  # no board


def test_a_late_subscription_approved_after_the_deadline_meets_both_goals():
    """Subscribed in the campaign's last days, past its reflection period, approved by the
    board after the deadline: its money and its new member count; a withdrawn one
    (never past its period) and a declined one (given back) do not."""
    assert payments.counts_when("shares", "authorized", reflection_over=True)
    assert not payments.counts_when("shares", "cancelled", reflection_over=False)  # withdrawn
    assert not payments.counts_when("shares", "cancelled", reflection_over=True)   # declined
    decided = shares_campaign(goal_cents=10_000, raised_cents=10_000, new_members=1)
    assert campaigns.outcome(decided) == "succeeded"
    assert campaigns.outcome(shares_campaign(goal_cents=10_000, raised_cents=10_000,
                                             new_members=0)) == "failed"


# --- payments ------------------------------------------------------------------------

@pytest.mark.parametrize("ours, theirs, expected", [
    ("pending", "authorized", ("authorized", None)),
    ("pending", "captured", ("captured", None)),       # a lost webhook: skip ahead
    ("pending", "failed", ("failed", None)),
    ("authorized", "authorized", (None, None)),        # twice
    ("captured", "authorized", (None, None)),          # out of order: stale
    ("authorized", "captured", ("captured", None)),
    ("captured", "refunded", ("refunded", None)),
    ("refunded", "captured", (None, None)),
    ("cancelled", "authorized", (None, "void")),       # the payer confirmed too late
    ("cancelled", "captured", (None, "refund")),
    ("failed", "authorized", (None, "void")),
    ("cancelled", "cancelled", (None, None)),
])
def test_the_providers_word_moves_a_contribution_only_forward(ours, theirs, expected):
    assert payments.reconcile(ours, theirs) == expected


@pytest.mark.parametrize("claimed, theirs, contradicted", [
    ("captured", "pending", True),       # signed, but the payer never answered
    ("authorized", "pending", True),
    ("failed", "authorized", True),
    ("captured", "failed", True),
    ("refunded", "captured", True),      # a refund the provider has not made
    ("teleported", "captured", True),    # no state of the provider's
    ("captured", "captured", False),
    ("authorized", "captured", False),   # late: the payment has moved on since
    ("pending", "failed", False),
    ("captured", "refunded", False),
    ("authorized", "cancelled", False),
])
def test_a_webhooks_claim_is_contradicted_when_the_payment_never_was_so(claimed, theirs,
                                                                        contradicted):
    assert payments.claim_contradicted(claimed, theirs) is contradicted


@pytest.mark.parametrize("ours, theirs, closed, receipt, corrected_to, kind", [
    # Money we count that the provider never took or let go: corrected while we may.
    ("captured", "failed", False, False, "failed", "state_corrected"),
    ("captured", "cancelled", False, False, "cancelled", "state_corrected"),
    ("authorized", "failed", False, False, "failed", "state_corrected"),
    # A closed campaign's totals, or a tax receipt issued: a person decides.
    ("captured", "failed", True, False, None, "state_contradicted"),
    ("captured", "failed", False, True, None, "state_contradicted"),
    # Held here, not settled there: nothing to correct to yet; staff are told.
    ("captured", "pending", False, False, None, "state_contradicted"),
    ("authorized", "pending", False, False, None, "state_contradicted"),
    ("captured", "authorized", False, False, None, "state_contradicted"),
    ("refunded", "captured", False, False, None, "state_contradicted"),
    # Forward moves and agreements are no discrepancy.
    ("authorized", "cancelled", False, False, None, None),
    ("pending", "captured", False, False, None, None),
    ("captured", "refunded", False, False, None, None),
    ("cancelled", "failed", False, False, None, None),
    ("cancelled", "authorized", False, False, None, None),  # released by reconcile's void
])
def test_our_state_the_provider_denies_is_corrected_or_left_to_staff(ours, theirs, closed,
                                                                      receipt, corrected_to,
                                                                      kind):
    assert payments.correction(ours, theirs, campaign_closed=closed,
                               receipt_issued=receipt) == corrected_to
    assert payments.discrepancy(None, ours, theirs, corrected_to) == kind


def test_a_contradicted_claim_is_a_discrepancy_even_when_our_state_agrees():
    assert payments.discrepancy("captured", "pending", "pending", None) == "claim_contradicted"
    assert payments.discrepancy("authorized", "captured", "captured", None) is None
    assert payments.discrepancy(None, "pending", "pending", None) is None
    # Our own state contradicted says more than the claim: it is what staff act on.
    assert payments.discrepancy("captured", "captured", "pending", None) == \
        "state_contradicted"


def test_a_correction_is_refused_where_the_provider_does_not_deny_our_state():
    assert payments.correct("captured", "failed") == "failed"
    for ours, to in (("captured", "refunded"), ("pending", "failed"),
                     ("authorized", "cancelled"), ("captured", "pending")):
        with pytest.raises(DomainError) as raised:
            payments.correct(ours, to)
        assert raised.value.code == "contribution_wrong_status"


def test_the_clock_asks_again_later_and_later_up_to_an_hour():
    waits = [payments.next_check_after(60, done) for done in range(8)]
    assert waits[:3] == [timedelta(seconds=60), timedelta(seconds=120),
                         timedelta(seconds=240)]
    assert waits[-1] == timedelta(hours=1) == payments.next_check_after(60, 10_000)
    assert waits == sorted(waits)


def test_moves_we_decide_are_refused_when_impossible():
    assert payments.move("authorized", "captured") == "captured"
    with pytest.raises(DomainError) as raised:
        payments.move("refunded", "captured")
    assert raised.value.code == "contribution_wrong_status"


def test_when_a_contribution_counts():
    assert payments.counts_when("donation", "authorized", True)
    assert not payments.counts_when("reward", "pending", True)
    assert not payments.counts_when("loan", "authorized", reflection_over=False)
    assert payments.counts_when("shares", "captured", reflection_over=True)
    assert not payments.counts_when("donation", "refunded", True)


def test_when_an_authorized_payment_is_captured():
    assert payments.capture_now("donation", "keep_it_all", True, "live")
    assert not payments.capture_now("donation", "all_or_nothing", True, "live")
    assert payments.capture_now("donation", "all_or_nothing", True, "succeeded")
    assert not payments.capture_now("donation", "all_or_nothing", True, "failed")
    assert payments.capture_now("reward", "keep_it_all", True, "failed")  # keeps it all
    assert not payments.capture_now("loan", "keep_it_all", False, "live")
    assert payments.capture_now("loan", "keep_it_all", True, "live")


# --- resources -----------------------------------------------------------------------

def test_a_grant_names_its_funder_and_its_type_and_others_have_no_type():
    errors = field_errors(lambda: resources.new_resource(
        {"kind": "grant", "amount_cents": 10, "year": 2026}, None))
    assert set(errors) == {"funder", "funder_type"}
    errors = field_errors(lambda: resources.new_resource(
        {"kind": "sale", "amount_cents": 10, "year": 2026, "funder_type": "public"}, None))
    assert set(errors) == {"funder_type"}
    grant = resources.new_resource({"kind": "grant", "amount_cents": 10, "year": 2026,
                                    "funder": "Région", "funder_type": "public",
                                    "project_id": None}, "acc")
    assert (grant["project_id"], grant["recorded_by"]) == (None, "acc")


def test_volunteering_is_valued_at_the_hourly_rate_to_the_nearest_cent():
    assert resources.valued_cents(250, 1202) == 3005          # 2.5 h at 12.02 €
    assert resources.valued_cents(1, 1202) == 12              # 0.01 h: 12.02 cents
    assert resources.valued_cents(5, 1230) == 62              # 61.5 rounds half up
    values = resources.new_volunteering({"hours": 350, "done_on": date(2026, 5, 1),
                                         "activity": "  Tenue  du stand ", "project_id": None},
                                        1202, "acc", date(2026, 5, 1))
    assert (values["valued_cents"], values["activity"]) == (4207, "Tenue du stand")
    assert "hours" in field_errors(lambda: resources.new_volunteering(
        {"hours": 0, "done_on": date(2026, 5, 1), "activity": "x", "project_id": None},
        1202, None, date(2026, 5, 1)))


def test_volunteering_done_tomorrow_is_refused():
    """A fact done is dated on a day that has come (issue 16: no dates in the future)."""
    data = {"hours": 350, "done_on": date(2026, 5, 2), "activity": "Stand", "project_id": None}
    assert "done_on" in field_errors(lambda: resources.new_volunteering(
        data, 1202, None, date(2026, 5, 1)))
    assert resources.new_volunteering(data, 1202, None, date(2026, 5, 2))["done_on"] == \
        date(2026, 5, 2)


@pytest.mark.parametrize("amount, goal, asks", [
    (2_500, 1_500_000, False),         # an ordinary gift goes straight to payment
    (50_000, 1_500_000, True),          # from the configured amount up
    (49_999, 1_500_000, False),
    (20_000, 15_000, True),             # above the whole goal: 200 € typed for a 150 € goal
    (15_000, 15_000, False)])
def test_a_large_amount_or_one_above_the_goal_is_confirmed_before_paying(amount, goal, asks):
    assert campaigns.asks_confirmation(amount, goal, confirm_above_cents=50_000) is asks


def test_a_question_is_asked_on_a_published_campaign_and_answered_once_by_its_carrier():
    now = datetime(2026, 12, 6, tzinfo=timezone.utc)
    asked = questions.new_question({"body": " Quand ? ", "asker_name": " "}, "live", "a1", now)
    assert asked == {"body": "Quand ?", "asker_name": None, "account_id": "a1", "asked_at": now}
    with pytest.raises(DomainError) as refused:
        questions.new_question({"body": "Quand ?"}, "draft", "a1", now)
    assert refused.value.code == "campaign_not_published"
    assert questions.answerer(campaigns.Sight(everything=True), "org") == questions.TEAM
    assert questions.answerer(campaigns.Sight(carrier_organisation_id="org"), "org") == \
        questions.CARRIER
    for reader, carrier in ((campaigns.Sight(carrier_organisation_id="other"), "org"),
                            (campaigns.Sight(), "org"), (campaigns.Sight(), None)):
        with pytest.raises(DomainError) as refused:
            questions.answerer(reader, carrier)
        assert refused.value.code == "not_your_campaign"
    questions.check_unanswered(None)
    with pytest.raises(DomainError) as refused:
        questions.check_unanswered(now)
    assert refused.value.code == "question_already_answered"
@pytest.mark.parametrize("name", READERS)
def test_the_carriers_member_admins_and_staff_draft_a_projects_campaigns(name):
    reader = campaigns.sight(READERS[name])
    if name in SEE_UNPUBLISHED:
        assert campaigns.check_author(reader, CARRIER) is None
    else:
        with pytest.raises(DomainError) as raised:
            campaigns.check_author(reader, CARRIER)
        assert (raised.value.kind, raised.value.code) == ("forbidden", "other_organisation")


def test_matchfunding_is_set_by_staff_only():
    carrier, staff = campaigns.sight(READERS["carrier admin"]), campaigns.sight(READERS["animator"])
    assert field_errors(lambda: campaigns.check_author(carrier, CARRIER, ["title", "matchfunding"])
                        ) == {"matchfunding": ["Only the cluster's staff set this."]}
    assert campaigns.check_author(staff, CARRIER, ["matchfunding"]) is None
