"""Which campaigns each reader sees, through the gateway over HTTP: drafts, campaigns in
review and campaigns sent back are their carrier's admins' and staff's only; to anyone
else they do not exist (404, absent from lists, filters and project views), and review
notes are never shown to the public. Pages as well as the API."""
import uuid

import pytest
import requests

from tests.support.funding import LOAN_SHEET, contribute, in_a_month

SESSION_COOKIE = "dombinnov_session"  # over plain HTTP, as here (security.cookie_name)
PUBLIC_READERS = ("anonymous", "citizen", "funder", "other_admin")
PRIVILEGED_READERS = ("carrier_admin", "staff")
SENT_BACK_NOTE = "Revoir le budget : il manque les devis."


def ok(answer, status=(200, 201)):
    assert answer.status_code in status, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def world(platform):
    """A project carried by one organisation, with a campaign in each state a reader
    must not see (draft, in review, sent back with a note) and one live; readers of
    each kind."""
    carrier, other = (ok(platform.post("/organisations", {
        "name": name, "legal_form": "association", "postal_code": "01330",
        "commune": "Villars-les-Dombes"}))["id"] for name in ("Porteuse", "Voisine"))
    project = ok(platform.post("/projects", {
        "title": "Ressourcerie de Villars", "summary": "Donner une seconde vie aux objets.",
        "field": "circular_economy", "commune": "Villars-les-Dombes",
        "carrier_organisation_id": carrier}))["id"]

    def campaign(title, *steps, **fields):
        made = ok(platform.post("/campaigns", {"project_id": project, "title": title,
                                               "goal_cents": 500_000,
                                               "deadline": in_a_month(), **fields}))
        for step, body in steps:
            ok(platform.post(f"/campaigns/{made['id']}/{step}", body))
        return made["id"]

    send_back = ("send-back", {"note": SENT_BACK_NOTE})
    campaigns = {
        "draft": campaign("Brouillon discret"),
        "in_review": campaign("Prêt en relecture", ("submit", None), kind="loan",
                              key_information=LOAN_SHEET),
        "sent_back": campaign("Campagne renvoyée", ("submit", None), send_back),
        "live": campaign("Campagne ouverte", ("submit", None), ("approve", None)),
    }
    readers = {"anonymous": {}, "citizen": platform.headers("citizen"),
               "funder": platform.headers("funder"),
               "other_admin": platform.headers(("member_admin", other)),
               "carrier_admin": platform.headers(("member_admin", carrier)),
               "staff": platform.headers("staff")}
    return {"project": project, "campaigns": campaigns, "readers": readers}


def read(platform, world, reader, path):
    return platform.request("GET", path, headers=world["readers"][reader])


def ids(page):
    return {campaign["id"] for campaign in page["items"]}


def names(world, found):
    """The names of this world's campaigns among `found` ids."""
    return {name for name, campaign_id in world["campaigns"].items() if campaign_id in found}


@pytest.mark.parametrize("reader", PUBLIC_READERS + PRIVILEGED_READERS)
def test_the_campaign_list_shows_unpublished_campaigns_to_their_carrier_and_staff_only(
        platform, world, reader):
    privileged = reader in PRIVILEGED_READERS
    every = ok(read(platform, world, reader, "/campaigns?limit=100"))
    assert names(world, ids(every)) == (set(world["campaigns"]) if privileged else {"live"})
    drafts = ok(read(platform, world, reader, "/campaigns?status=draft&limit=100"))
    assert names(world, ids(drafts)) == ({"draft"} if privileged else set())
    sent_back = ok(read(platform, world, reader, "/campaigns?status=sent_back&limit=100"))
    assert names(world, ids(sent_back)) == ({"sent_back"} if privileged else set())
    in_review = ok(read(platform, world, reader, "/campaigns?status=in_review&limit=100"))
    assert names(world, ids(in_review)) == ({"in_review"} if privileged else set())
    of_project = ok(read(platform, world, reader,
                         f"/campaigns?project_id={world['project']}&limit=100"))
    assert names(world, ids(of_project)) == names(world, ids(every))
    assert (SENT_BACK_NOTE in str(every)) == privileged  # the note sending it back
    places = ok(read(platform, world, reader, "/campaigns/places?status=draft"))
    assert places == ({"communes": ["Villars-les-Dombes"], "fields": ["circular_economy"]}
                      if privileged else {"communes": [], "fields": []})


@pytest.mark.parametrize("reader", PUBLIC_READERS)
def test_an_unpublished_campaign_does_not_exist_for_the_public(platform, world, reader):
    for name in ("draft", "in_review", "sent_back"):
        campaign_id = world["campaigns"][name]
        for path in (f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/contributors",
                     f"/campaigns/{campaign_id}/key-information"):
            answer = read(platform, world, reader, path)
            assert (answer.status_code, answer.json()["code"]) == (404, "campaign_not_found"), \
                (name, path, answer.text)
            assert "Revoir le budget" not in answer.text
    assert ok(read(platform, world, reader, f"/campaigns/{world['campaigns']['live']}"))[
        "status"] == "live"


