"""An account's address through the whole platform: sign-up answers the same whether or
not the address has an account (its owner is mailed instead), the link mailed to confirm
it works once, investing waits for it, and an account moves to a new address once the
link mailed there is followed (the old address is told). Mails go through notifications
to the real SMTP catcher; no link's token travels on the bus or sits in a kept mail."""
import uuid

import jwt

from tests.support import accounts
from tests.support.accounts import bearer, confirmation_links, sign_up, token_of
from tests.support.funding import ALL_ACKNOWLEDGED, LOAN_SHEET, live_campaign, ready_to_invest
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

PLATFORM_ENV = {"MAIL_SEND_SECONDS": "0.5", "RPC_TIMEOUT": "10"}


def an_address(who="camille"):
    return f"{who}-{uuid.uuid4().hex[:10]}@example.org"


def mails_of(platform, prefix, email):
    return [mail for key, mails in platform.mail.by_fact().items() if key.startswith(prefix)
            for mail in mails if mail["X-RcptTo"] == email]


def claims(platform, session):
    return jwt.decode(session["access_token"], platform.processes.env["JWT_SECRET"],
                      algorithms=["HS256"], audience="dombinnov-api")


def fields(answer):
    return [error["field"] for error in answer.json()["errors"]]


def confirm(platform, token):
    return platform.post("/auth/email-verification/confirm", {"token": token}, as_=None)


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(platform):
    email = an_address()
    first = platform.post("/auth/signup", {"email": email, "password": PASSWORD,
                                           "display_name": "Camille"}, as_=None)
    again = platform.post("/auth/signup", {"email": email.upper(), "password": "another "
                                           "long passphrase", "display_name": "Intrus"},
                          as_=None)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json() and set(first.json()) == {"message"}
    # Nothing changed for the owner; the second password opens nothing.
    session = platform.login(email)
    assert session["account"]["display_name"] == "Camille"
    assert platform.post("/auth/login", {"email": email, "password": "another long "
                                         "passphrase"}, as_=None).status_code == 401
    assert session["account"]["email_verified"] is False and claims(platform, session)["ev"] \
        is False
    # The first sign-up mailed a link to confirm the address, the second a notice.
    confirmation_links(platform, email)
    wait_until(lambda: mails_of(platform, "address_registered:", email), timeout=30,
               message="the notice to the address's owner")
    [notice] = mails_of(platform, "address_registered:", email)
    assert notice["Subject"] == "Votre adresse a déjà un compte"
    assert "/mot-de-passe-oublie" in notice.get_body(("plain",)).get_content()
    assert len(mails_of(platform, accounts.CONFIRMATION, email)) == 1


def test_the_mailed_link_confirms_the_address_once(platform):
    session = sign_up(platform, an_address())
    [link] = confirmation_links(platform, session["email"])
    token = token_of(link)
    confirmed = confirm(platform, token)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["email_verified"] is True
    used = confirm(platform, token)
    assert (used.status_code, used.json()["code"]) == (401, "invalid_email_token")
    assert used.headers["Content-Type"] == "application/problem+json"
    fresh = platform.login(session["email"])
    assert claims(platform, fresh)["ev"] is True
    again = platform.request("POST", "/auth/email-verification", headers=bearer(fresh))
    assert (again.status_code, again.json()["code"]) == (409, "email_already_verified")
    # The token is in no event (reporting archives them all) and in no kept mail.
    wait_until(lambda: platform.query("reporting", "SELECT 1 FROM event_archive WHERE type "
                                      "= 'members.email_confirmation_requested'"),
               timeout=30, message="the confirmation's event archived by reporting")
    assert not platform.query("reporting", "SELECT 1 FROM event_archive WHERE data LIKE :t",
                              t=f"%{token}%")
    kept = platform.query("notifications", "SELECT text_body || html_body FROM messages "
                          "WHERE key LIKE 'email_confirmation:%'")
    assert kept and not any(token in row[0] for row in kept)


