"""Members through the gateway, with the real services behind: the cluster's twenty
organisations from the animators' spreadsheet, mutualised services carrying nine jobs,
memberships and dues, privacy."""
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.support.accounts import sign_up
from tests.support.funding import SIGNATORY, legal_identity, live_campaign
from tests.support.waiting import wait_until

CLUSTER_CSV = (Path(__file__).parent / "data" / "organisations-dombinnov.csv").read_bytes()
YEAR = 2026
# The catalogue of mutualised services: nine jobs (FTE) in all.
SERVICES = [("Comptabilité", 2.5, "hourly", 4500), ("Paie", 1.5, "monthly", 35000),
            ("Communication", 2.0, "hourly", 4000), ("Entretien des locaux", 2.0, "hourly", 2800),
            ("Informatique", 1.0, "monthly", 25000)]


def upload(platform, content: bytes, mode="valid_rows"):
    return platform.request("POST", f"/organisations/import?mode={mode}", as_="staff",
                            headers={"Content-Type": "text/csv"}, data=content)


def all_organisations(platform):
    items, cursor = [], None
    while True:
        page = platform.get("/organisations?limit=100" + (f"&cursor={cursor}" if cursor else ""),
                            as_="staff").json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture(scope="module")
def cluster(platform):
    """The cluster's register, imported from the spreadsheet animators keep."""
    answer = upload(platform, CLUSTER_CSV, mode="all_or_nothing")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_twenty_organisations_come_from_a_windows_spreadsheet(platform, cluster):
    assert (cluster["committed"], cluster["imported"], cluster["rejected"]) == (True, 20, 0)
    organisations = {o["name"]: o for o in all_organisations(platform)}
    assert len(organisations) == 20
    horizon = organisations["Val Horizon"]
    assert (horizon["legal_form"], horizon["territory"], horizon["commune"]) == (
        "association", "val_de_saone", "Trévoux")
    assert horizon["headcount_fte"] == 170 and horizon["rna"] == "W012345678"
    assert horizon["siren"] == horizon["siret"][:9]
    assert organisations["Crèche Les Petits Pas"]["headcount_fte"] == 14.5
    assert organisations["Régie de quartier Miribel"]["legal_form"] == "integration_enterprise"
    events = platform.query("members", "SELECT payload FROM outbox WHERE routing_key = "
                   "'organisation_registered'")
    assert len(events) == 20


def test_ten_members_share_services_carrying_nine_jobs(platform, cluster):
    organisations = sorted(all_organisations(platform), key=lambda o: o["name"])
    services = []
    for name, fte, pricing, price in SERVICES:
        answer = platform.post("/mutualised-services", {"name": name, "fte_carried": fte,
                                                        "pricing": pricing, "price_cents": price})
        assert answer.status_code == 201, answer.text
        services.append(answer.json())
    for index, organisation in enumerate(organisations[:10]):
        service = services[index % len(services)]
        body = {"service_id": service["id"], "starts_on": f"{YEAR}-01-01"}
        if service["pricing"] == "hourly":
            body["hours_per_month"] = 12.5
        answer = platform.post(f"/organisations/{organisation['id']}/subscriptions", body)
        assert answer.status_code == 201, answer.text

    summary = platform.get("/mutualisation/summary", as_="funder").json()
    assert (summary["services"], summary["subscribers"]) == (5, 10)
    assert summary["fte_carried"] == summary["subscribed_fte_carried"] == 9.0

    def archived(event_type):
        rows = platform.query("reporting", "SELECT data FROM event_archive WHERE type = :t",
                     t=event_type)
        return [json.loads(data) for (data,) in rows]
    wait_until(lambda: len(archived("members.subscription_started")) == 10, timeout=15,
               message="ten subscriptions in reporting's archive")
    assert len({e["organisation_id"] for e in archived("members.subscription_started")}) == 10
    added = archived("members.mutualised_service_added")
    assert round(sum(event["fte_carried"] for event in added), 2) == 9.0
    assert len(archived("members.organisation_registered")) == 20

    invoices = platform.post("/mutualisation/invoices", {"year": YEAR, "month": 3},
                             **{"Idempotency-Key": "invoices-2026-03"})
    assert invoices.status_code == 200, invoices.text
    items = invoices.json()["items"]
    assert len(items) == 10
    accounting = next(i for i in items if i["lines"][0]["service"] == "Comptabilité")
    assert accounting["total_cents"] == 12.5 * 4500 == 56_250
    again = platform.post("/mutualisation/invoices", {"year": YEAR, "month": 3},
                          **{"Idempotency-Key": "invoices-2026-03-bis"})
    assert [i["id"] for i in again.json()["items"]] == [i["id"] for i in items]


