"""Report tables read back from projection rows, and their CSV for French spreadsheets."""
import csv
import io
from datetime import date

import pytest

from services.reporting.domain import funding, incubation, members, resources, spreadsheets
from services.reporting.domain.reports import check_years, success_rate, year_span
from shared.errors import DomainError


def test_a_table_shows_every_year_from_its_first_to_its_last_within_the_range():
    assert year_span({2019, 2022, 2020}) == [2019, 2020, 2021, 2022]
    assert year_span({2019, 2022, 2025}, 2020, 2024) == [2022]
    assert year_span({2019, 2022}, 2030, 2040) == []
    assert year_span(set()) == []


def test_a_range_that_ends_before_it_starts_is_refused_on_its_end():
    check_years(2020, 2020)
    check_years(None, 1999)
    with pytest.raises(DomainError) as raised:
        check_years(2021, 2020)
    assert raised.value.kind == "invalid"
    assert list(raised.value.details["fields"]) == ["to_year"]


def test_members_per_year_those_using_services_and_the_fte_of_the_services_used():
    memberships = [{"year": 2024, "organisation_id": org} for org in ("a", "b", "c")] + \
                  [{"year": 2025, "organisation_id": "a"}]
    subscriptions = [
        {"organisation_id": "a", "service_id": "s1", "starts_on": date(2024, 3, 1),
         "ends_on": None},
        {"organisation_id": "x", "service_id": "s2", "starts_on": date(2024, 1, 1),
         "ends_on": date(2024, 12, 31)},
        {"organisation_id": "b", "service_id": "s3", "starts_on": date(2027, 1, 1),
         "ends_on": None}]
    money = [{"year": 2024, "dues_paid_cents": 5000, "mutualisation_invoiced_cents": 700},
             {"year": 2024, "dues_paid_cents": 100, "mutualisation_invoiced_cents": 0}]
    table = members.members_years(memberships, subscriptions, {"s1": 250, "s2": 100, "s3": 7},
                                  money, None, None, this_year=2026)
    by_year = {item["year"]: item for item in table["items"]}
    assert list(by_year) == [2024, 2025, 2026, 2027]
    assert by_year[2024] == {"year": 2024, "active_members": 3, "members_using_services": 1,
                             "organisations_using_services": 2, "mutualised_fte": 350,
                             "dues_paid_cents": 5100, "mutualisation_invoiced_cents": 700}
    assert (by_year[2025]["organisations_using_services"], by_year[2025]["mutualised_fte"],
            by_year[2026]["active_members"]) == (1, 250, 0)
    assert by_year[2027]["mutualised_fte"] == 7  # starts in the future: runs in its year
    assert table["totals"] == {"active_members": 0, "members_using_services": 0,
                               "organisations_using_services": 1, "mutualised_fte": 7,
                               "dues_paid_cents": 5100, "mutualisation_invoiced_cents": 700}
    empty = members.members_years(memberships, subscriptions, {}, money, 1990, 1999, 2026)
    assert empty == {"items": [], "totals": dict.fromkeys((*members.STOCKS, *members.FLOWS),
                                                          0)}


def test_members_by_circle_legal_form_and_territory_with_unknown_ones_named():
    rows = [{"year": 2025, "organisation_id": "a", "circle": "core", "legal_form": "scop",
             "territory": "dombes"},
            {"year": 2025, "organisation_id": "b", "circle": "core", "legal_form": None,
             "territory": None},
            {"year": 2024, "organisation_id": "a", "circle": "ally", "legal_form": "scop",
             "territory": "dombes"}]
    items = members.members_breakdown(rows, 2025, None)["items"]
    assert [(i["dimension"], i["category"], i["active_members"]) for i in items] == [
        ("circle", "core", 2), ("legal_form", "scop", 1), ("legal_form", "unknown", 1),
        ("territory", "dombes", 1), ("territory", "unknown", 1)]