@pytest.mark.parametrize("reader", PRIVILEGED_READERS)
def test_the_carrier_and_staff_read_unpublished_campaigns_and_their_notes(platform, world,
                                                                          reader):
    campaigns = world["campaigns"]
    for name in ("draft", "in_review", "sent_back", "live"):
        assert ok(read(platform, world, reader, f"/campaigns/{campaigns[name]}"))["id"] == \
            campaigns[name]
    sent_back = ok(read(platform, world, reader, f"/campaigns/{campaigns['sent_back']}"))
    assert (sent_back["status"], sent_back["review_note"]) == ("sent_back", SENT_BACK_NOTE)
    sheet = ok(read(platform, world, reader,
                    f"/campaigns/{campaigns['in_review']}/key-information"))
    assert sheet["kind"] == "loan"
    assert ok(read(platform, world, reader,
                   f"/campaigns/{campaigns['draft']}/contributors"))["items"] == []


@pytest.mark.parametrize("reader", PUBLIC_READERS + PRIVILEGED_READERS)
def test_a_projects_view_lists_the_campaigns_its_reader_may_see(platform, world, reader):
    privileged = reader in PRIVILEGED_READERS
    view = ok(read(platform, world, reader, f"/projects/{world['project']}"))
    shown = {campaign["id"]: campaign for campaign in view["campaigns"]}
    assert names(world, shown) == (set(world["campaigns"]) if privileged else {"live"})
    assert (SENT_BACK_NOTE in str(view["campaigns"])) == privileged


def test_nobody_contributes_to_a_campaign_they_cannot_see(platform, world):
    answer = contribute(platform, world["campaigns"]["in_review"], 5000)
    assert (answer.status_code, answer.json()["code"]) == (404, "campaign_not_found")
    assert platform.query("funding", "SELECT count(*) FROM contributions WHERE campaign_id "
                          "= :id", id=world["campaigns"]["in_review"]) == [(0,)]


def page_reader(platform, world, reader) -> requests.Session:
    """A browser whose page session is the reader's (the API's token in the cookie)."""
    browser = requests.Session()
    header = world["readers"][reader].get("Authorization")
    if header:
        host = platform.base_url.split("//", 1)[1].split(":")[0]
        browser.cookies.set(SESSION_COOKIE, header.split(" ", 1)[1], domain=host, path="/")
    return browser


def page(platform, browser, path):
    return browser.get(platform.base_url + path, timeout=15, allow_redirects=False)


TITLES = {"draft": "Brouillon discret", "in_review": "Prêt en relecture",
          "sent_back": "Campagne renvoyée", "live": "Campagne ouverte"}


UNPUBLISHED = ("draft", "in_review", "sent_back")


def titles_on(answer) -> set:
    """Which of this world's campaigns a page shows, by their titles."""
    assert answer.status_code == 200, answer.text
    return {name for name, title in TITLES.items() if title in answer.text}


def campaign_pages(platform, browser, world) -> dict:
    return {name: page(platform, browser, f"/campagnes/{world['campaigns'][name]}")
            for name in UNPUBLISHED}


@pytest.mark.parametrize("reader", PUBLIC_READERS + PRIVILEGED_READERS)
def test_the_pages_show_unpublished_campaigns_to_their_carrier_and_staff_only(platform, world,
                                                                             reader):
    """For the public, an unpublished campaign's page is the French 404 page; staff and
    the carrier's admins read it, marked "Non publiée"."""
    privileged = reader in PRIVILEGED_READERS
    browser = page_reader(platform, world, reader)
    for name, answer in campaign_pages(platform, browser, world).items():
        assert answer.status_code == (200 if privileged else 404), (name, answer.text)
        assert (TITLES[name] in answer.text, "Non publiée" in answer.text,
                "Page introuvable" in answer.text) == (privileged, privileged, not privileged)
    assert titles_on(page(platform, browser, f"/projets/{world['project']}")) == (
        set(TITLES) if privileged else {"live"})
    # The list of campaigns and the home page show live ones, whoever reads them.
    assert titles_on(page(platform, browser, "/campagnes")) == {"live"}
    assert titles_on(page(platform, browser, "/")) <= {"live"}


def test_an_unknown_campaign_is_the_same_404_as_a_hidden_one(platform, world):
    unknown = platform.get(f"/campaigns/{uuid.uuid4()}")
    hidden = platform.get(f"/campaigns/{world['campaigns']['draft']}")
    assert (unknown.status_code, unknown.json()["code"]) == (hidden.status_code,
                                                             hidden.json()["code"])
    assert set(unknown.json()) == set(hidden.json())