def test_a_spreadsheet_with_broken_rows_imports_the_good_ones_or_nothing(platform, cluster):
    lines = ["Nom;Forme juridique;SIRET;Code postal;Commune;ETP",
             "Bonne Asso;Association;;01330;Villars-les-Dombes;2,5",
             "Mauvais SIRET;SCOP;81234560100016;01330;Villars-les-Dombes;1",
             "Forme inconnue;Fondation;;01330;Villars-les-Dombes;1",
             "Effectif négatif;Association;;01330;Villars-les-Dombes;-3",
             "Ligne courte;Association",
             "Déjà là;SCOP;81234560100015;01600;Trévoux;1"]
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    before = len(all_organisations(platform))

    refused = upload(platform, content, mode="all_or_nothing").json()
    assert (refused["committed"], refused["imported"], refused["rejected"]) == (False, 0, 5)
    assert len(all_organisations(platform)) == before
    assert refused["rows"][0]["status"] == "not_imported"

    answer = upload(platform, content)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["committed"], report["imported"], report["rejected"]) == (True, 1, 5)
    by_line = {row["line"]: row for row in report["rows"]}
    assert by_line[2]["status"] == "imported"
    assert "Luhn" in by_line[3]["errors"]["siret"][0]
    assert "legal_form" in by_line[4]["errors"]
    assert "headcount_fte" in by_line[5]["errors"]
    assert "_row" in by_line[6]["errors"]
    assert "already registered" in by_line[7]["errors"]["siret"][0]
    assert len(all_organisations(platform)) == before + 1


def test_a_file_in_an_unknown_encoding_or_shape_is_refused_whole(platform, cluster):
    garbled = upload(platform, b"Nom;Commune\r\n\x81\x8d\x8f;Trevoux\r\n")
    assert garbled.status_code == 422
    assert garbled.json()["errors"][0]["field"] == "file"
    nameless = upload(platform, "Couleur;Commune\r\nbleu;Trévoux\r\n".encode())
    assert nameless.status_code == 422
    assert "name (Nom)" in nameless.json()["errors"][0]["messages"][0]
    not_csv = platform.request("POST", "/organisations/import", as_="staff",
                               headers={"Content-Type": "application/json"}, data="{}")
    assert not_csv.status_code == 415


def test_an_ordinary_spreadsheet_imports_its_known_columns_and_names_the_others(platform,
                                                                                cluster):
    """Animators' files carry columns of their own: those are ignored and named; an
    e-mail address and a phone number become the organisation's contact."""
    lines = ["Nom;Forme juridique;Code postal;Commune;Courriel;Téléphone;Remarques;Mail",
             "Ferme des Étangs;SCIC;01330;Villars-les-Dombes;Accueil@Ferme-Etangs.fr;"
             "474551234;Adhérente depuis 2019;autre@example.org",
             "Adresse fausse;Association;01330;Villars-les-Dombes;pas-une-adresse;;;",
             "Sans contact;Association;01330;Villars-les-Dombes;;;À relancer;"]
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")

    answer = upload(platform, content)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [(w["code"], w["column"]) for w in report["warnings"]] == [
        ("unknown_column", "Remarques"), ("duplicate_column", "Mail")]
    assert (report["committed"], report["imported"], report["rejected"]) == (True, 2, 1)
    by_line = {row["line"]: row for row in report["rows"]}
    assert list(by_line[3]["errors"]) == ["email"]
    assert by_line[3]["organisation_id"] is None

    farm = by_line[2]["organisation_id"]
    [contact] = platform.get(f"/organisations/{farm}/contacts", as_="staff").json()["items"]
    assert (contact["name"], contact["email"], contact["phone"]) == (
        "Ferme des Étangs", "accueil@ferme-etangs.fr", "0474551234")
    assert contact["consent_to_contact"] is False
    alone = by_line[4]["organisation_id"]
    assert platform.get(f"/organisations/{alone}/contacts", as_="staff").json()["items"] == []
    names = {o["name"] for o in all_organisations(platform)}
    assert {"Ferme des Étangs", "Sans contact"} <= names and "Adresse fausse" not in names


