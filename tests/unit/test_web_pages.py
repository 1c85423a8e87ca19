"""The pages' security and error handling, with the gateway's Flask app and the services
replaced by a fake `call` (the browser tests run them against the real platform):
CSRF on every form, the session cookie, where sign-in leads, who reads the dashboard,
and French pages when something fails."""
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from nameko.exceptions import RpcTimeout

from gateway import funding_routes
from gateway.app import create_app
from gateway.web import (
    account,
    campaign_page,
    contributions,
    dashboard,
    public,
    security,
)
from shared.config import Settings
from shared.errors import (
    INVALID,
    NOT_FOUND,
    TOO_MANY_REQUESTS,
    UNAUTHENTICATED,
    UNAVAILABLE,
    DomainError,
)
from tests.support.web_client import form_token, summary_links_missing

FUNDER = {"id": "a1", "roles": ["funder"], "organisation_id": None}
CITIZEN = {"id": "a2", "roles": ["citizen"], "organisation_id": None}
EMPTY_REPORTS = {
    "members": {"items": [], "totals": {}}, "members-breakdown": {"items": []},
    "incubation": {"items": [], "totals": {"enterprises_total": 0,
                                           "jobs_consolidated_fte_total": 0,
                                           "jobs_created_fte_total": 0}},
    "funding": {"items": [], "totals": {"net_raised_cents": 0, "net_matched_cents": 0}},
    "resources": {"items": [], "totals": {"monetary_total_cents": 0,
                                          "volunteering_cents": 0}},
}


WITHDRAWN = "5b0c3f0e-8d7e-4a4f-9d8e-1d6f3c7a2b10"


class Services:
    """Answers the pages' calls as the services would, and remembers them."""

    def __init__(self):
        self.calls, self.accounts, self.failure = [], {"funder@x.org": FUNDER,
                                                      "citizen@x.org": CITIZEN}, None
        self.revoked, self.refreshes_citizen = set(), False
        self.contribution = {  # an investment in its reflection period
            "id": WITHDRAWN, "campaign_id": "7d2f0c1e-1111-4c2e-8e3a-1d2c3b4a5f60",
            "amount_cents": 50000, "matched_cents": 0, "status": "authorized",
            "channel": "online", "created_at": datetime.now(timezone.utc).isoformat(),
            "reflection_ends_at": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat(),
            "cancel_reason": None, "receipt_number": None}

    def __call__(self, service, method, *args):
        self.calls.append((service, method, args))
        if self.failure:
            raise self.failure
        if method == "authenticate":
            account = self.accounts.get(args[0]["email"])
            if account is None or args[0]["password"] != "secret":
                raise DomainError(UNAUTHENTICATED, "invalid_credentials", "No.")
            return {"account": account, "refresh_token": "refresh-1"}
        if method == "revoke":
            self.revoked.add(args[1]["refresh_token"])
            return {"revoked": True}
        if method == "refresh":
            # Rotation, as members does it: refresh-N gives refresh-(N+1), once.
            token = args[0]["refresh_token"]
            if token in self.revoked or not token.startswith("refresh-"):
                raise DomainError(UNAUTHENTICATED, "invalid_refresh_token", "No.")
            self.revoked.add(token)
            account = self.accounts["citizen@x.org" if self.refreshes_citizen else
                                    "funder@x.org"]
            return {"account": account, "refresh_token": f"refresh-{int(token[8:]) + 1}"}
        if method == "withdraw":
            return {"status": "withdrawn"}
        if method == "get_contribution":
            return self.contribution
        if method == "get_campaign":
            return {"id": self.contribution["campaign_id"], "kind": "loan",
                    "title": "Prêt à l'épicerie"}
        if method == "dashboard":
            return {table.replace("-", "_"): answer for table, answer in EMPTY_REPORTS.items()}
        if method == "get_summary":
            return {"organisations": 1, "projects": 2, "campaigns": 0, "contributions": 0,
                    "amount_raised_cents": 0}
        if method == "list_campaigns":
            return {"items": [], "next_cursor": None}
        if method == "list_my_contributions":  # newest first when asked, more after them
            assert args[1]["sort"] == "recent"
            return {"items": [{**self.contribution, "id": f"c{day}", "amount_cents": cents,
                               "created_at": f"2026-11-{day}T10:00:00+00:00"}
                              for day, cents in ((20, 3000), (12, 1000))],
                    "next_cursor": "more"}
        raise AssertionError(f"unexpected call {service}.{method}")


