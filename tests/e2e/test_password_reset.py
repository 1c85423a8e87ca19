"""A forgotten password, through the whole platform: the address asked for on the page
or the API, members' reset, notifications' mail caught by the real SMTP catcher, its link
followed to set a new password once. The answer never says whether an account exists,
and the link's token is in no event, no archive and no kept mail."""
import html
import re
import uuid

import requests

from tests.support import accounts
from tests.support.mail import html_of, text_of
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

PLATFORM_ENV = {"MAIL_SEND_SECONDS": "0.5", "RPC_TIMEOUT": "10"}
NEW_PASSWORD = "un tout nouveau mot de passe"
ASKED = "Si un compte existe avec cette adresse, nous venons d'y envoyer un lien"


def sign_up(platform):
    email = f"oublieuse-{uuid.uuid4().hex[:10]}@example.org"
    accounts.sign_up(platform, email, name="Dominique")
    return email


def shown(response) -> str:
    """A page's text as read (entities such as &#39; unescaped)."""
    return html.unescape(response.text)


def browser_at(platform, path):
    """A browser holding the CSRF cookie and the token of the form at `path`."""
    browser = requests.Session()
    form = browser.get(platform.base_url + path, timeout=15)
    assert form.status_code == 200, form.text
    browser.csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return browser, form


def post_page(platform, browser, path, **data):
    return browser.post(platform.base_url + path, data={"csrf_token": browser.csrf, **data},
                        timeout=15, allow_redirects=False)


def reset_mails(platform, email):
    return [mail for key, mails in platform.mail.by_fact().items()
            if key.startswith("password_reset:") for mail in mails
            if mail["X-RcptTo"] == email]


def the_links(platform, email, count=1):
    """{link: mail} of the reset mails sent to `email`, once there are `count`."""
    wait_until(lambda: len(reset_mails(platform, email)) >= count, timeout=30,
               message=f"{count} password reset mail(s) to {email}")
    found = {}
    for mail in reset_mails(platform, email):
        links = re.findall(re.escape(platform.base_url) + r"/mot-de-passe/[A-Za-z0-9_-]+",
                           text_of(mail))
        assert len(links) == 1, text_of(mail)
        assert f'href="{links[0]}"' in html_of(mail)
        found[links[0]] = mail
    return found


def the_link(platform, email):
    [(link, mail)] = the_links(platform, email).items()
    return mail, link