@pytest.mark.parametrize("media_type", ["text/csv", "text/plain", "application/vnd.ms-excel",
                                        "application/octet-stream",
                                        "text/plain; charset=windows-1252"])
def test_the_import_takes_the_media_types_browsers_and_spreadsheets_send(platform, cluster,
                                                                         media_type):
    name = f"Asso {uuid.uuid4().hex[:8]}"
    content = f"Nom;Forme juridique;Code postal;Commune\r\n{name};Association;01330;" \
              "Villars-les-Dombes\r\n".encode("cp1252")
    answer = platform.request("POST", "/organisations/import", as_="staff",
                              headers={"Content-Type": media_type}, data=content)
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 1
    assert name in {o["name"] for o in all_organisations(platform)}


def test_the_import_takes_a_file_uploaded_as_a_form(platform, cluster):
    name = f"Épicerie {uuid.uuid4().hex[:8]}"
    content = f"Nom;Forme juridique;Code postal;Commune\r\n{name};Association;01330;" \
              "Villars-les-Dombes\r\n".encode("cp1252")
    answer = platform.request(
        "POST", "/organisations/import?mode=all_or_nothing", as_="staff",
        files={"file": ("structures.csv", content, "application/vnd.ms-excel")})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["mode"], answer.json()["imported"]) == ("all_or_nothing", 1)
    assert name in {o["name"] for o in all_organisations(platform)}

    misnamed = platform.request("POST", "/organisations/import", as_="staff",
                                files={"upload": ("structures.csv", content, "text/csv")})
    assert misnamed.status_code == 422
    assert misnamed.json()["errors"][0]["field"] == "file"


def test_another_media_type_is_refused_saying_which_ones_are_taken(platform):
    answer = platform.request("POST", "/organisations/import", as_="staff",
                              headers={"Content-Type": "application/pdf"}, data=b"%PDF-1.7")
    assert answer.status_code == 415
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "unsupported_media_type"
    for accepted in ("text/csv", "text/plain", "application/vnd.ms-excel",
                     "application/octet-stream", "multipart/form-data"):
        assert accepted in problem["detail"]


def test_the_register_exports_for_a_french_spreadsheet(platform, cluster):
    answer = platform.get("/organisations/export", as_="staff")
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    text = answer.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Nom;Forme juridique;SIRET")
    assert "Crèche Les Petits Pas;association;" in text and ";14,50" in text
    # What goes out comes back in: the export is a valid import (all already registered).
    report = upload(platform, answer.content).json()
    assert report["imported"] == 0 and report["rejected"] == len(text.splitlines()) - 1


@pytest.mark.parametrize("body, field", [
    ({"siret": "81234560100016"}, "siret"),
    ({"siret": "8123456010001"}, "siret"),
    ({"legal_form": "fondation"}, "legal_form"),
    ({"headcount_fte": -1}, "headcount_fte"),
    ({"headcount_fte": 1.005}, "headcount_fte"),
    ({"rna": "W12"}, "rna"),
    ({"legal_form": "scop", "rna": "W012000099"}, "rna"),
    ({"territory": "lyon"}, "territory"),
])
def test_bad_organisations_are_refused_on_their_field(platform, body, field):
    organisation = {"name": "Essai", "legal_form": "association", "postal_code": "01330",
                    "commune": "Villars-les-Dombes", **body}
    answer = platform.post("/organisations", organisation)
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_a_siret_registered_twice_is_a_conflict(platform, cluster):
    answer = platform.post("/organisations", {
        "name": "Doublon", "legal_form": "association", "siret": "81234560100015",
        "postal_code": "01600", "commune": "Trévoux"})
    assert (answer.status_code, answer.json()["code"]) == (409, "siret_already_registered")