def test_enterprises_and_jobs_per_year_cumulate_from_before_the_range():
    years = [{"year": 2005, "projects_submitted": 1, "enterprises_created": 1,
              "support_hours_hundredths": 0},
             {"year": 2007, "projects_submitted": 2, "enterprises_created": 1,
              "support_hours_hundredths": 1250}]
    reports = [{"project_id": "p", "year": 2005, "created_fte_hundredths": 200,
                "consolidated_fte_hundredths": 100},
               {"project_id": "q", "year": 2006, "created_fte_hundredths": 100,
                "consolidated_fte_hundredths": 0},
               {"project_id": "p", "year": 2007, "created_fte_hundredths": 150,
                "consolidated_fte_hundredths": 300}]
    table = incubation.incubation_years(years, reports, 2006, None)
    assert [(i["year"], i["enterprises_created"], i["enterprises_total"]) for i in
            table["items"]] == [(2006, 0, 1), (2007, 1, 2)]
    assert [(i["jobs_created_fte"], i["jobs_created_fte_total"], i["jobs_consolidated_fte"],
             i["jobs_consolidated_fte_total"]) for i in table["items"]] == [
        (100, 300, 0, 100), (-50, 250, 200, 300)]
    assert table["totals"] == {"projects_submitted": 2, "enterprises_created": 1,
                               "jobs_created_fte": 50, "jobs_consolidated_fte": 200,
                               "support_hours": 1250, "enterprises_total": 2,
                               "jobs_created_fte_total": 250,
                               "jobs_consolidated_fte_total": 300}
    assert incubation.incubation_years(years, reports, 2030, 2031)["items"] == []


def test_projects_by_stage_in_pipeline_order_with_empty_stages_and_none_without_projects():
    table = incubation.stages({"launched": 2, "idea": 1, "emergence": 0, "someday": 1})
    assert [(i["stage"], i["projects"]) for i in table["items"]] == [
        ("idea", 1), ("emergence", 0), ("incubation", 0), ("launched", 2),
        ("consolidated", 0), ("abandoned", 0), ("someday", 1)]
    assert table["totals"] == {"projects": 4}
    assert incubation.stages({"idea": 0}) == {"items": [], "totals": {"projects": 0}}


def counters(**values):
    return {name: values.get(name, 0) for name in funding.COUNTERS}


def test_funding_per_year_is_net_of_money_given_back_with_its_success_rate():
    rows = [{"year": 2023, **counters(contributions=3, raised_cents=9000, matched_cents=1000,
                                      given_back=1, given_back_cents=2000,
                                      given_back_matched_cents=500, campaigns_succeeded=2,
                                      campaigns_failed=1)},
            {"year": 2025, **counters(refunds=1, refunded_cents=2000)}]
    table = funding.funding_years(rows, {2023: 2}, None, None, all_years_contributors=2)
    first, gap, last = table["items"]
    assert (first["net_raised_cents"], first["net_matched_cents"], first["success_rate"],
            first["contributors"]) == (7000, 500, 0.6667, 2)
    assert "given_back" not in first and "given_back_matched_cents" not in first
    assert (gap["year"], gap["raised_cents"], gap["success_rate"]) == (2024, 0, None)
    assert (last["refunds"], last["refunded_cents"]) == (1, 2000)
    assert table["totals"]["contributors"] == 2
    assert table["totals"]["net_raised_cents"] == 7000
    assert table["totals"]["success_rate"] == 0.6667
    nothing = funding.funding_years([], {}, 2000, 2001, None)
    assert nothing["items"] == [] and nothing["totals"]["raised_cents"] == 0
    assert nothing["totals"]["success_rate"] is None and nothing["totals"]["contributors"] is None
    assert success_rate(1, 0) == 1.0


def test_funding_by_kind_and_model_in_the_kinds_order():
    rows = [{"year": 2024, "kind": kind, "model": model, **counters(raised_cents=100)}
            for kind, model in (("shares", "keep_it_all"), ("donation", "keep_it_all"),
                                ("donation", "all_or_nothing"))]
    table = funding.funding_by_kind(rows)
    assert [(i["kind"], i["model"]) for i in table["items"]] == [
        ("donation", "all_or_nothing"), ("donation", "keep_it_all"), ("shares", "keep_it_all")]
    assert table["totals"]["raised_cents"] == 300


def _stored(year, cluster, **cents):
    return {"year": year, "cluster": cluster, **dict.fromkeys(resources.STORED, 0),
            "volunteering_hours_hundredths": 0, "volunteering_cents": 0, **cents}


def test_the_resource_mix_keeps_volunteering_out_of_the_monetary_total():
    row = {**_stored(2021, False), **dict.fromkeys(resources.STORED, 100),
           "volunteering_hours_hundredths": 1050, "volunteering_cents": 12621}
    table = resources.resources_years([row], None, None)
    [item] = table["items"]
    # Foundations and investors are part of the private grants, not added to them.
    assert item["monetary_total_cents"] == 700
    assert (item["volunteering_hours"], item["volunteering_cents"]) == (1050, 12621)
    assert table["totals"]["monetary_total_cents"] == 700
    zero = _stored(2022, False)
    assert resources.resources_years([zero], None, None)["items"] == []


