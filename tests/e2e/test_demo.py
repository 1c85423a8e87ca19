"""The demo data set, loaded by its command (python -m deploy.demo) through the public API
into the real platform, reproduces the cluster's description
(../shared/domain/fiche-dombinnov.txt): read back through the members, projects and
funding routes, then through the reports. Loading it again adds nothing."""
import subprocess
import uuid
from collections import Counter
from datetime import date

import pytest
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from deploy import demo_data
from shared.config import REPO_ROOT
from tests.e2e.test_security import execute
from tests.support.platform import executable
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

YEAR = date.today().year
TERRITORIES = {"dombes", "val_de_saone", "cotiere"}


def load_demo(platform, email):
    result = subprocess.run(
        executable(["python", "-m", "deploy.demo", "--url", platform.base_url, "--email", email,
                    "--password", PASSWORD, "--wait", "30"]),
        capture_output=True, text=True, cwd=REPO_ROOT, env=platform.processes.env, timeout=150)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def staff_email(platform):
    email = f"demo-{uuid.uuid4().hex[:8]}@example.org"
    platform.create_by_command(email, ["operator", "animator"])
    return email


@pytest.fixture(scope="module")
def loaded(platform, staff_email):
    """The loader's summary, once loaded."""
    return load_demo(platform, staff_email)


def every(platform, path, **params):
    """Every item of a paged list, as staff."""
    items, query = [], {"limit": 100, **params}
    while True:
        answer = platform.request("GET", path, as_="staff", params=query)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        query["cursor"] = page["next_cursor"]


def test_twenty_members_half_of_them_sharing_services_that_carry_nine_jobs(platform, loaded):
    organisations = every(platform, "/organisations")
    assert len(organisations) == 20
    assert all(stdnum_siret.is_valid(o["siret"]) for o in organisations)
    assert {o["siret"] for o in organisations} == {demo_data.siret(key)
                                                   for key in demo_data.ORGANISATIONS}
    assert {o["territory"] for o in organisations} == TERRITORIES

    members = every(platform, "/memberships", year=YEAR, status="active")
    assert len(members) == 20
    assert Counter(m["circle"] for m in members) == {"core": 10, "project": 6, "ally": 4}
    assert all(m["paid_cents"] == m["dues_cents"] > 0 for m in members)

    summary = platform.get("/mutualisation/summary", as_="staff").json()
    assert (summary["services"], summary["subscribers"], summary["fte_carried"],
            summary["subscribed_fte_carried"]) == (5, 10, 9.0, 9.0)
    assert "9,00" in loaded and "20 (" in loaded


def test_one_social_enterprise_a_year_since_2005_and_300_jobs_consolidated(platform, loaded):
    projects = every(platform, "/projects")
    files = [platform.get(f"/projects/{p['id']}/file", as_="staff").json() for p in projects]
    enterprises = [f["enterprise"] for f in files if f["enterprise"]]
    assert sorted(int(e["created_on"][:4]) for e in enterprises) == list(range(2005, YEAR + 1))
    assert all(stdnum_siren.is_valid(e["siren"]) for e in enterprises)
    assert {f["stage"] for f in files if f["enterprise"]} == {"launched", "consolidated"}
    assert {f["stage"] for f in files if not f["enterprise"]} <= {
        "idea", "emergence", "incubation"}

    latest = [max(f["job_reports"], key=lambda r: r["reported_on"])
              for f in files if f["job_reports"]]
    assert len(latest) == YEAR - 2004
    assert round(sum(r["consolidated_fte"] for r in latest), 2) == 300
    assert sum(r["created_fte"] for r in latest) > 0
    assert all(len(f["job_reports"]) >= 1 and f["support"] for f in files if f["enterprise"])


def test_each_kind_of_resource_of_the_description(platform, loaded):
    resources = every(platform, "/resources")
    kinds = {(r["kind"], r["funder_type"]) for r in resources}
    assert kinds == {("sale", None), ("mutualisation", None), ("grant", "public"),
                     ("grant", "foundation"), ("grant", "private_investor")}
    region = [r for r in resources if r["funder"] and r["funder"].startswith("Région")
              and r["project_id"] is None]
    assert sorted(r["year"] for r in region) == list(range(2012, 2018))  # until end 2017
    assert any(r["programme"].startswith("Contrat de développement durable Rhône-Alpes")
               and r["project_id"] for r in resources if r["programme"])
    foundations = {r["funder"] for r in resources if r["funder_type"] == "foundation"}
    investors = {r["funder"] for r in resources if r["funder_type"] == "private_investor"}
    assert foundations and all(f.startswith("Fondation") for f in foundations)
    assert any("Cigales" in f for f in investors)

    volunteering = every(platform, "/volunteering")
    assert volunteering and all(v["valued_cents"] > 0 for v in volunteering)

    campaigns = {c["kind"]: c for c in every(platform, "/campaigns")}
    assert set(campaigns) == {"donation", "reward", "shares"}
    assert {c["status"] for c in campaigns.values()} == {"live"}
    assert (campaigns["donation"]["raised_cents"], campaigns["donation"]["matched_cents"],
            campaigns["reward"]["raised_cents"]) == (26_500, 12_000, 16_500)
    # Shares count after the investor's 4-day reflection period: paid, not counted yet.
    assert (campaigns["shares"]["raised_cents"], campaigns["shares"]["committed_cents"]) == (
        0, 80_000)
    for kind, statuses in (("donation", {"captured"}), ("reward", {"captured"}),
                           ("shares", {"authorized"})):
        contributions = every(platform, f"/campaigns/{campaigns[kind]['id']}/contributions")
        assert {c["status"] for c in contributions} == statuses
        assert all(c["channel"] == "online" for c in contributions)  # paid on the payer page
    donations = every(platform, f"/campaigns/{campaigns['donation']['id']}/contributions")
    assert all(c["receipt_number"] for c in donations)


