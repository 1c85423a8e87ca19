"""A carrier's campaign form (gateway/web/carrier_campaigns.py): what it sends the
service, and the form filled back from a campaign."""
import pytest

from gateway.web import carrier_campaigns as page
from gateway.web.forms import FormError

FORM = {"titre": " Un camion ", "histoire": "## Pourquoi\n\nPour **livrer**.\n",
        "video": "", "type": "reward", "objectif": "8 000", "optimum": "12 000,50",
        "date_limite": "2027-01-15", "contrepartie-0-titre": "Un panier",
        "contrepartie-0-montant": "25", "contrepartie-0-stock": "",
        "contrepartie-0-remise": "pick_up", "contrepartie-1-titre": ""}


def test_the_form_becomes_the_services_body_in_cents_and_the_end_of_the_day_in_france():
    body = page._campaign_body(FORM)
    assert body == {
        "title": "Un camion", "description": "## Pourquoi\n\nPour **livrer**.",
        "kind": "reward", "video_url": None, "goal_cents": 800_000,
        "optimum_cents": 1_200_050, "deadline": "2027-01-15T23:59:00+01:00",
        "rewards": [{"title": "Un panier", "min_amount_cents": 2_500, "stock": None,
                     "handover": "pick_up"}]}


def test_what_cannot_be_read_is_said_in_french_next_to_its_field():
    with pytest.raises(FormError) as refused:
        page._campaign_body({**FORM, "objectif": "huit mille", "date_limite": "demain",
                             "contrepartie-0-montant": "0"})
    assert set(refused.value.errors) == {"objectif", "date_limite", "contrepartie-0-montant"}


def test_an_empty_optimum_clears_it():
    assert page._campaign_body({**FORM, "optimum": ""})["optimum_cents"] is None


def test_the_form_is_filled_back_from_the_campaign():
    typed = page.typed_from({
        "title": "Un camion", "description": "Pour livrer.", "video_url": None,
        "kind": "reward", "goal_cents": 800_000, "optimum_cents": None,
        "deadline": "2027-01-15T22:59:00+00:00",
        "rewards": [{"title": "Un panier", "min_amount_cents": 2_550, "stock": 40,
                     "handover": "pick_up"}]})
    assert typed == {"titre": "Un camion", "histoire": "Pour livrer.", "video": "",
                     "type": "reward", "objectif": "8000", "optimum": "",
                     "date_limite": "2027-01-15", "contrepartie-0-titre": "Un panier",
                     "contrepartie-0-montant": "25,50", "contrepartie-0-stock": "40",
                     "contrepartie-0-remise": "pick_up"}


def campaign(status, **changes):
    return {"id": "c1", "title": "Un camion", "version": 3, "status": status,
            "review_note": "Précisez le lieu de retrait.", "cover_image": None,
            "description": "Pour **livrer**.", **changes}


@pytest.mark.parametrize("status, editable, note", [
    ("draft", True, False), ("sent_back", True, True), ("in_review", False, False),
    ("live", False, False)])
def test_the_page_says_where_the_campaign_stands_and_the_note_sending_it_back(
        status, editable, note):
    view = page.campaign_view(campaign(status))
    assert view["editable"] == editable and view["version"] == 3
    assert view["note"] == ("Précisez le lieu de retrait." if note else None)
    assert view["story"] == "<p>Pour <strong>livrer</strong>.</p>\n"
    assert view["status"] == page.STATUS_LABELS[status]
