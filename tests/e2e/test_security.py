"""Attacks on the running platform: forged, expired and foreign tokens (API and pages),
other people's ids, injection payloads in every text field, forged webhooks, password
guessing and oversized bodies. Each attack is refused and changes nothing; a control
shows that the same request, made rightly, would have worked.

What test_contract.py already proves is not repeated here: the role matrix of every
route, the refresh tokens' rotation, the per-email login limit through the API."""
import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import requests
import sqlalchemy as sa
from markupsafe import escape

from gateway.auth import AUDIENCE
from gateway.web.story import render_story
from shared.database import create_engine
from shared.signatures import SIGNATURE_HEADER, sign
from tests.support.accounts import sign_up
from tests.support.funding import (
    ALL_ACKNOWLEDGED,
    SHARES_SHEET,
    contribute,
    false_capture_claim,
    given,
    legal_identity,
    live_campaign,
    receipted_project,
    right_answers,
)
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

SESSION_COOKIE = "dombinnov_session"  # over plain HTTP, as here (security.cookie_name)
TOO_BIG = 1024 * 1024 + 1  # one byte over the gateway's MAX_CONTENT_LENGTH


# --- helpers ---------------------------------------------------------------------------

def a_citizen(platform, name="Camille Martin", verify=False):
    email = f"cible-{uuid.uuid4().hex[:10]}@example.org"
    session = sign_up(platform, email, name=name, verify=verify)
    return {"email": email, "id": session["account"]["id"], "token": session["access_token"],
            "refresh": session["refresh_token"],
            "headers": {"Authorization": f"Bearer {session['access_token']}"}}


def b64(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def hmac_token(header: dict, claims: dict, secret: str, digest=hashlib.sha256) -> str:
    """A token signed by hand, whatever its header says (PyJWT refuses some of these)."""
    signing_input = f"{b64(header)}.{b64(claims)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(signature)}"


def bad_tokens(good: str, secret: str) -> dict:
    """Tokens an attacker could bring, made from a real one: none must pass."""
    claims = jwt.decode(good, secret, algorithms=["HS256"], audience=AUDIENCE)
    for name in ("iat", "exp"):
        claims[name] = int(claims[name])
    header, payload, signature = good.split(".")
    promoted = {**claims, "roles": ["operator", "animator", "citizen"]}
    past = datetime.now(timezone.utc) - timedelta(seconds=5)
    return {
        "payload changed, signature kept": f"{header}.{b64(promoted)}.{signature}",
        "someone else's id, signature kept":
            f"{header}.{b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}",
        "expired": jwt.encode({**claims, "exp": past, "iat": past - timedelta(minutes=15)},
                              secret, algorithm="HS256"),
        "alg none": jwt.encode(promoted, None, algorithm="none"),
        "alg none, no dot": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(promoted)}",
        "HS512 with the secret": jwt.encode(claims, secret, algorithm="HS512"),
        "RS256 header, HMAC with the secret": hmac_token({"alg": "RS256", "typ": "JWT"},
                                                         claims, secret),
        "HS384 header, HMAC-SHA256": hmac_token({"alg": "HS384", "typ": "JWT"}, claims, secret),
        "another secret": jwt.encode(promoted, "another secret of at least thirty-two chars",
                                     algorithm="HS256"),
        "signature stripped": f"{header}.{payload}.",
        "another audience": jwt.encode({**claims, "aud": "another-api"}, secret,
                                       algorithm="HS256"),
        "another issuer": jwt.encode({**claims, "iss": "someone-else"}, secret,
                                     algorithm="HS256"),
        "no expiry": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, secret,
                                algorithm="HS256"),
        "a role that does not exist": jwt.encode({**claims, "roles": ["superuser"]}, secret,
                                                 algorithm="HS256"),
        "garbage": "eyJhbGciOiJIUzI1NiJ9.e30.x",
    }


def page_session(platform, token=None) -> requests.Session:
    """A browser: the page session cookie set to `token`, and the CSRF cookie and token
    that the sign-in page's form hands out."""
    browser = requests.Session()
    host = platform.base_url.split("//", 1)[1].split(":")[0]
    if token:
        browser.cookies.set(SESSION_COOKIE, token, domain=host, path="/")
    form = browser.get(platform.base_url + "/connexion", timeout=15)
    assert form.status_code == 200
    browser.csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return browser