def test_a_link_asked_again_replaces_the_older_one_three_times_an_hour(platform):
    session = sign_up(platform, an_address())
    confirmation_links(platform, session["email"])
    for _ in range(3):
        asked = platform.request("POST", "/auth/email-verification", headers=bearer(session))
        assert asked.status_code == 202, asked.text
    refused = platform.request("POST", "/auth/email-verification", headers=bearer(session))
    assert (refused.status_code, refused.json()["code"]) == (429, "too_many_address_mails")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # A link ended before its mail went is not sent at all: the newest one comes, and
    # only it works (the sign-up's, sent at once, has ended).
    tried = {}

    def the_newest_works():
        for link in confirmation_links(platform, session["email"]):
            if link not in tried:
                tried[link] = confirm(platform, token_of(link)).status_code
        return 200 in tried.values()
    wait_until(the_newest_works, timeout=30, message="the newest link, confirming")
    assert len(tried) >= 2 and sorted(tried.values()) == [200] + [401] * (len(tried) - 1)


def test_investing_waits_for_a_confirmed_address(platform):
    session = sign_up(platform, an_address("investisseuse"))
    me = bearer(session)
    ready_to_invest(platform, me)
    loan = live_campaign(platform, kind="loan", key_information=LOAN_SHEET,
                         goal_cents=2_000_000, title="Un prêt pour la fromagerie")

    def invest():
        return platform.request("POST", f"/campaigns/{loan['id']}/contributions", {
            "amount_cents": 50_000, "acknowledgements": ALL_ACKNOWLEDGED},
            headers={**me, "Idempotency-Key": uuid.uuid4().hex})
    refused = invest()
    assert (refused.status_code, refused.json()["code"]) == (409, "email_not_verified")
    assert refused.headers["Content-Type"] == "application/problem+json"
    accounts.confirm_address(platform, session["email"])
    # The same access token (its `ev` claim still false): the gateway asks members.
    taken = invest()
    assert taken.status_code == 201, taken.text


def test_an_account_moves_to_a_new_address_once_the_link_mailed_there_is_followed(platform):
    session = sign_up(platform, an_address("ancienne"), verify=True)
    old, new, me = session["email"], an_address("nouvelle"), bearer(session)

    def ask(body):
        return platform.request("POST", "/auth/email-change", body, headers=me)
    wrong = ask({"new_email": new, "password": "not my password"})
    assert (wrong.status_code, fields(wrong)) == (422, ["password"])
    same = ask({"new_email": old.upper(), "password": PASSWORD})
    assert (same.status_code, fields(same)) == (422, ["new_email"])
    asked = ask({"new_email": new, "password": PASSWORD})
    assert asked.status_code == 202, asked.text
    assert platform.login(old)["account"]["email"] == old  # nothing moves yet

    [link] = confirmation_links(platform, new)
    moved = confirm(platform, token_of(link))
    assert moved.status_code == 200, moved.text
    assert (moved.json()["email"], moved.json()["email_verified"]) == (new, True)
    assert platform.login(new)["account"]["id"] == session["account"]["id"]
    assert platform.post("/auth/login", {"email": old, "password": PASSWORD},
                         as_=None).status_code == 401
    wait_until(lambda: mails_of(platform, "email_changed:", old), timeout=30,
               message="the notice to the old address")
    [notice] = mails_of(platform, "email_changed:", old)
    assert notice["Subject"] == "L'adresse de votre compte a changé"

    # An address that has an account: the same answer, its owner is told, nothing moves.
    other = sign_up(platform, an_address("autre"))
    taken = platform.request("POST", "/auth/email-change",
                             {"new_email": other["email"], "password": PASSWORD},
                             headers=bearer(platform.login(new)))
    assert (taken.status_code, taken.json()) == (202, asked.json())
    wait_until(lambda: mails_of(platform, "address_registered:", other["email"]),
               timeout=30, message="the notice to the taken address's owner")
    assert platform.login(new)["account"]["email"] == new