def test_a_membership_lives_applied_active_paid_and_renewed(platform, cluster):
    organisation = next(o for o in all_organisations(platform) if o["name"] == "SCOP Bois & Bocage")
    route = f"/organisations/{organisation['id']}/memberships"
    unknown_circle = platform.post(route, {"year": YEAR, "circle": "inner"})
    assert unknown_circle.status_code == 422
    membership = platform.post(route, {"year": YEAR, "circle": "core"}).json()
    assert (membership["status"], membership["dues_cents"]) == ("applied", 15_000)
    assert platform.post(route, {"year": YEAR, "circle": "ally"}).status_code == 409

    status = f"/memberships/{membership['id']}/status"
    forbidden = platform.post(status, {"status": "lapsed"})
    assert (forbidden.status_code, forbidden.json()["code"]) == (409, "membership_move_not_allowed")
    active = platform.post(status, {"status": "active", "reason": "Conseil du 12 mars"}).json()
    assert active["status"] == "active"
    assert [(m["from_status"], m["to_status"]) for m in active["moves"]] == [("applied", "active")]

    payments = f"/memberships/{membership['id']}/payments"
    payment = {"amount_cents": 10_000, "paid_on": f"{YEAR}-03-20", "method": "transfer"}
    first = platform.post(payments, payment, **{"Idempotency-Key": "dues-1"})
    replay = platform.post(payments, payment, **{"Idempotency-Key": "dues-1"})
    assert (first.status_code, replay.headers.get("Idempotent-Replayed")) == (201, "true")
    assert replay.json() == first.json()
    too_much = platform.post(payments, {**payment, "amount_cents": 6_000},
                             **{"Idempotency-Key": "dues-2"})
    assert too_much.status_code == 422
    platform.post(payments, {**payment, "amount_cents": 5_000}, **{"Idempotency-Key": "dues-3"})
    paid = platform.get(f"/memberships/{membership['id']}", as_="staff").json()
    assert paid["paid_cents"] == paid["dues_cents"] == 15_000

    renewal = platform.post("/memberships/renewals", {"year": YEAR}).json()
    assert renewal["year"] == YEAR + 1 and renewal["renewed"] >= 1
    again = platform.post("/memberships/renewals", {"year": YEAR}).json()
    assert again["renewed"] == 0
    years = platform.get(route, as_="staff").json()["items"]
    assert [(m["year"], m["status"]) for m in years] == [(YEAR, "active"), (YEAR + 1, "active")]


def test_a_person_can_see_and_erase_what_is_held_about_them(platform, cluster):
    email = f"camille-{uuid.uuid4().hex[:6]}@example.org"
    organisation = all_organisations(platform)[0]
    contact = platform.post(f"/organisations/{organisation['id']}/contacts", {
        "name": "Camille Martin", "email": email, "phone": "+33 4 74 00 00 00",
        "role": "Trésorière", "consent_to_contact": True})
    assert contact.status_code == 201, contact.text
    sign_up(platform, email, password="a long passphrase")
    assert platform.request("PUT", f"/organisations/{organisation['id']}/beneficiary", {
        "legal_name": organisation["name"], "address": "1 place du Marché, 01600 Trévoux",
        "purpose": "Jardins partagés", "receipt_eligible": True, **SIGNATORY},
        as_="staff").status_code == 200
    project = platform.post("/projects", {"title": "Jardin partagé", "summary": "…",
                                          "field": "citizen_economy", "commune": "Trévoux",
                                          "carrier_organisation_id": organisation["id"]})
    campaign = live_campaign(platform, project.json()["id"], title="Des outils",
                             goal_cents=100_000)
    token = platform.login(email, "a long passphrase")["access_token"]
    given = platform.request("POST", f"/campaigns/{campaign['id']}/contributions",
                             {"amount_cents": 2_000, "contributor_name": "Camille Martin",
                              "tax_receipt": legal_identity()},
                             headers={"Authorization": f"Bearer {token}",
                                      "Idempotency-Key": "privacy"})
    assert given.status_code == 201, given.text

    held = platform.get(f"/privacy/personal-data?email={email}", as_="operator").json()
    assert [a["display_name"] for a in held["personal_data"]["accounts"]] == ["Camille"]
    assert [c["phone"] for c in held["personal_data"]["contacts"]] == ["+33 4 74 00 00 00"]
    assert [c["id"] for c in held["contributions"]] == [given.json()["id"]]

    erased = platform.post("/privacy/erasures", {"email": email}, as_="operator").json()
    assert erased == {"accounts": 1, "contacts": 1}
    assert platform.get(f"/privacy/personal-data?email={email}", as_="operator").json() == {
        "personal_data": {"email": email, "accounts": [], "contacts": []},
        "contributions": [], "investor_profile": None, "questions": [], "mails": []}
    assert platform.post("/auth/login", {"email": email, "password": "a long passphrase"},
                         as_=None).status_code == 401
    contacts = platform.get(f"/organisations/{organisation['id']}/contacts", as_="staff").json()
    assert email not in json.dumps(contacts)
    # Funding learns of the erasure by event, and forgets the name on the contribution.
    wait_until(lambda: platform.query("funding", "SELECT contributor_name, receipt_donor "
                             "FROM contributions WHERE id = :id",
                             id=given.json()["id"]) == [(None, None)],
               message="funding to forget the contributor's name")


