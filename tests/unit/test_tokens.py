"""The gateway's access tokens: a verified token is remembered until it expires, and
never past that; an invalid one is never taken for a remembered one."""
import time

import jwt
import pytest

from gateway.auth import ALGORITHM, Tokens
from shared.errors import DomainError

SECRET = "s" * 32
ACCOUNT = {"id": "a-1", "roles": ["citizen"], "organisation_id": None}


def refused(tokens, token):
    with pytest.raises(DomainError) as caught:
        tokens.verify(token)
    return caught.value.code


def test_a_token_verified_once_is_remembered_with_its_principal():
    tokens = Tokens(SECRET, 900)
    token = tokens.issue(ACCOUNT)
    first = tokens.verify(token)
    assert (first.account_id, first.roles, first.organisation_id) == (
        "a-1", frozenset({"citizen"}), None)
    assert tokens.verify(token) is first
    assert tokens._verified.cache_info().hits == 1


def test_a_remembered_token_is_refused_once_expired():
    tokens = Tokens(SECRET, 1)
    token = tokens.issue(ACCOUNT)
    tokens.verify(token)
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    while time.time() < expires_at:
        time.sleep(0.05)
    assert refused(tokens, token) == "token_expired"


def test_tampered_or_foreign_tokens_are_refused_every_time():
    tokens = Tokens(SECRET, 900)
    token = tokens.issue(ACCOUNT)
    tokens.verify(token)
    head, claims, signature = token.split(".")
    tampered = ".".join((head, claims, signature[:-2] + ("AA" if signature[-2:] != "AA"
                                                          else "BB")))
    foreign = jwt.encode({"sub": "a-1", "roles": ["operator"], "exp": time.time() + 60,
                          "iat": time.time()}, "x" * 32, algorithm=ALGORITHM)
    for _ in range(2):
        assert refused(tokens, tampered) == "invalid_token"
        assert refused(tokens, foreign) == "invalid_token"
    assert tokens._verified.cache_info().currsize == 1