@pytest.fixture
def services(monkeypatch):
    fake = Services()
    for module in (account, contributions, dashboard, public, security):
        monkeypatch.setattr(module, "call", fake)
    return fake


def sign_in(client, email="funder@x.org", password="secret", **extra):
    return client.post("/connexion", data={"email": email, "password": password,
                                           "csrf_token": form_token(client), **extra})


def test_a_form_without_our_token_is_refused_in_french(client, services):
    answer = client.post("/connexion", data={"email": "funder@x.org", "password": "secret"})
    assert answer.status_code == 400
    assert "Ce formulaire a expiré" in answer.get_data(as_text=True)
    assert services.calls == []  # refused before the password is checked


def test_a_token_is_bound_to_its_browser_and_cannot_be_forged(app, client, services):
    token = form_token(client)
    other = app.test_client()
    other.get("/connexion")  # another browser, with its own CSRF cookie
    stolen = other.post("/connexion", data={"email": "funder@x.org", "password": "secret",
                                            "csrf_token": token})
    forged = client.post("/connexion", data={"email": "funder@x.org", "password": "secret",
                                             "csrf_token": token[:-2] + "xx"})
    assert (stolen.status_code, forged.status_code) == (400, 400)


def set_cookies(answer) -> dict:
    return {value.split("=", 1)[0]: value for value in answer.headers.getlist("Set-Cookie")}


