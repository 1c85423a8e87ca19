"""Password reset by mail: the rules of its link, and its mail, which is kept without it."""
from datetime import datetime, timedelta, timezone

from services.members.domain.accounts import (
    RESET_LIFETIME,
    RESET_THROTTLES,
    login_refused_for,
    new_reset_token,
    refresh_token_digest,
    reset_expires_at,
    reset_usable,
)
from services.notifications.domain import letters

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_a_reset_link_works_once_within_its_hour():
    expires = reset_expires_at(NOW)
    assert expires - NOW == RESET_LIFETIME == timedelta(hours=1)
    assert reset_usable(expires, None, NOW + timedelta(minutes=59))
    assert not reset_usable(expires, None, expires)
    assert not reset_usable(expires, NOW + timedelta(minutes=1), NOW + timedelta(minutes=2))


def test_only_the_digest_of_a_reset_token_is_kept_and_each_token_is_new():
    token, digest = new_reset_token()
    other, _ = new_reset_token()
    assert token != other and len(token) >= 40
    assert digest == refresh_token_digest(token) and token not in digest


def test_resets_are_limited_per_address_typed_whether_or_not_it_has_an_account():
    email = RESET_THROTTLES["email"]
    assert login_refused_for(email.limit - 1, NOW, NOW, email) is None
    assert login_refused_for(email.limit, NOW - timedelta(minutes=10), NOW, email) == 3000
    assert login_refused_for(email.limit, NOW - email.window, NOW, email) is None


def test_the_reset_mail_is_kept_without_its_link_and_gets_it_only_to_be_sent():
    letter = letters.password_reset(NOW + timedelta(hours=1))
    kept = {"key": "password_reset:r1", "kind": "password_reset", "subject": letter.subject,
            "text_body": letter.text(), "html_body": letter.html()}
    assert letter.subject == "Choisir un nouveau mot de passe"
    assert "sert une seule fois, jusqu'au 2 mars 2026 à 11" in letter.text()  # Paris time
    assert letters.SECRET_LINK in kept["text_body"] and letters.SECRET_LINK in kept["html_body"]

    url = letters.reset_link("https://dombinnov.example/", "abc-DEF_123")
    sent = letters.with_secret_link(kept, url)
    assert url == "https://dombinnov.example/mot-de-passe/abc-DEF_123"
    assert f"Choisir un nouveau mot de passe : {url}" in sent["text_body"]
    assert f'<a href="{url}">' in sent["html_body"]
    assert letters.SECRET_LINK not in sent["text_body"] + sent["html_body"]
    assert letters.SECRET_LINK in kept["text_body"]  # what is kept stays without the token
