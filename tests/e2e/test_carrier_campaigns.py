"""Carriers draft their own campaigns, through the gateway over HTTP: a member admin of
the organisation carrying a project drafts, edits by version, illustrates and submits
its campaign (a gift, rewards, a loan or shares with their key information sheet); an
animator approves it or sends it back; nobody else touches it."""
import hashlib
import io

import pytest
from PIL import Image

from tests.support.funding import LOAN_SHEET, SHARES_SHEET, in_a_month

STORY = "## Notre projet\n\nUn **camion frigorifique** pour les invendus.\n\n- collecte\n- tri"


def ok(answer, status=(200, 201)):
    assert answer.status_code in status, answer.text
    return answer.json()


def refused(answer, status, code):
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["code"] == code, answer.text
    return answer.json()


def picture(size=(1600, 900), fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 110, 80)).save(out, fmt)
    return out.getvalue()


@pytest.fixture(scope="module")
def world(platform):
    carrier, other = (ok(platform.post("/organisations", {
        "name": name, "legal_form": "association", "postal_code": "01400",
        "commune": "Châtillon-sur-Chalaronne"}))["id"] for name in ("Porteuse", "Voisine"))
    project = ok(platform.post("/projects", {
        "title": "Épicerie solidaire", "summary": "Des produits locaux pour tous.",
        "field": "proximity_economy", "commune": "Châtillon-sur-Chalaronne",
        "carrier_organisation_id": carrier}))["id"]
    return {"project": project, "carrier": platform.headers(("member_admin", carrier)),
            "other": platform.headers(("member_admin", other)),
            "citizen": platform.headers("citizen"), "staff": platform.headers("staff")}


def draft(platform, world, who="carrier", **fields):
    return platform.request("POST", "/campaigns", {
        "project_id": world["project"], "title": "Un camion frigo", "goal_cents": 800_000,
        "optimum_cents": 1_200_000, "deadline": in_a_month(), "description": STORY,
        "kind": "reward", "video_url": "https://video.example.org/camion",
        "rewards": [{"title": "Un panier", "min_amount_cents": 2_500, "stock": 40,
                     "handover": "pick_up"}], **fields}, headers=world[who])


def patch(platform, world, campaign_id, body, who="carrier"):
    return platform.request("PATCH", f"/campaigns/{campaign_id}", body, headers=world[who])


def test_a_carrier_admin_drafts_edits_by_version_and_submits_its_campaign(platform, world):
    made = ok(draft(platform, world))
    assert (made["status"], made["version"], made["optimum_cents"]) == ("draft", 1, 1_200_000)
    assert made["rewards"][0]["handover"] == "pick_up" and made["description"] == STORY
    assert made["video_url"] == "https://video.example.org/camion"

    edited = ok(patch(platform, world, made["id"], {"version": 1, "goal_cents": 900_000,
                                                    "title": "Un camion frigorifique"}))
    assert (edited["version"], edited["goal_cents"], edited["title"]) == \
        (2, 900_000, "Un camion frigorifique")
    assert edited["optimum_cents"] == 1_200_000 and edited["rewards"] == made["rewards"]

    stale = refused(patch(platform, world, made["id"], {"version": 1, "goal_cents": 1}),
                    409, "version_conflict")
    assert stale["current_version"] == 2
    refused(patch(platform, world, made["id"], {"goal_cents": 700_000}), 422,
            "validation_failed")  # no version: it could overwrite someone else's edit
    tied = refused(patch(platform, world, made["id"], {"version": 2, "optimum_cents": 850_000}),
                   422, "validation_failed")
    assert [error["field"] for error in tied["errors"]] == ["optimum_cents"]

    submitted = ok(platform.request("POST", f"/campaigns/{made['id']}/submit", headers=world["carrier"]))
    assert (submitted["status"], submitted["version"]) == ("in_review", 3)
    refused(patch(platform, world, made["id"], {"version": 3, "goal_cents": 700_000}), 409,
            "campaign_not_editable")


