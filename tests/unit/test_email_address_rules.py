"""An account's address confirmed by mail: the rules of its links, of a move to a new
address, of investing without a confirmed one, and the mails that say them."""
from datetime import datetime, timedelta, timezone

import pytest

from services.funding.domain.investors import check_email_verified
from services.members.domain.accounts import (
    ADDRESS_MAIL_THROTTLE,
    EMAIL_TOKEN_LIFETIME,
    check_new_email,
    email_token_expires_at,
    login_refused_for,
    reset_usable,
)
from services.notifications.domain import letters
from shared.errors import CONFLICT, INVALID, DomainError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_a_confirmation_link_works_once_within_48_hours():
    expires = email_token_expires_at(NOW)
    assert expires - NOW == EMAIL_TOKEN_LIFETIME == timedelta(hours=48)
    assert reset_usable(expires, None, NOW + timedelta(hours=47))
    assert not reset_usable(expires, None, expires)
    assert not reset_usable(expires, NOW + timedelta(hours=1), NOW + timedelta(hours=2))


def test_links_and_notices_to_an_address_are_a_few_an_hour():
    throttle = ADDRESS_MAIL_THROTTLE
    assert (throttle.limit, throttle.window) == (3, timedelta(hours=1))
    assert login_refused_for(2, NOW, NOW, throttle) is None
    assert login_refused_for(3, NOW - timedelta(minutes=20), NOW, throttle) == 2400


def test_an_account_moves_only_to_another_address_written_as_typed_by_anyone():
    assert check_new_email("  Nouvelle@Example.ORG ", "ancienne@example.org") == \
        "nouvelle@example.org"
    with pytest.raises(DomainError) as refused:
        check_new_email("Camille@Example.org", "camille@example.org ")
    assert refused.value.kind == INVALID and "new_email" in refused.value.details["fields"]


def test_a_loan_or_shares_need_a_confirmed_address():
    check_email_verified(True)
    for unconfirmed in (False, None):
        with pytest.raises(DomainError) as refused:
            check_email_verified(unconfirmed)
        assert (refused.value.kind, refused.value.code) == (CONFLICT, "email_not_verified")


def test_the_confirmation_mails_are_kept_without_their_links():
    verify = letters.email_confirmation("verify", NOW + timedelta(hours=48))
    change = letters.email_confirmation("change", NOW + timedelta(hours=48))
    assert verify.subject == "Confirmer votre adresse électronique"
    assert change.subject == "Confirmer votre nouvelle adresse"
    for letter in (verify, change):
        assert "sert une seule fois, jusqu'au 4 mars 2026 à 10" in letter.text()  # Paris
        assert letters.SECRET_LINK in letter.text() and letters.SECRET_LINK in letter.html()
    assert "garde son adresse actuelle" in change.text()
    url = letters.confirm_link("https://dombinnov.example/", "abc-DEF_123")
    assert url == "https://dombinnov.example/adresse/abc-DEF_123"


def test_the_owner_of_an_address_given_again_is_told_and_pointed_to_a_new_password():
    notice = letters.address_already_registered("https://dombinnov.example/")
    assert notice.subject == "Votre adresse a déjà un compte"
    assert "https://dombinnov.example/mot-de-passe-oublie" in notice.text()
    assert "rien n'a été créé ni changé" in notice.text()
    assert letters.email_changed().subject == "L'adresse de votre compte a changé"