def test_the_reports_show_the_figures_of_the_description(platform, loaded):
    members = wait_until(
        lambda: (answer := platform.get(f"/reports/members?from_year={YEAR}&to_year={YEAR}",
                                        as_="funder").json())["items"]
        and answer["items"][0]["members_using_services"] == 10 and answer["items"][0],
        timeout=30, message="the members' report")
    assert (members["active_members"], members["members_using_services"],
            members["mutualised_fte"]) == (20, 10, 9.0)

    incubation = platform.get("/reports/incubation", as_="funder").json()
    created = {item["year"]: item["enterprises_created"] for item in incubation["items"]}
    assert {year: created.get(year) for year in range(2005, YEAR + 1)} == dict.fromkeys(
        range(2005, YEAR + 1), 1)
    assert sum(created.values()) == YEAR - 2004
    assert (incubation["totals"]["enterprises_total"],
            incubation["totals"]["jobs_consolidated_fte_total"]) == (YEAR - 2004, 300)
    assert incubation["totals"]["jobs_created_fte_total"] > 0

    resources = platform.get("/reports/resources", as_="funder").json()
    for name in ("sales_cents", "mutualisation_cents", "public_grants_cents",
                 "private_grants_cents", "crowdfunding_cents", "matchfunding_cents",
                 "volunteering_hours", "volunteering_cents"):
        assert resources["totals"][name] > 0, name
    assert resources["totals"]["crowdfunding_cents"] == 43_000
    expected = demo_data.expected(YEAR, date.today())
    assert resources["totals"]["public_grants_cents"] == expected["resources_cents"][
        "public_grant"]
    # Dues and mutualisation invoiced this year are the members' report's figures.
    members = platform.get("/reports/members", as_="funder").json()["totals"]
    assert members["dues_paid_cents"] > 0 and members["mutualisation_invoiced_cents"] > 0
    assert resources["totals"]["dues_cents"] == members["dues_paid_cents"]
    assert resources["totals"]["monetary_total_cents"] == sum(
        expected["resources_cents"].values()) + 43_000 + 12_000 \
        + members["dues_paid_cents"] + members["mutualisation_invoiced_cents"]
    by_year = {item["year"]: item for item in resources["items"]}
    assert by_year[YEAR]["mutualisation_cents"] == members["mutualisation_invoiced_cents"]
    assert by_year[2017]["public_grants_cents"] > by_year[2019]["public_grants_cents"] == 0
    # The kinds of the description: the Region's support of the animation until 2017,
    # project grants, foundations, private investors.
    assert by_year[2017]["region_cents"] == 2_000_000 and by_year[2018]["region_cents"] == 0
    assert by_year[2022]["project_grants_cents"] == 4_500_000
    assert (by_year[2019]["foundations_cents"], by_year[2023]["private_investors_cents"]) == (
        2_000_000, 3_000_000)
    assert resources["totals"]["other_private_cents"] == 0


def test_loading_again_adds_nothing(platform, loaded, staff_email):
    counts = {path: len(every(platform, path)) for path in (
        "/organisations", "/projects", "/resources", "/volunteering", "/campaigns")}
    again = load_demo(platform, staff_email)
    assert "créé / created:            —" in again
    assert {path: len(every(platform, path)) for path in counts} == counts
    assert len(every(platform, "/memberships", year=YEAR)) == 20
    summary = platform.get("/mutualisation/summary", as_="staff").json()
    assert (summary["subscribers"], summary["subscribed_fte_carried"]) == (10, 9.0)
    campaigns = every(platform, "/campaigns")
    assert sorted(c["contributions_count"] for c in campaigns) == [0, 5, 6]


def test_a_draft_left_by_an_interrupted_load_is_found_and_published(platform, loaded,
                                                                    staff_email):
    """Drafts are staff's to read: the loader lists campaigns as staff, so that one it
    drafted before stopping is published now, not drafted twice."""
    quiet = next(c for c in every(platform, "/campaigns") if c["contributions_count"] == 0)
    execute(platform, "funding", "UPDATE campaigns SET status = 'draft', published_at = NULL "
            "WHERE id = :id", id=quiet["id"])
    count = len(every(platform, "/campaigns"))
    load_demo(platform, staff_email)
    assert len(every(platform, "/campaigns")) == count
    assert platform.get(f"/campaigns/{quiet['id']}").json()["status"] == "live"
