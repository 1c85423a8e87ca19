"""The pages' security and error handling, with the gateway's Flask app and the services
replaced by a fake `call` (the browser tests run them against the real platform):
CSRF on every form, the session cookie, where sign-in leads, who reads the dashboard,
and French pages when something fails."""
import re

import pytest
from nameko.exceptions import RpcTimeout

from gateway.app import create_app
from gateway.web import account, dashboard, public
from shared.config import Settings
from shared.errors import INVALID, NOT_FOUND, UNAUTHENTICATED, DomainError
from tests.support.web_client import form_token

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


class Services:
    """Answers the pages' calls as the services would, and remembers them."""

    def __init__(self):
        self.calls, self.accounts, self.failure = [], {"funder@x.org": FUNDER,
                                                      "citizen@x.org": CITIZEN}, None

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
            return {"revoked": True}
        if method == "dashboard":
            return {table.replace("-", "_"): answer for table, answer in EMPTY_REPORTS.items()}
        if method == "get_summary":
            return {"organisations": 1, "projects": 2, "campaigns": 0, "contributions": 0,
                    "amount_raised_cents": 0}
        if method == "list_campaigns":
            return {"items": [], "next_cursor": None}
        raise AssertionError(f"unexpected call {service}.{method}")


@pytest.fixture
def services(monkeypatch):
    fake = Services()
    for module in (account, dashboard, public):
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


def test_signing_in_sets_a_strict_session_cookie_and_closes_the_refresh_token(client,
                                                                             services):
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/tableau-de-bord"
    cookie = next(value for value in answer.headers.getlist("Set-Cookie")
                  if value.startswith("dombinnov_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=900" in cookie
    assert ("members", "revoke", ("a1", {"refresh_token": "refresh-1"})) in services.calls
    assert client.get("/tableau-de-bord").status_code == 200


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