def test_signing_in_sets_strict_cookies_for_the_token_and_the_sealed_refresh_token(client,
                                                                                   services):
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/tableau-de-bord"
    cookies = set_cookies(answer)
    session, refresh = cookies["dombinnov_session"], cookies["dombinnov_refresh"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Max-Age=900" in session
    # Not remembered: the refresh cookie ends with the browser; its token is sealed.
    assert "HttpOnly" in refresh and "SameSite=Lax" in refresh and "Max-Age" not in refresh
    assert "refresh-1" not in refresh
    assert not services.revoked  # the page session lives on the refresh token
    assert client.get("/tableau-de-bord").status_code == 200


def test_remember_me_keeps_the_session_thirty_days(client, services):
    cookies = set_cookies(sign_in(client, remember="on"))
    assert "Max-Age=2592000" in cookies["dombinnov_refresh"]


def expire_access_token(app, client, account=FUNDER):
    tokens = app.extensions["tokens"]
    ttl, tokens.ttl_seconds = tokens.ttl_seconds, -10  # a token that expired 10 s ago
    try:
        client.set_cookie("dombinnov_session", tokens.issue(account))
    finally:
        tokens.ttl_seconds = ttl


def test_an_active_reader_s_session_is_renewed_from_the_refresh_token(app, client,
                                                                      services):
    sign_in(client)
    expire_access_token(app, client)
    answer = client.get("/tableau-de-bord")
    assert answer.status_code == 200
    assert ("members", "refresh", ({"refresh_token": "refresh-1"},)) in services.calls
    cookies = set_cookies(answer)
    assert "Max-Age=900" in cookies["dombinnov_session"]
    assert "Max-Age" not in cookies["dombinnov_refresh"]  # still not remembered
    # The rotated token is the one kept: the next renewal trades refresh-2.
    expire_access_token(app, client)
    assert client.get("/tableau-de-bord").status_code == 200
    assert ("members", "refresh", ({"refresh_token": "refresh-2"},)) in services.calls
    assert client.get("/tableau-de-bord").status_code == 200
    assert [call for call in services.calls if call[1] == "refresh"] == [
        ("members", "refresh", ({"refresh_token": "refresh-1"},)),
        ("members", "refresh", ({"refresh_token": "refresh-2"},))]


def test_a_refresh_token_members_refuses_ends_the_session(app, client, services):
    sign_in(client)
    services.revoked.add("refresh-1")  # the password was changed elsewhere, say
    expire_access_token(app, client)
    answer = client.get("/tableau-de-bord")
    assert "session=expiree" in answer.headers["Location"]
    cleared = set_cookies(answer)
    assert cleared["dombinnov_session"].startswith("dombinnov_session=;")
    assert cleared["dombinnov_refresh"].startswith("dombinnov_refresh=;")


def test_members_unreachable_is_a_french_page_not_a_sign_out(app, client, services):
    sign_in(client)
    expire_access_token(app, client)
    services.failure = RpcTimeout()
    answer = client.get("/tableau-de-bord")
    assert answer.status_code == 503
    assert "Service momentanément indisponible" in answer.get_data(as_text=True)
    assert "dombinnov_refresh" not in set_cookies(answer)


@pytest.mark.parametrize(("remember", "idle_hours", "alive"), [
    (False, 11, True), (False, 13, False), (True, 13, True), (True, 24 * 29, True),
    (True, 24 * 31, False)])
def test_a_session_slides_while_used_and_ends_when_left(remember, idle_hours, alive):
    renewed = datetime(2026, 12, 6, 8, tzinfo=timezone.utc)
    assert security.session_alive(renewed, remember,
                                  renewed + timedelta(hours=idle_hours)) is alive


def test_a_form_sent_after_its_session_ended_is_kept_through_sign_in(app, client, services):
    services.refreshes_citizen = True
    sign_in(client, email="citizen@x.org")
    token = form_token(client, "/")
    client.delete_cookie("dombinnov_session")
    client.delete_cookie("dombinnov_refresh")  # the session is over, not just its token
    withdraw = "/mes-contributions/5b0c3f0e-8d7e-4a4f-9d8e-1d6f3c7a2b10/renoncer"
    answer = client.post(withdraw, data={"csrf_token": token, "reason": "J'ai changé d'avis",
                                         "new_password": "not kept"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401 and "<h1>Se connecter</h1>" in page
    assert "Ce que vous aviez saisi est gardé" in page
    assert 'name="garde.reason" value="J&#39;ai changé d&#39;avis"' in page
    assert "not kept" not in page and 'name="garde.csrf_token"' not in page
    assert f'name="suivant" value="{withdraw}"' in page
    assert not any(call[1] == "withdraw" for call in services.calls)

    signed = client.post("/connexion", data={
        "email": "citizen@x.org", "password": "secret", "suivant": withdraw,
        "garde.reason": "J'ai changé d'avis", "csrf_token": form_token(client)})
    resend = signed.get_data(as_text=True)
    assert signed.status_code == 200 and "Vous êtes de nouveau connecté" in resend
    assert f'action="{withdraw}"' in resend
    assert 'name="reason" value="J&#39;ai changé d&#39;avis"' in resend
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', resend).group(1)
    sent = client.post(withdraw, data={"csrf_token": fresh, "reason": "J'ai changé d'avis"})
    assert sent.status_code == 303 and "renoncement=fait" in sent.headers["Location"]


def test_a_form_left_open_past_its_token_is_offered_again(app, client, services,
                                                         monkeypatch):
    sign_in(client, email="citizen@x.org")
    # A token of this browser's own value, signed three hours ago.
    seed = client.get_cookie("dombinnov_csrf").value
    with monkeypatch.context() as three_hours_ago:
        three_hours_ago.setattr(time, "time", lambda real=time.time: real() - 3 * 3600)
        old_token = app.extensions["web_csrf"].dumps(seed)
    withdraw = "/mes-contributions/5b0c3f0e-8d7e-4a4f-9d8e-1d6f3c7a2b10/renoncer"
    answer = client.post(withdraw, data={"csrf_token": old_token, "reason": "Trop tard ?"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Cette page était ouverte depuis longtemps" in page
    assert 'name="reason" value="Trop tard ?"' in page and f'action="{withdraw}"' in page
    assert not any(call[1] == "withdraw" for call in services.calls)


def test_a_form_address_opened_as_a_link_is_a_french_page(client, services):
    answer = client.get("/deconnexion")
    assert answer.status_code == 405 and answer.mimetype == "text/html"
    assert "Action impossible ici" in answer.get_data(as_text=True)
    assert answer.headers["Allow"] == "POST" or "POST" in answer.headers["Allow"]
    api = client.get("/api/v1/auth/login")
    assert api.status_code == 405 and api.mimetype == "application/problem+json"


def test_over_https_the_cookies_are_secure_and_cannot_be_planted(services):
    app = create_app(Settings(jwt_secret="s" * 40, amqp_uri="amqp://nowhere:1//",
                              public_url="https://dombinnov.example"))
    client = app.test_client()
    page = client.get("/connexion")
    csrf = page.headers["Set-Cookie"]
    assert csrf.startswith("__Host-dombinnov_csrf=") and "Secure" in csrf
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    answer = client.post("/connexion", data={"email": "funder@x.org", "password": "secret",
                                             "csrf_token": token.group(1)})
    session = next(value for value in answer.headers.getlist("Set-Cookie")
                   if value.startswith("__Host-dombinnov_session="))
    assert "Secure" in session and "Path=/" in session and "Domain" not in session


@pytest.mark.parametrize(("trusted_proxies", "client_address"), [
    (0, "127.0.0.1"), (1, "203.0.113.7"), (2, "198.51.100.1")])
def test_the_client_is_read_from_x_forwarded_for_only_behind_trusted_proxies(
        services, trusted_proxies, client_address):
    """The login limit keys on the client's address: a header anyone can write counts
    only as far as the proxies the operator declared wrote it."""
    app = create_app(Settings(jwt_secret="s" * 40, amqp_uri="amqp://nowhere:1//",
                              trusted_proxies=trusted_proxies))
    client = app.test_client()
    client.post("/connexion", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"},
                data={"email": "funder@x.org", "password": "secret",
                      "csrf_token": form_token(client)})
    [address] = [args[1] for _, method, args in services.calls if method == "authenticate"]
    assert address == client_address


@pytest.mark.parametrize(("target", "lands_on"), [
    ("/campagnes?type=loan", "/campagnes?type=loan"),
    ("//evil.example/", "/tableau-de-bord"),
    ("https://evil.example/", "/tableau-de-bord"),
    ("/\\evil.example", "/tableau-de-bord"),
])
def test_sign_in_leads_back_to_a_page_of_this_site_only(client, services, target, lands_on):
    assert sign_in(client, suivant=target).headers["Location"] == lands_on


def test_a_wrong_password_keeps_the_email_and_says_so(client, services):
    answer = sign_in(client, password="wrong")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "Adresse ou mot de passe incorrect." in page and 'value="funder@x.org"' in page


def test_an_empty_field_is_said_next_to_it(client, services):
    page = sign_in(client, email="", password="").get_data(as_text=True)
    assert 'id="email-erreur">Indiquez l&#39;adresse' in page
    assert 'id="password-erreur">Indiquez votre mot de passe' in page
    assert services.calls == []


def test_the_dashboard_is_for_staff_and_funders(client, services):
    anonymous = client.get("/tableau-de-bord?from_year=2020")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/connexion?suivant=/tableau-de-bord?from_year%3D2020"
    sign_in(client, email="citizen@x.org")
    refused = client.get("/tableau-de-bord")
    assert refused.status_code == 403 and "Accès réservé" in refused.get_data(as_text=True)


def test_an_expired_session_asks_to_sign_in_again(app, client, services):
    tokens = app.extensions["tokens"]
    ttl, tokens.ttl_seconds = tokens.ttl_seconds, -10  # a token that expired 10 s ago
    try:
        expired = tokens.issue(FUNDER)
    finally:
        tokens.ttl_seconds = ttl
    client.set_cookie("dombinnov_session", expired)
    answer = client.get("/tableau-de-bord")
    assert "session=expiree" in answer.headers["Location"]
    assert any(value.startswith("dombinnov_session=;")
               for value in answer.headers.getlist("Set-Cookie"))


def test_signing_out_ends_the_session(client, services):
    sign_in(client)
    token = form_token(client, "/")
    answer = client.post("/deconnexion", data={"csrf_token": token})
    assert answer.status_code == 303
    assert client.get("/tableau-de-bord").status_code == 302


def test_the_dashboard_asks_its_tables_in_one_call_with_the_forms_filters(client, services):
    sign_in(client)
    assert client.get("/tableau-de-bord?funder=R%C3%A9gion&from_year=2020").status_code == 200
    asked = [(method, args) for service, method, args in services.calls
             if service == "reporting"]
    assert asked == [("dashboard", ({"from_year": "2020", "funder": "Région"},))]


@pytest.mark.parametrize(("error", "field", "message"), [
    (DomainError(NOT_FOUND, "funder_not_found", "No."), "funder", "Aucune subvention"),
    (DomainError(INVALID, "invalid", "No.", {"fields": {"territory": ["No."]}}), "territory",
     "Choisissez un territoire"),
])
def test_a_refused_filter_is_said_next_to_its_field(client, services, error, field, message):
    sign_in(client)
    services.failure = error
    page = client.get("/tableau-de-bord?territory=mars").get_data(as_text=True)
    assert re.search(f'id="{field}-erreur">{message}', page)


def test_a_service_that_does_not_answer_gives_a_french_page(client, services):
    services.failure = RpcTimeout()
    answer = client.get("/campagnes")
    assert answer.status_code == 503
    assert "Service momentanément indisponible" in answer.get_data(as_text=True)
    assert answer.mimetype == "text/html"


def test_pages_say_no_script_may_run_and_are_never_cached(client, services):
    answer = client.get("/")
    assert "script-src 'none'" in answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"
    assert '<html lang="fr">' in answer.get_data(as_text=True)


def test_the_home_page_waits_for_its_figures_without_failing(client, services, monkeypatch):
    def no_reporting(service, method, *args):
        if service == "reporting":
            raise RpcTimeout()
        return services(service, method, *args)
    monkeypatch.setattr(public, "call", no_reporting)
    answer = client.get("/")
    assert answer.status_code == 200
    assert "momentanément indisponibles" in answer.get_data(as_text=True)


def test_the_api_ignores_the_page_session(client, services):
    """The cookie authorizes pages only: a forged cross-site call to the API gets nothing."""
    sign_in(client)
    assert client.get("/api/v1/me").status_code == 401


def test_a_refused_form_says_first_what_to_correct_each_a_link_to_its_field(client,
                                                                           services):
    answer = client.post("/inscription", data={"email": "", "display_name": "",
                                               "password": "court",
                                               "csrf_token": form_token(client, "/inscription")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    summary = page[page.index('class="error-summary"'):page.index("<h1>")]
    assert "3 points à corriger" in summary
    assert summary.index('href="#display_name"') < summary.index('href="#email"') \
        < summary.index('href="#password"')  # in the form's order
    assert "Indiquez votre adresse électronique." in summary
    assert summary_links_missing(page) == []
    assert summary_links_missing(page.replace('id="email"', 'id="courriel"')) == ["email"]
    # A refusal of the whole form is said once, above the form: no summary for it.
    wrong = client.post("/connexion", data={"email": "funder@x.org", "password": "nope",
                                            "csrf_token": form_token(client)})
    assert "error-summary" not in wrong.get_data(as_text=True)


@pytest.mark.parametrize(("seconds", "said"), [
    (1, "réessayez dans 1 seconde."), (16, "réessayez dans 16 secondes."),
    (300, "réessayez dans 5 minutes."), (61, "réessayez dans 2 minutes.")])
def test_a_slowed_sign_in_says_how_long_to_wait_in_french(client, services, seconds, said):
    services.failure = DomainError(TOO_MANY_REQUESTS, "too_many_login_attempts", "Wait.",
                                   {"retry_after": seconds})
    answer = sign_in(client, password="wrong")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == str(seconds)
    assert f"Trop de tentatives : {said}" in answer.get_data(as_text=True)


def test_renoncer_asks_once_more_saying_what_withdrawing_means_then_withdraws(client,
                                                                             services):
    sign_in(client, email="citizen@x.org")
    withdraw = f"/mes-contributions/{WITHDRAWN}/renoncer"
    asked = client.get(withdraw)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<h1>Renoncer à cet investissement ?</h1>" in page
    assert "Prêt à l&#39;épicerie" in page and "500 €" in page
    assert "rien ne vous sera prélevé" in page and "Ce choix est définitif" in page
    assert f'action="{withdraw}"' in page and "Oui, je renonce à cet investissement" in page
    assert 'href="/mes-contributions">Non, garder mon investissement' in page
    assert not any(call[1] == "withdraw" for call in services.calls)  # only asked

    done = client.post(withdraw, data={"csrf_token": form_token(client, withdraw)})
    assert done.status_code == 303 and "renoncement=fait" in done.headers["Location"]
    assert ("funding", "withdraw", (WITHDRAWN, CITIZEN["id"])) in services.calls


def test_renoncer_past_the_reflection_period_asks_nothing_and_says_it_is_too_late(client,
                                                                                 services):
    services.contribution["reflection_ends_at"] = (
        datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    sign_in(client, email="citizen@x.org")
    answer = client.get(f"/mes-contributions/{WITHDRAWN}/renoncer")
    assert answer.status_code == 303 and "renoncement=impossible" in answer.headers["Location"]


def test_my_contributions_shows_the_newest_and_says_older_ones_are_left_out(client, services):
    sign_in(client, email="citizen@x.org")
    page = client.get("/mes-contributions").get_data(as_text=True)
    assert page.index("20 novembre 2026") < page.index("12 novembre 2026")
    assert page.index("30\u00a0€") < page.index("10\u00a0€")
    assert "Seules vos 2 contributions les plus récentes sont affichées" in page
    asked = [args for _, method, args in services.calls if method == "list_my_contributions"]
    assert asked == [(CITIZEN["id"], {"limit": "100", "sort": "recent"})]


CAMPAIGN = "0c9a4a8e-3b7d-4f51-9a51-7f1d2b3c4d5e"


@pytest.mark.parametrize("failure", [
    RpcTimeout(), DomainError(UNAVAILABLE, "service_unavailable", "No database.")],
    ids=["funding-silent", "funding-without-its-database"])
@pytest.mark.parametrize("key", ["k-1", None], ids=["form-key", "no-key-in-form"])
def test_a_pledge_not_confirmed_is_sent_again_with_its_key_never_taken_twice(
        client, services, monkeypatch, failure, key):
    """Funding may have kept the pledge and lost its answer: the page says so and sends
    the same form again, with the same Idempotency-Key (the one the gateway made, if the
    form had none), so that a pledge kept is found; nothing typed is lost."""
    keys = []

    def funding(service, method, *args):
        if method == "get_campaign":
            return {"id": CAMPAIGN, "goal_cents": 1_000_000}
        assert (service, method) == ("funding", "contribute"), (service, method)
        keys.append(args[2])
        if len(keys) == 1:
            raise failure
        return {"replayed": True, "contribution": {
            "id": "c1", "payment_url": "http://paysim.test/pay/pay_1"}}
    monkeypatch.setattr(campaign_page, "call", funding)
    monkeypatch.setattr(funding_routes, "call", funding)
    sign_in(client, email="citizen@x.org")
    typed = {"amount": "25", "name": "Camille", **({"key": key} if key else {})}
    first = client.post(f"/campagnes/{CAMPAIGN}/contribuer",
                        data={"csrf_token": form_token(client), **typed})
    page = first.get_data(as_text=True)
    assert first.status_code == 503 and "<h1>Contribution non confirmée</h1>" in page
    assert "ni comptée ni payée deux fois" in page
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert f'action="/campagnes/{CAMPAIGN}/contribuer"' in page
    assert {name: hidden[name] for name in ("amount", "name")} == {"amount": "25",
                                                                  "name": "Camille"}
    assert hidden["key"] == keys[0] and (key is None or keys[0] == key)

    again = client.post(f"/campagnes/{CAMPAIGN}/contribuer", data=hidden)
    assert again.status_code == 303
    assert again.headers["Location"] == "http://paysim.test/pay/pay_1"
    assert keys[1] == keys[0]
