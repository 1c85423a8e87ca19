"""A funder account names its funder and reads that funder's view only: the account's
rule (members), the token's claim and the reports' confinement (gateway)."""
from dataclasses import replace

import jwt
import pytest

from gateway.auth import Principal, Tokens
from gateway.report_routes import funder_view, own_funder
from services.members.domain.accounts import new_account
from shared.errors import FORBIDDEN, INVALID, DomainError

SIGN_UP = {"email": "Fondation@Example.org", "display_name": "Fondation Alpha"}
ALPHA = Principal("a1", frozenset({"funder"}), None, "Fondation Alpha")


def test_only_an_account_whose_one_role_is_funder_names_a_funder():
    account = new_account({**SIGN_UP, "funder": "  Fondation   Alpha "}, ["funder"], None, "h")
    assert account["funder"] == "Fondation Alpha"
    assert new_account(SIGN_UP, ["funder"], None, "h")["funder"] is None
    for roles in (["animator"], ["funder", "operator"]):
        with pytest.raises(DomainError) as refused:
            new_account({**SIGN_UP, "funder": "Fondation Alpha"}, roles, None, "h")
        assert refused.value.kind == INVALID and "funder" in refused.value.details["fields"]


def test_the_token_carries_the_funder_and_the_principal_reads_it():
    tokens = Tokens("s" * 32, 60)
    account = {"id": "a1", "roles": ["funder"], "organisation_id": None,
               "funder": "Fondation Alpha"}
    token = tokens.issue(account)
    assert jwt.decode(token, options={"verify_signature": False})["fdr"] == "Fondation Alpha"
    assert tokens.verify(token) == replace(ALPHA, email_verified=False)  # no confirmed address: ev false
    plain = tokens.issue({**account, "funder": None})
    assert "fdr" not in jwt.decode(plain, options={"verify_signature": False})
    assert tokens.verify(plain).funder is None


def test_a_named_funder_gets_its_own_view_and_is_refused_another():
    assert funder_view(ALPHA, {"from_year": "2024"}) == {"from_year": "2024",
                                                         "funder": "Fondation Alpha"}
    assert funder_view(ALPHA, {"funder": "fondation  ALPHA"})["funder"] == "Fondation Alpha"
    assert funder_view(ALPHA, {}, takes_funder=False) == {}  # members' tables: the cluster's
    with pytest.raises(DomainError) as refused:
        funder_view(ALPHA, {"funder": "Fondation Beta"})
    assert (refused.value.kind, refused.value.code) == (FORBIDDEN, "other_funder_view")


@pytest.mark.parametrize("principal", [
    Principal("s", frozenset({"funder", "animator"}), None, "Fondation Alpha"),
    Principal("f", frozenset({"funder"}), None), None])
def test_staff_and_funders_that_name_none_read_every_view(principal):
    assert own_funder(principal) is None
    assert funder_view(principal, {"funder": "Fondation Beta"}) == {"funder": "Fondation Beta"}