def test_a_forgotten_password_is_reset_once_by_the_mailed_link(platform):
    email = sign_up(platform)
    session = platform.login(email)
    login_page = requests.get(platform.base_url + "/connexion", timeout=15).text
    assert 'href="/mot-de-passe-oublie"' in login_page and "Mot de passe oublié ?" in login_page

    browser, _ = browser_at(platform, "/mot-de-passe-oublie")
    asked = post_page(platform, browser, "/mot-de-passe-oublie", email=email.upper())
    assert asked.status_code == 200 and ASKED in shown(asked)

    mail, link = the_link(platform, email)
    assert mail["Subject"] == "Choisir un nouveau mot de passe" and mail["To"] == email
    token = link.rsplit("/", 1)[1]
    # The token is nowhere but in the mail: not on the bus (reporting archives every
    # event), not in the mail notifications keeps, only as a digest in members.
    def archived():
        return platform.query("reporting", "SELECT type || ' ' || data FROM event_archive")

    wait_until(lambda: any(row[0].startswith("members.password_reset_requested")
                           or "password_reset_requested" in row[0] for row in archived()),
               timeout=30, message="the reset's event archived by reporting")
    assert not any(token in row[0] for row in archived())
    kept = platform.query("notifications", "SELECT text_body || html_body FROM messages "
                          "WHERE key LIKE 'password_reset:%'")
    assert kept and not any(token in row[0] for row in kept)
    assert not platform.query("members", "SELECT 1 FROM password_resets WHERE token_digest "
                              "= :token", token=token)

    path = link.removeprefix(platform.base_url)
    browser, form = browser_at(platform, path)
    assert "Choisir un nouveau mot de passe" in form.text
    mismatch = post_page(platform, browser, path, new_password=NEW_PASSWORD,
                         confirmation=NEW_PASSWORD + "!")
    assert mismatch.status_code == 422 and "ne sont pas les mêmes" in shown(mismatch)
    too_short = post_page(platform, browser, path, new_password="court", confirmation="court")
    assert too_short.status_code == 422 and "au moins 10 caractères" in shown(too_short)
    the_address = post_page(platform, browser, path, new_password=email, confirmation=email)
    assert the_address.status_code == 422 and "pas votre adresse" in shown(the_address)

    done = post_page(platform, browser, path, new_password=NEW_PASSWORD,
                     confirmation=NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"].startswith("/connexion")
    assert "Votre mot de passe est changé" in shown(browser.get(
        platform.base_url + done.headers["Location"], timeout=15))

    # The new password signs in, the old one no more; the sessions open before are closed.
    assert platform.post("/auth/login", {"email": email, "password": PASSWORD},
                         as_=None).status_code == 401
    assert platform.login(email, NEW_PASSWORD)["account"]["email"] == email
    assert platform.post("/auth/refresh", {"refresh_token": session["refresh_token"]},
                         as_=None).status_code == 401

    # Used once: the link now shows a French page, and sets nothing.
    again = browser.get(link, timeout=15)
    assert again.status_code == 410 and "Ce lien ne sert plus" in shown(again)
    reused = post_page(platform, browser, path, new_password=PASSWORD, confirmation=PASSWORD)
    assert reused.status_code == 410 and "Demander un nouveau lien" in reused.text
    assert platform.login(email, NEW_PASSWORD)


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(platform):
    email = sign_up(platform)
    nobody = f"personne-{uuid.uuid4().hex[:10]}@example.org"
    answers = [platform.post("/auth/password-reset", {"email": address}, as_=None)
               for address in (email, nobody)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    browser, _ = browser_at(platform, "/mot-de-passe-oublie")
    pages = [post_page(platform, browser, "/mot-de-passe-oublie", email=address)
             for address in (nobody, f"autre-{nobody}")]
    assert [p.status_code for p in pages] == [200, 200] and all(ASKED in shown(p) for p in pages)
    the_link(platform, email)
    assert not [mail for mail in platform.mail.messages() if mail["X-RcptTo"] == nobody]


def test_through_the_api_a_newer_link_ends_the_older_and_a_token_serves_once(platform):
    email = sign_up(platform)
    assert platform.post("/auth/password-reset", {"email": email}, as_=None).status_code == 202
    _, first = the_link(platform, email)
    assert platform.post("/auth/password-reset", {"email": email}, as_=None).status_code == 202
    [second] = set(the_links(platform, email, count=2)) - {first}
    first_token, second_token = (link.rsplit("/", 1)[1] for link in (first, second))

    ended = platform.post("/auth/password-reset/confirm", {
        "token": first_token, "new_password": NEW_PASSWORD}, as_=None)
    assert ended.status_code == 401
    assert ended.headers["Content-Type"] == "application/problem+json"
    assert ended.json()["code"] == "invalid_password_reset_token"
    weak = platform.post("/auth/password-reset/confirm", {
        "token": second_token, "new_password": "court"}, as_=None)
    assert weak.status_code == 422 and weak.headers["Content-Type"] == "application/problem+json"

    assert platform.post("/auth/password-reset/confirm", {
        "token": second_token, "new_password": NEW_PASSWORD}, as_=None).status_code == 204
    assert platform.login(email, NEW_PASSWORD)
    twice = platform.post("/auth/password-reset/confirm", {
        "token": second_token, "new_password": PASSWORD}, as_=None)
    assert twice.status_code == 401
    assert requests.get(first, timeout=15).status_code == 410


def test_resets_asked_too_often_for_one_address_are_answered_429(platform):
    nobody = f"personne-{uuid.uuid4().hex[:10]}@example.org"
    answers = [platform.post("/auth/password-reset", {"email": nobody}, as_=None)
               for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].headers["Content-Type"] == "application/problem+json"
    assert int(answers[-1].headers["Retry-After"]) > 0
    missing = platform.post("/auth/password-reset", {}, as_=None)
    assert missing.status_code == 422