def test_the_resource_mix_has_the_kinds_of_the_description_and_they_add_up():
    """The Region's support of the animation is the public money of the cluster's own
    row; project grants the projects' public money; other private money what is not a
    foundation's or investors'."""
    rows = [_stored(2016, True, sales_cents=1_000, dues_cents=200, mutualisation_cents=300,
                    public_grants_cents=2_500),
            _stored(2016, False, public_grants_cents=4_000, private_grants_cents=1_700,
                    foundations_cents=1_000, private_investors_cents=500,
                    crowdfunding_cents=60, matchfunding_cents=40)]
    [item] = resources.resources_years(rows, None, None)["items"]
    assert {name: item[name] for name in resources.MONETARY} == {
        "sales_cents": 1_000, "dues_cents": 200, "mutualisation_cents": 300,
        "region_cents": 2_500, "project_grants_cents": 4_000, "foundations_cents": 1_000,
        "private_investors_cents": 500, "other_private_cents": 200,
        "crowdfunding_cents": 60, "matchfunding_cents": 40}
    assert item["monetary_total_cents"] == 9_800 == sum(item[n] for n in resources.MONETARY)
    assert (item["public_grants_cents"], item["private_grants_cents"]) == (6_500, 1_700)


# --- CSV -----------------------------------------------------------------------------

@pytest.mark.parametrize("hundredths, text", [(0, "0,00"), (5, "0,05"), (123456, "1234,56"),
                                              (-5, "-0,05"), (-250, "-2,50"), (100, "1,00")])
def test_amounts_have_a_decimal_comma_two_decimals_and_no_thousands_separator(hundredths, text):
    assert spreadsheets.decimal_comma(hundredths) == text


def read_back(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_a_table_exports_with_semicolons_french_headers_euros_and_percent():
    items = funding.funding_years(
        [{"year": 2024, **counters(contributions=2, raised_cents=123456, given_back_cents=6,
                                   campaigns_succeeded=2, campaigns_failed=1)}],
        {2024: 2}, None, None, 2)["items"]
    header, row = read_back(spreadsheets.to_csv("funding", items))
    assert header[:4] == ["Année", "Contributions", "Contributeurs distincts", "Collecté (€)"]
    values = dict(zip(header, row, strict=True))
    assert values["Collecté (€)"] == "1234,56"
    assert values["Collecté net (€)"] == "1234,50"
    assert values["Taux de réussite (%)"] == "66,67"
    assert values["Année"] == "2024"


def test_categories_are_written_with_french_labels_and_never_as_formulas():
    items = [{"year": 2025, "dimension": "territory", "category": "val_de_saone",
              "active_members": 3},
             {"year": 2025, "dimension": "legal_form", "category": "unknown",
              "active_members": 1},
             {"year": 2025, "dimension": "circle", "category": "=HYPERLINK(\"x\")",
              "active_members": 1}]
    rows = read_back(spreadsheets.to_csv("members-breakdown", items))
    assert rows[0] == ["Année", "Répartition", "Catégorie", "Adhérents actifs"]
    assert rows[1] == ["2025", "Territoire", "Val de Saône", "3"]
    assert rows[2][1:3] == ["Forme juridique", "Inconnu"]
    assert rows[3][2] == "'=HYPERLINK(\"x\")"


def test_fte_and_hours_have_two_decimals_and_an_empty_table_is_its_header():
    items = [{"year": 2020, "projects_submitted": 1, "enterprises_created": 0,
              "enterprises_total": 1, "jobs_created_fte": -50, "jobs_created_fte_total": 250,
              "jobs_consolidated_fte": 0, "jobs_consolidated_fte_total": 30000,
              "support_hours": 1250}]
    header, row = read_back(spreadsheets.to_csv("incubation", items))
    values = dict(zip(header, row, strict=True))
    assert values["Emplois créés dans l'année (ETP)"] == "-0,50"
    assert values["Emplois consolidés, cumul (ETP)"] == "300,00"
    assert values["Heures d'accompagnement"] == "12,50"
    for table in spreadsheets.COLUMNS:
        assert len(read_back(spreadsheets.to_csv(table, []))) == 1