def page(platform, browser, path, method="GET", **options):
    return browser.request(method, platform.base_url + path, timeout=15, allow_redirects=False,
                           **options)


def execute(platform, service, sql, **params):
    """A write in a service's own database (test setup and clean-up only)."""
    engine = create_engine(platform.database_urls[service])
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(sql), params)
    finally:
        engine.dispose()


def organisation(platform, name, **fields):
    answer = platform.post("/organisations", {"name": name, "legal_form": "association",
                                              "postal_code": "01330",
                                              "commune": "Villars-les-Dombes", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


# --- tokens ----------------------------------------------------------------------------

API_ROUTES = (("GET", "/me", None), ("GET", "/me/contributions", None),
              ("GET", "/organisations", None), ("GET", "/reports/members", None),
              ("GET", "/privacy/personal-data?email=a%40example.org", None),
              ("POST", "/organisations", {"name": "Jetons volés", "legal_form": "association",
                                          "postal_code": "01000", "commune": "Bourg"}))


def test_forged_expired_or_foreign_tokens_are_refused_by_the_api_and_the_pages(platform):
    secret = platform.processes.env["JWT_SECRET"]
    staff = platform.headers("staff")["Authorization"].split(" ", 1)[1]
    for method, path, body in API_ROUTES[:-1]:  # the control: the real token passes
        answer = platform.request(method, path, body, headers={"Authorization": f"Bearer {staff}"})
        assert answer.status_code == 200, (path, answer.text)

    for name, token in bad_tokens(staff, secret).items():
        for method, path, body in API_ROUTES:
            answer = platform.request(method, path, body,
                                      headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, (name, path, answer.text)
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.json()["code"] in ("invalid_token", "token_expired"), name
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert platform.query("members", "SELECT count(*) FROM organisations WHERE name = :n",
                          n="Jetons volés") == [(0,)]
    for header in (f"Basic {staff}", "Bearer", "Bearer  ", staff):
        answer = platform.request("GET", "/me", headers={"Authorization": header})
        assert answer.status_code == 401, header

    # The pages: a citizen with a contribution of their own, under a unique title.
    citizen = a_citizen(platform)
    title = f"Campagne privée {uuid.uuid4().hex[:6]}"
    campaign = live_campaign(platform, title=title)
    assert contribute(platform, campaign["id"], 2500,
                      headers=citizen["headers"]).status_code == 201
    mine = page(platform, page_session(platform, citizen["token"]), "/mes-contributions")
    assert mine.status_code == 200 and title in mine.text  # the control
    for name, token in bad_tokens(citizen["token"], secret).items():
        answer = page(platform, page_session(platform, token), "/mes-contributions")
        assert answer.status_code in (302, 303), name
        assert "/connexion" in answer.headers["Location"], name
        assert title not in answer.text and "25,00" not in answer.text, name
    # A Bearer header opens no page, and the page cookie opens no API route (so a forged
    # cross-site request can't ride on it).
    bearer_only = page(platform, page_session(platform), "/mes-contributions",
                       headers=citizen["headers"])
    assert bearer_only.status_code in (302, 303)
    cookie_only = page(platform, page_session(platform, citizen["token"]),
                       "/api/v1/me/contributions")
    assert (cookie_only.status_code, cookie_only.json()["code"]) == (
        401, "authentication_required")


def test_an_erased_person_can_neither_sign_in_nor_refresh(platform):
    person = a_citizen(platform, name="Dominique Effacée")
    erased = platform.post("/privacy/erasures", {"email": person["email"]})
    assert erased.status_code == 200 and erased.json()["accounts"] == 1, erased.text
    refreshed = platform.post("/auth/refresh", {"refresh_token": person["refresh"]}, as_=None)
    assert (refreshed.status_code, refreshed.json()["code"]) == (401, "invalid_refresh_token")
    for email in (person["email"], f"erased-{person['id']}@invalid.example"):
        login = platform.post("/auth/login", {"email": email, "password": PASSWORD}, as_=None)
        assert login.status_code == 401, email
    # Its access token is stateless and lives out its short life (ACCESS_TOKEN_SECONDS,
    # 15 minutes), but what it reads is the anonymised account, nothing of the person.
    me = platform.request("GET", "/me", headers=person["headers"])
    assert person["email"] not in me.text and "Dominique" not in me.text
    claims = jwt.decode(person["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 900


# --- other people's ids ---------------------------------------------------------------

def an_investor(platform):
    investor = a_citizen(platform, name="Alice Investisseuse", verify=True)
    assert platform.request("POST", "/investor/knowledge-test", {"answers": right_answers()},
                            headers=investor["headers"]).json()["passed"]
    assert platform.request("POST", "/investor/loss-simulation", {"net_worth_cents": 10_000_000},
                            headers=investor["headers"]).status_code == 200
    return investor


def test_a_citizen_cannot_read_withdraw_or_download_another_citizens_contribution(platform):
    alice = an_investor(platform)
    shares = live_campaign(platform, kind="shares", key_information=SHARES_SHEET,
                           goal_cents=50_000, cap_cents=100_000)
    invested = contribute(platform, shares["id"], 5000, headers=alice["headers"],
                          acknowledgements=ALL_ACKNOWLEDGED)
    assert invested.status_code == 201, invested.text
    investment = invested.json()
    receipts = live_campaign(platform, receipted_project(platform))
    gift = given(platform, receipts["id"], 4321, headers=alice["headers"],
                 contributor_name="Alice Martin", tax_receipt=legal_identity("Alice"))
    assert gift["receipt_number"]
    bob = a_citizen(platform, name="Bob")
    funder = platform.headers("funder")

    # Through the API: each of Alice's ids is, for Bob, a contribution that does not exist.
    for headers in (bob["headers"], funder):
        for contribution in (investment, gift):
            answer = platform.request("GET", f"/contributions/{contribution['id']}",
                                      headers=headers)
            assert (answer.status_code, answer.json()["code"]) == (404, "contribution_not_found")
        receipt = platform.request("GET", f"/contributions/{gift['id']}/receipt", headers=headers)
        assert receipt.status_code == 404 and not receipt.content.startswith(b"%PDF")
    withdrawn = platform.request("POST", f"/contributions/{investment['id']}/withdraw",
                                 headers=bob["headers"])
    assert (withdrawn.status_code, withdrawn.json()["code"]) == (404, "contribution_not_found")
    assert platform.request("GET", "/me/contributions",
                            headers=bob["headers"]).json()["items"] == []

    # Through the pages, with Bob's session and a valid CSRF token of his.
    bob_browser = page_session(platform, bob["token"])
    for path in (f"/contributions/{investment['id']}", f"/contributions/{gift['id']}"):
        answer = page(platform, bob_browser, path)
        assert answer.status_code == 404, path
        assert "Alice" not in answer.text and "43,21" not in answer.text
    receipt = page(platform, bob_browser, f"/mes-contributions/{gift['id']}/recu")
    assert receipt.status_code == 404 and not receipt.content.startswith(b"%PDF")
    renounced = page(platform, bob_browser, f"/mes-contributions/{investment['id']}/renoncer",
                     "POST", data={"csrf_token": bob_browser.csrf})
    assert renounced.status_code == 404, renounced.text
    mine = page(platform, bob_browser, "/mes-contributions")
    assert mine.status_code == 200 and "43,21" not in mine.text

    # Nothing changed: Alice's investment still runs, and her own requests work (the
    # control: the routes Bob was refused do act).
    still = platform.request("GET", f"/contributions/{investment['id']}", headers=alice["headers"])
    assert still.json()["status"] == "pending"
    assert platform.get(f"/campaigns/{shares['id']}").json()["committed_cents"] == 5000
    alice_browser = page_session(platform, alice["token"])
    own_receipt = page(platform, alice_browser, f"/mes-contributions/{gift['id']}/recu")
    assert own_receipt.status_code == 200 and own_receipt.content.startswith(b"%PDF")
    own_renounce = page(platform, alice_browser,
                        f"/mes-contributions/{investment['id']}/renoncer", "POST",
                        data={"csrf_token": alice_browser.csrf})
    assert own_renounce.status_code == 303
    assert platform.request("GET", f"/contributions/{investment['id']}",
                            headers=alice["headers"]).json()["status"] == "cancelled"


def test_a_member_admin_cannot_read_or_change_another_organisations_records(platform):
    ours, theirs = (organisation(platform, f"Asso {name} {uuid.uuid4().hex[:6]}")
                    for name in ("Nous", "Eux"))
    contact = {"name": "Claude Dupont", "email": "claude@example.org", "role": "Présidente",
               "consent_to_contact": True}
    assert platform.post(f"/organisations/{theirs['id']}/contacts", contact).status_code == 201
    their_project = platform.post("/projects", {
        "title": "Leur ressourcerie", "summary": "…", "field": "circular_economy",
        "commune": "Trévoux", "carrier_organisation_id": theirs["id"]}).json()
    milestone = platform.post(f"/projects/{their_project['id']}/milestones",
                              {"title": "Statuts", "due_on": "2027-01-01"}).json()
    file_before = platform.get(f"/projects/{their_project['id']}/file", as_="staff").json()
    contacts_before = platform.get(f"/organisations/{theirs['id']}/contacts", as_="staff").json()
    memberships_before = platform.get(f"/organisations/{theirs['id']}/memberships",
                                      as_="staff").json()
    admin = ("member_admin", ours["id"])

    for path in ("memberships", "dues-payments", "subscriptions", "contacts", "beneficiary"):
        assert platform.get(f"/organisations/{ours['id']}/{path}", as_=admin).status_code in (
            200, 404), path  # the control: its own records (404: no beneficiary yet)
        answer = platform.get(f"/organisations/{theirs['id']}/{path}", as_=admin)
        assert (answer.status_code, answer.json()["code"]) == (403, "other_organisation"), path
        assert "Claude" not in answer.text
    writes = ((f"/organisations/{theirs['id']}/contacts", {**contact, "name": "Intrus"}),
              (f"/organisations/{theirs['id']}/memberships", {"year": 2027, "circle": "core"}),
              (f"/projects/{their_project['id']}/partners", {"name": "Intrus", "circle": "ally"}),
              (f"/projects/{their_project['id']}/job-reports", {
                  "reported_on": "2026-01-01", "created_fte": 50, "consolidated_fte": 0}),
              (f"/projects/{their_project['id']}/milestones/{milestone['id']}/complete",
               {"completed_on": "2026-01-01"}))
    for path, body in writes:
        answer = platform.post(path, body, as_=admin)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["code"] in ("other_organisation", "not_your_project")
    assert platform.get(f"/projects/{their_project['id']}/file", as_="staff").json() == file_before
    assert platform.get(f"/organisations/{theirs['id']}/contacts",
                        as_="staff").json() == contacts_before
    assert platform.get(f"/organisations/{theirs['id']}/memberships",
                        as_="staff").json() == memberships_before


# --- injection -------------------------------------------------------------------------

PAYLOADS = ("Robert'); DROP TABLE projects; --", "' OR '1'='1", "{{7*7}}",
            "{% print 1 %} ${7*7} #{7*7}", "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>')


def hostile(label: str) -> str:
    """One text with every payload, after a label that makes it unique."""
    return f"{label} {uuid.uuid4().hex[:4]} " + " ".join(PAYLOADS)


def assert_shown_escaped(html: str, *texts):
    for text in texts:
        assert str(escape(text)) in html, text  # shown, as text, not run
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "{{7*7}}" in html and "${7*7}" in html


def test_injection_payloads_are_stored_verbatim_and_shown_as_text(platform):
    tables = {"members": "organisations", "projects": "projects", "funding": "campaigns"}
    counts = {service: platform.query(service, f"SELECT count(*) FROM {table}")[0][0]
              for service, table in tables.items()}
    name, commune = hostile("Asso"), hostile("Commune")[:120]
    text = {"street": hostile("Rue"), "sector": hostile("Secteur")[:120]}
    member = organisation(platform, name, commune=commune, **text)
    read = platform.get(f"/organisations/{member['id']}", as_="staff").json()
    assert (read["name"], read["commune"], read["street"], read["sector"]) == (
        name, commune, text["street"], text["sector"])

    project_text = {"title": hostile("Projet"), "summary": hostile("Résumé"),
                    "founders": hostile("Fondateurs"), "commune": hostile("Ville")[:120]}
    project = platform.post("/projects", {**project_text, "field": "citizen_economy"})
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    news = {"title": hostile("Nouvelle"), "body": hostile("Texte"), "visibility": "public"}
    partner = {"name": hostile("Partenaire"), "role": hostile("Rôle"), "circle": "ally",
               "formalisation": "agreement", "shown_publicly": True}
    for path, body in (("news", news), ("partners", partner)):
        answer = platform.post(f"/projects/{project_id}/{path}", body)
        assert answer.status_code == 201, answer.text
    file = platform.get(f"/projects/{project_id}/file", as_="staff").json()
    assert {key: file[key] for key in project_text} == project_text
    assert (file["news"][0]["title"], file["news"][0]["body"]) == (news["title"], news["body"])
    assert (file["partners"][0]["name"], file["partners"][0]["role"]) == (
        partner["name"], partner["role"])

    campaign_text = {"title": hostile("Campagne")[:200], "description": hostile("Description")}
    reward = {"title": hostile("Contrepartie")[:200], "description": hostile("Détail"),
              "min_amount_cents": 1000}
    campaign = live_campaign(platform, project_id, kind="reward", **campaign_text,
                             rewards=[reward])
    read = platform.get(f"/campaigns/{campaign['id']}").json()
    assert {key: read[key] for key in campaign_text} == campaign_text
    assert (read["rewards"][0]["title"], read["rewards"][0]["description"]) == (
        reward["title"], reward["description"])
    contributor = hostile("Donateur")[:200]
    gift = given(platform, campaign["id"], 1500, contributor_name=contributor)
    assert gift["contributor_name"] == contributor

    # The pages show each text as text: escaped, never evaluated.
    html = platform.http.get(f"{platform.base_url}/campagnes/{campaign['id']}", timeout=15).text
    assert_shown_escaped(html, campaign_text["title"], reward["title"], contributor,
                         project_text["summary"])
    # The story is Markdown, its HTML disabled: its payloads are text of its paragraph.
    assert str(render_story(campaign_text["description"])) in html
    html = platform.http.get(f"{platform.base_url}/projets/{project_id}", timeout=15).text
    assert_shown_escaped(html, project_text["title"], project_text["summary"], news["title"],
                         news["body"], partner["name"])

    # Filters take the payloads as values to match, not as SQL.
    for path in ("/projects?commune=", "/campaigns?commune=", "/organisations?commune="):
        for payload in ("' OR '1'='1", "x' OR 1=1 --", "%"):
            answer = platform.get(path + requests.utils.quote(payload), as_="staff")
            assert answer.status_code == 200 and answer.json()["items"] == [], (path, payload)
    found = platform.get("/projects?commune=" + requests.utils.quote(project_text["commune"]))
    assert [item["id"] for item in found.json()["items"]] == [project_id]

    # Every table is still there, with one more row.
    for service, table in tables.items():
        assert platform.query(service, f"SELECT count(*) FROM {table}")[0][0] > counts[service]


def test_the_organisations_export_writes_a_formula_as_text(platform):
    formula = f'=HYPERLINK("https://evil.example/{uuid.uuid4().hex[:6]}","Cliquez")'
    organisation(platform, formula, commune="@SOMME(1+1)")
    text = platform.get("/organisations/export", as_="staff").content.decode("utf-8-sig")
    row = next(line for line in text.splitlines() if "evil.example" in line)
    assert row.startswith("\"'=HYPERLINK(") and ";'@SOMME(1+1);" in row


def test_what_a_page_echoes_from_its_address_is_escaped(platform):
    payload = '"><script>alert(1)</script>{{7*7}}'
    quoted = requests.utils.quote(payload)
    for path in (f"/connexion?suivant=/x{quoted}", f"/inscription?suivant=/x{quoted}",
                 f"/campagnes?commune={quoted}", f"/connexion?session={quoted}"):
        answer = platform.http.get(platform.base_url + path, timeout=15)
        assert answer.status_code in (200, 422), path
        assert "<script>alert(1)</script>" not in answer.text, path
        assert '"><script' not in answer.text, path
        if "suivant" in path:  # echoed into the form, as text
            assert str(escape("/x" + payload)) in answer.text, path


# --- webhooks -------------------------------------------------------------------------

def post_webhook(platform, body: bytes, header=None):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[SIGNATURE_HEADER] = header
    return platform.http.post(platform.api + "/payments/webhook", data=body, headers=headers,
                              timeout=15)


def test_a_forged_late_or_unsigned_webhook_is_refused_and_changes_nothing(platform):
    campaign, contribution, payment, event = false_capture_claim(platform, 3300)
    body = json.dumps(event).encode()
    secret, now = platform.paysim.webhook_secret, int(time.time())
    good = sign(secret, body, now)
    richer = json.dumps({**event, "data": {**event["data"], "amount": 1}}).encode()
    attempts = {
        "another secret": (body, sign("whsec_forged", body, now)),
        "replayed an hour later": (body, sign(secret, body, now - 3600)),
        "dated an hour ahead": (body, sign(secret, body, now + 3600)),
        "body changed after signing": (richer, good),
        "signature of another timestamp": (body, good.replace(f"t={now}", f"t={now - 1}")),
        "no v1": (body, f"t={now}"),
        "no timestamp": (body, good.split(",", 1)[1]),
        "timestamp not a number": (body, good.replace(f"t={now}", "t=maintenant")),
        "v0 scheme only": (body, good.replace("v1=", "v0=")),
        "empty header": (body, ""),
        "no header": (body, None),
    }
    for name, (sent, header) in attempts.items():
        answer = post_webhook(platform, sent, header)
        assert (answer.status_code, answer.json()["code"]) == (400, "bad_signature"), name
    big = post_webhook(platform, b" " * TOO_BIG, good)
    assert (big.status_code, big.json()["code"]) == (413, "payload_too_large")

    assert platform.query("funding", "SELECT count(*) FROM provider_events WHERE payment_id = :p",
                          p=payment["id"]) == [(0,)]
    state = platform.get(f"/contributions/{contribution['id']}", as_="staff").json()
    assert state["status"] == "pending"
    assert platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"] == 0
    # The control: the same event, signed with the secret and now, is received; it is
    # only a hint, and the provider still holds the payment pending, so nothing moves.
    taken = post_webhook(platform, body, good)
    assert (taken.status_code, taken.json()) == (200, {"received": True, "applied": False}), \
        taken.text
    assert platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"] == 0
    # Once the payer pays, the provider's word moves it.
    assert platform.paysim.pay(payment["id"]).status_code == 303
    wait_until(lambda: platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"]
               == 3300, timeout=15, message="the payment applied")


# --- password guessing and big bodies --------------------------------------------------

def test_guessing_a_password_on_the_sign_in_page_is_stopped_in_french(platform):
    victim = a_citizen(platform)
    browser = page_session(platform)
    for _ in range(5):
        wrong = page(platform, browser, "/connexion", "POST", data={
            "csrf_token": browser.csrf, "email": victim["email"], "password": "devinette"})
        assert wrong.status_code == 401 and "Adresse ou mot de passe incorrect" in wrong.text
    limited = page(platform, browser, "/connexion", "POST", data={
        "csrf_token": browser.csrf, "email": victim["email"], "password": PASSWORD})
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60
    assert "Trop de tentatives : réessayez dans 15 minutes." in limited.text
    assert SESSION_COOKIE not in limited.cookies
    # One counter for the page and the API.
    api = platform.post("/auth/login", {"email": victim["email"], "password": PASSWORD}, as_=None)
    assert (api.status_code, api.json()["code"]) == (429, "too_many_login_attempts")


def test_guessing_across_many_accounts_is_slowed_per_client_whatever_it_claims(platform):
    """Failures from one address, whichever emails they try, slow that address's wrong
    guesses down (429, a Retry-After doubling up to its cap) without ever refusing a
    correct password from it: an office or a school signs in from one address. An
    X-Forwarded-For header does not make it another client; each account's own limit
    still holds."""
    execute(platform, "members", "DELETE FROM login_failures")
    colleague, victim = a_citizen(platform, "Lou Colin"), a_citizen(platform)
    try:
        def guess(email, password="devinette", index=0):
            spoofed = {"X-Forwarded-For": f"203.0.113.{index}", "X-Real-IP": f"198.51.100.{index}"}
            return platform.post("/auth/login", {"email": email, "password": password},
                                 as_=None, **spoofed)

        for index in range(20):  # the first failures of an address cost it nothing
            assert guess(f"essai-{index}@example.org", index=index).status_code == 401, index
        waits = []
        for index in range(20, 32):
            slowed = guess(f"essai-{index}@example.org", index=index)
            assert (slowed.status_code, slowed.json()["code"]) == (
                429, "too_many_login_attempts"), slowed.text
            waits.append(int(slowed.headers["Retry-After"]))
        assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
        [(counted,)] = platform.query("members", "SELECT failures FROM login_failures "
                                                 "WHERE key LIKE 'client:%'")
        assert counted == 30  # counted up to the cap, no further

        # A colleague behind the same address signs in at once, spoofed headers or not.
        signed_in = guess(colleague["email"], PASSWORD, index=99)
        assert signed_in.status_code == 200, signed_in.text
        assert platform.login(colleague["email"])["account"]["id"] == colleague["id"]
        # Each account's own limit still holds: five failures lock it, even for the
        # right password, whichever address tries.
        for _ in range(5):
            assert guess(victim["email"]).status_code == 429
        locked = guess(victim["email"], PASSWORD)
        assert (locked.status_code, locked.json()["code"]) == (429, "too_many_login_attempts")
        assert "account" in locked.json()["title"]
        assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    finally:
        # The module's other tests sign in from this same address.
        execute(platform, "members", "DELETE FROM login_failures")
    assert platform.login(victim["email"])["account"]["id"] == victim["id"]


def test_oversized_headers_and_request_lines_are_refused_as_problems(platform):
    """gunicorn refuses them before the application: its answer is a problem too, as
    the document declares, and the gateway keeps serving."""
    login = platform.api + "/auth/login"
    header = platform.http.post(login, json={}, timeout=15, headers={"X-Padding": "a" * 9000})
    line = platform.http.get(platform.api + "/campaigns?q=" + "a" * 9000, timeout=15)
    many = platform.http.post(login, json={}, timeout=15,
                              headers={f"X-Padding-{index}": "a" for index in range(120)})
    for answer, status, code in ((header, 431, "request_header_fields_too_large"),
                                 (line, 414, "uri_too_long"),
                                 (many, 431, "request_header_fields_too_large")):
        assert answer.status_code == status, answer.text
        assert answer.headers["Content-Type"] == "application/problem+json", answer.text
        problem = answer.json()
        assert (problem["status"], problem["code"]) == (status, code)
        assert problem["title"] and problem["correlation_id"]
        declared = platform.http.get(platform.api + "/openapi.json").json()
        assert declared["paths"]["/api/v1/auth/login"]["post"]["responses"][str(status)][
            "content"] == {"application/problem+json": {"schema": {
                "$ref": "#/components/schemas/Problem"}}}
    assert platform.http.get(platform.base_url + "/readyz", timeout=15).status_code == 200


def test_oversized_bodies_are_refused_everywhere_and_the_gateway_keeps_serving(platform):
    browser = page_session(platform)
    form = page(platform, browser, "/connexion", "POST", data={
        "csrf_token": browser.csrf, "email": "a@example.org", "password": "x" * TOO_BIG})
    assert form.status_code == 413 and form.headers["Content-Type"].startswith("text/html")
    for path, content_type in (("/organisations/import", "text/csv"),
                               ("/auth/signup", "application/json"),
                               ("/campaigns", "application/json")):
        answer = platform.request("POST", path, as_="staff", data=b"a" * TOO_BIG,
                                  headers={"Content-Type": content_type})
        assert (answer.status_code, answer.json()["code"]) == (413, "payload_too_large"), path
    form = platform.request("POST", "/organisations/import", as_="staff",
                            files={"file": ("big.csv", b"a" * TOO_BIG, "text/csv")})
    assert (form.status_code, form.json()["code"]) == (413, "payload_too_large")
    assert platform.http.get(platform.base_url + "/readyz", timeout=15).status_code == 200