def test_only_the_carrier_and_staff_draft_and_the_animator_reviews(platform, world):
    refused(draft(platform, world, "other"), 403, "other_organisation")
    refused(draft(platform, world, "citizen"), 403, "forbidden")
    refused(draft(platform, world, matchfunding={
        "funder": "Région", "per_contribution_cap_cents": 1_000,
        "per_contributor_cap_cents": 1_000, "total_cap_cents": 100_000}), 422,
        "validation_failed")
    made = ok(draft(platform, world))
    # A draft of another organisation does not exist for its admin.
    refused(patch(platform, world, made["id"], {"version": 1, "title": "À moi"}, "other"),
            404, "campaign_not_found")
    refused(platform.request("POST", f"/campaigns/{made['id']}/submit", headers=world["other"]), 404,
            "campaign_not_found")

    ok(platform.request("POST", f"/campaigns/{made['id']}/submit", headers=world["carrier"]))
    refused(platform.request("POST", f"/campaigns/{made['id']}/approve", headers=world["carrier"]), 403,
            "forbidden")
    sent_back = ok(platform.post(f"/campaigns/{made['id']}/send-back",
                                 {"note": "Précisez le lieu de retrait."}, as_="staff"))
    assert (sent_back["status"], sent_back["review_note"]) == \
        ("sent_back", "Précisez le lieu de retrait.")
    again = ok(patch(platform, world, made["id"], {
        "version": sent_back["version"], "description": STORY + "\n\nRetrait à la ferme."}))
    ok(platform.request("POST", f"/campaigns/{made['id']}/submit", headers=world["carrier"]))
    live = ok(platform.post(f"/campaigns/{made['id']}/approve", as_="staff"))
    assert live["status"] == "live" and live["version"] == again["version"] + 2
    # Published, it is everyone's to read and nobody's to change.
    refused(patch(platform, world, made["id"], {"version": live["version"], "title": "Autre"},
                  "other"), 403, "other_organisation")
    refused(patch(platform, world, made["id"], {"version": live["version"], "title": "Autre"}),
            409, "campaign_not_editable")


def test_a_carrier_admin_drafts_a_loan_with_its_sheet_and_the_animator_publishes_it(
        platform, world):
    # A sheet is required and checked, field by field, as for staff.
    bare = refused(draft(platform, world, kind="loan", rewards=[]), 422, "validation_failed")
    assert "key_information.annual_interest_rate_bps" in \
        {error["field"] for error in bare["errors"]}
    wrong = refused(draft(platform, world, kind="loan", rewards=[], key_information={
        **LOAN_SHEET, "duration_months": 0, "issuer_siren": "123"}), 422, "validation_failed")
    assert {error["field"] for error in wrong["errors"]} == {
        "key_information.duration_months", "key_information.issuer_siren"}
    made = ok(draft(platform, world, kind="loan", rewards=[], key_information=LOAN_SHEET))
    assert (made["status"], made["kind"]) == ("draft", "loan")
    assert made["key_information"]["annual_interest_rate_bps"] == 300

    # Changed by version while a draft; a sheet of another kind is refused.
    edited = ok(patch(platform, world, made["id"], {"version": 1, "key_information": {
        **LOAN_SHEET, "annual_interest_rate_bps": 250}}))
    assert edited["key_information"]["annual_interest_rate_bps"] == 250
    mixed = refused(patch(platform, world, made["id"], {"version": 2, "key_information": {
        **LOAN_SHEET, "share_price_cents": 5_000}}), 422, "validation_failed")
    assert [error["field"] for error in mixed["errors"]] == [
        "key_information.share_price_cents"]

    # Submitted, the animator still decides: the carrier cannot publish it.
    ok(platform.request("POST", f"/campaigns/{made['id']}/submit", headers=world["carrier"]))
    refused(platform.request("POST", f"/campaigns/{made['id']}/approve",
                             headers=world["carrier"]), 403, "forbidden")
    refused(platform.get(f"/campaigns/{made['id']}/key-information"), 404,
            "campaign_not_found")  # nobody else reads it before its publication
    live = ok(platform.post(f"/campaigns/{made['id']}/approve", as_="staff"))
    assert live["status"] == "live"
    sheet = ok(platform.get(f"/campaigns/{made['id']}/key-information"))["sheet"]
    assert (sheet["annual_interest_rate_bps"], sheet["duration_months"]) == (250, 60)
    page = platform.http.get(f"{platform.base_url}/campagnes/{made['id']}", timeout=15)
    assert page.status_code == 200 and "Qui détient l'argent" in page.text

    shares = ok(draft(platform, world, kind="shares", rewards=[], people_goal=20,
                      key_information=SHARES_SHEET))
    assert shares["key_information"]["share_price_cents"] == 5_000