def test_invoices_are_listed_for_staff_and_for_each_organisations_admins_only(platform):
    """`GET /mutualisation/invoices`: staff read every organisation's, by organisation and
    month, page by page; a member admin reads its own organisation's, never another's."""
    service = platform.post("/mutualised-services", {
        "name": f"Paie {uuid.uuid4().hex[:6]}", "fte_carried": 0.5, "pricing": "monthly",
        "price_cents": 12_000}).json()
    mine, theirs = (platform.post("/organisations", {
        "name": f"{name} {uuid.uuid4().hex[:6]}", "legal_form": "association",
        "postal_code": "01330", "commune": "Villars-les-Dombes"}).json()["id"]
        for name in ("Atelier", "Voisins"))
    for organisation in (mine, theirs):
        assert platform.post(f"/organisations/{organisation}/subscriptions", {
            "service_id": service["id"], "starts_on": "2031-01-01"}).status_code == 201
    for month in (1, 2):
        assert platform.post("/mutualisation/invoices", {"year": 2031, "month": month},
                             **{"Idempotency-Key": uuid.uuid4().hex}).status_code == 200

    def listed(query, as_="staff"):
        answer = platform.get(f"/mutualisation/invoices?{query}", as_=as_)
        assert answer.status_code == 200, answer.text
        return answer.json()

    page = listed(f"organisation_id={mine}")
    assert [(i["organisation_id"], i["year"], i["month"], i["total_cents"])
            for i in page["items"]] == [(mine, 2031, 2, 12_000), (mine, 2031, 1, 12_000)]
    assert page["items"][0]["lines"][0]["service"] == service["name"]
    first = listed(f"organisation_id={mine}&limit=1")
    second = listed(f"organisation_id={mine}&limit=1&cursor={first['next_cursor']}")
    assert [i["month"] for i in first["items"] + second["items"]] == [2, 1]
    assert second["next_cursor"] is None
    january = listed("year=2031&month=1&limit=100")["items"]
    assert {mine, theirs} <= {i["organisation_id"] for i in january}
    assert {i["month"] for i in january} == {1}

    own = listed("limit=100", as_=("member_admin", mine))["items"]
    assert [(i["organisation_id"], i["month"]) for i in own] == [(mine, 2), (mine, 1)]
    assert [i["organisation_id"] for i in listed(
        f"organisation_id={theirs}", as_=("member_admin", theirs))["items"]] == [theirs] * 2
    other = platform.get(f"/mutualisation/invoices?organisation_id={theirs}",
                         as_=("member_admin", mine))
    assert other.status_code == 403
    assert other.headers["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "other_organisation"
    assert platform.get("/mutualisation/invoices", as_="citizen").status_code == 403
    assert platform.get("/mutualisation/invoices").status_code == 401
    no_year = platform.get("/mutualisation/invoices?month=1", as_="staff")
    assert no_year.status_code == 422
    assert no_year.headers["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in no_year.json()["errors"]] == ["year"]


def an_invoice(platform, price_cents, year):
    """A new organisation's invoice of January of `year`, for one monthly service."""
    service = platform.post("/mutualised-services", {
        "name": f"Accueil {uuid.uuid4().hex[:6]}", "fte_carried": 0.5, "pricing": "monthly",
        "price_cents": price_cents}).json()
    organisation = platform.post("/organisations", {
        "name": f"Payeuse {uuid.uuid4().hex[:6]}", "legal_form": "association",
        "postal_code": "01400", "commune": "Châtillon-sur-Chalaronne"}).json()["id"]
    assert platform.post(f"/organisations/{organisation}/subscriptions", {
        "service_id": service["id"], "starts_on": f"{year}-01-01",
        "ends_on": f"{year}-01-31"}).status_code == 201
    issued = platform.post("/mutualisation/invoices", {"year": year, "month": 1},
                           **{"Idempotency-Key": uuid.uuid4().hex}).json()["items"]
    return next(i for i in issued if i["organisation_id"] == organisation)


def listed_invoice(platform, invoice):
    page = platform.get(f"/mutualisation/invoices?organisation_id={invoice['organisation_id']}",
                        as_="staff").json()
    return next(i for i in page["items"] if i["id"] == invoice["id"])


def test_an_invoice_is_paid_in_parts_once_per_key_and_never_beyond_its_total(platform):
    invoice = an_invoice(platform, 30_000, 2024)
    assert (invoice["paid_cents"], invoice["left_cents"], invoice["status"]) == (0, 30_000,
                                                                                 "unpaid")
    payments = f"/mutualisation/invoices/{invoice['id']}/payments"
    payment = {"amount_cents": 10_000, "paid_on": "2024-02-05", "method": "cheque",
               "reference": "Chèque 1234"}
    first = platform.post(payments, payment, **{"Idempotency-Key": "invoice-pay-1"})
    replay = platform.post(payments, payment, **{"Idempotency-Key": "invoice-pay-1"})
    assert first.status_code == 201, first.text
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json() == first.json()
    assert (first.json()["invoice_id"], first.json()["amount_cents"]) == (invoice["id"], 10_000)
    listed = listed_invoice(platform, invoice)
    assert (listed["paid_cents"], listed["left_cents"], listed["status"]) == (
        10_000, 20_000, "partly_paid")

    too_much = platform.post(payments, {**payment, "amount_cents": 20_001},
                             **{"Idempotency-Key": "invoice-pay-2"})
    assert too_much.status_code == 409
    assert too_much.headers["Content-Type"] == "application/problem+json"
    assert too_much.json()["code"] == "invoice_overpaid"
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    future = platform.post(payments, {**payment, "paid_on": tomorrow},
                           **{"Idempotency-Key": "invoice-pay-3"})
    assert future.status_code == 422
    assert [e["field"] for e in future.json()["errors"]] == ["paid_on"]
    unknown_method = platform.post(payments, {**payment, "method": "bitcoin"},
                                   **{"Idempotency-Key": "invoice-pay-4"})
    assert unknown_method.status_code == 422
    assert platform.post(payments, payment, as_=("member_admin", invoice["organisation_id"]),
                         **{"Idempotency-Key": "invoice-pay-5"}).status_code == 403
    assert platform.post(f"/mutualisation/invoices/{uuid.uuid4()}/payments", payment,
                         **{"Idempotency-Key": "invoice-pay-6"}).status_code == 404

    rest = platform.post(payments, {**payment, "amount_cents": 20_000},
                         **{"Idempotency-Key": "invoice-pay-7"})
    assert rest.status_code == 201, rest.text
    listed = listed_invoice(platform, invoice)
    assert (listed["paid_cents"], listed["left_cents"], listed["status"]) == (30_000, 0, "paid")
    assert listed_invoice(platform, invoice) == next(i for i in platform.get(
        "/mutualisation/invoices?limit=100", as_=("member_admin", invoice["organisation_id"])
    ).json()["items"] if i["id"] == invoice["id"])

    def archived():
        return platform.query("reporting", "SELECT data FROM event_archive WHERE type = :t "
                              "AND data LIKE :invoice", t="members.invoice_paid",
                              invoice=f"%{invoice['id']}%")
    wait_until(lambda: len(archived()) == 2, timeout=15, message="two invoice_paid events")
    assert sorted(json.loads(data)["left_cents"] for (data,) in archived()) == [0, 20_000]


def test_twenty_concurrent_payments_never_pay_an_invoice_beyond_its_total(platform):
    invoice = an_invoice(platform, 25_000, 2025)
    payments = f"/mutualisation/invoices/{invoice['id']}/payments"
    start = threading.Barrier(20)

    def pay(n):
        start.wait()
        return platform.post(payments, {"amount_cents": 3_000, "paid_on": "2025-02-03",
                                        "method": "transfer"},
                             **{"Idempotency-Key": f"concurrent-{invoice['id']}-{n}"})
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(pay, range(20)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 8 + [409] * 12, [a.text for a in answers if a.status_code >= 500]
    listed = listed_invoice(platform, invoice)
    assert (listed["paid_cents"], listed["left_cents"]) == (24_000, 1_000)
    (recorded,), = platform.query("members", "SELECT sum(amount_cents) FROM invoice_payments "
                                  "WHERE invoice_id = :i", i=invoice["id"])
    assert recorded == 24_000