def test_a_carrier_chooses_the_model_and_a_goal_in_new_members_and_changes_them(
        platform, world):
    made = ok(draft(platform, world, kind="shares", rewards=[], model="all_or_nothing",
                    people_goal=30, key_information=SHARES_SHEET))
    assert (made["model"], made["people_goal"]) == ("all_or_nothing", 30)
    edited = ok(patch(platform, world, made["id"], {"version": 1, "model": "keep_it_all",
                                                    "people_goal": 25}))
    assert (edited["model"], edited["people_goal"], edited["version"]) == \
        ("keep_it_all", 25, 2)
    refused(patch(platform, world, made["id"], {"version": 2, "model": "half"}), 422,
            "validation_failed")
    gift = refused(draft(platform, world, people_goal=30), 422, "validation_failed")
    assert [error["field"] for error in gift["errors"]] == ["people_goal"]


def test_the_issuers_siren_is_kept_as_its_nine_digits_and_a_wrong_one_refused(
        platform, world):
    made = ok(draft(platform, world, kind="loan", rewards=[], key_information={
        **LOAN_SHEET, "issuer_siren": "732 829 320"}))
    assert made["key_information"]["issuer_siren"] == "732829320"
    wrong = refused(patch(platform, world, made["id"], {"version": 1, "key_information": {
        **LOAN_SHEET, "issuer_siren": "732 829 321"}}), 422, "validation_failed")
    [error] = wrong["errors"]
    assert error["field"] == "key_information.issuer_siren"
    assert "Luhn" in error["messages"][0]
    edited = ok(patch(platform, world, made["id"], {"version": 1, "key_information": {
        **LOAN_SHEET, "issuer_siren": "  552 100 554 "}}))
    assert edited["key_information"]["issuer_siren"] == "552100554"
    ok(platform.request("POST", f"/campaigns/{made['id']}/submit", headers=world["carrier"]))
    ok(platform.post(f"/campaigns/{made['id']}/approve", as_="staff"))
    offered = ok(platform.get(f"/campaigns/{made['id']}/key-information"))["sheet"]
    assert offered["issuer_siren"] == "552100554"


def test_a_cover_picture_is_checked_resized_and_served_for_ever(platform, world):
    made = ok(draft(platform, world))
    path = f"/campaigns/{made['id']}/cover-image"
    answer = platform.request("PUT", path, headers={**world["carrier"],
                                                   "Content-Type": "image/png"},
                              data=picture())
    covered = ok(answer)
    cover = covered["cover_image"]
    assert (cover["width"], cover["height"], covered["version"]) == (1200, 675, 2)
    served = platform.http.get(platform.base_url + cover["url"], timeout=15)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/webp"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["ETag"] == f'"{cover["id"]}"'
    assert hashlib.sha256(served.content).hexdigest() == cover["id"]
    again = platform.http.get(platform.base_url + cover["url"], timeout=15,
                              headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""

    # The same through a browser's form, as a JPEG.
    form = platform.request("PUT", path, headers=world["carrier"], files={
        "file": ("photo.jpg", picture((800, 600), "JPEG"), "image/jpeg")})
    assert ok(form)["cover_image"]["width"] == 800

    refused(platform.request("PUT", path, headers={**world["carrier"],
                                                  "Content-Type": "image/png"},
                             data=b"\x89PNG" + b"\0" * (5 * 1024 * 1024)), 413,
            "payload_too_large")
    refused(platform.request("PUT", path, headers={**world["carrier"],
                                                  "Content-Type": "image/gif"},
                             data=b"GIF89a..."), 415, "unsupported_media_type")
    refused(platform.request("PUT", path, headers=world["carrier"], files={
        "file": ("dessin.svg", b"<svg/>", "image/svg+xml")}), 415, "unsupported_media_type")
    bad = refused(platform.request("PUT", path, headers={**world["carrier"],
                                                        "Content-Type": "image/jpeg"},
                                   data=b"\xff\xd8 not really a jpeg"), 422,
                  "validation_failed")
    assert bad["errors"][0]["field"] == "file"
    refused(platform.request("PUT", path, headers={**world["other"],
                                                  "Content-Type": "image/png"},
                             data=picture()), 404, "campaign_not_found")
    missing = platform.http.get(platform.base_url + "/api/v1/campaign-images/" + "0" * 64,
                                timeout=15)
    assert missing.status_code == 404


def test_the_document_describes_the_edit_and_the_picture(platform):
    document = platform.get("/openapi.json").json()
    edit = document["paths"]["/api/v1/campaigns/{campaign_id}"]["patch"]
    assert {"200", "403", "404", "409", "422"} <= set(edit["responses"])
    body = edit["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/EditCampaignBody")
    cover = document["paths"]["/api/v1/campaigns/{campaign_id}/cover-image"]["put"]
    assert set(cover["requestBody"]["content"]) == {"image/jpeg", "image/png", "image/webp",
                                                    "multipart/form-data"}
    assert "413" in cover["responses"] and "415" in cover["responses"]
