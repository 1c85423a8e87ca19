"""Who is asking: short-lived signed access tokens (JWT, HS256) and the roles they carry.

The gateway signs access tokens after members has checked a password or a refresh
token; it keeps no state itself. Refresh tokens are opaque and live in members, where
they are rotated and revoked.
"""
import functools
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
from flask import current_app, g, request

from gateway.calls import call

from shared.errors import FORBIDDEN, UNAUTHENTICATED, DomainError

ALGORITHM = "HS256"
ISSUER = "dombinnov"
AUDIENCE = "dombinnov-api"
ROLES = ("citizen", "member_admin", "animator", "funder", "operator")
VERIFIED_TOKENS = 1024  # tokens remembered as verified, per gateway process


@dataclass(frozen=True)
class Principal:
    account_id: str
    roles: frozenset
    organisation_id: str | None
    funder: str | None = None  # a funder account's funder: it reads that funder's view
    # The `ev` claim: whether the address was confirmed when the token was made (None in
    # a token made before the claim existed). See address_confirmed.
    email_verified: bool | None = None


class Tokens:
    def __init__(self, secret: str, ttl_seconds: int):
        if not secret or len(secret) < 32:
            raise SystemExit(
                "JWT_SECRET must be set to a random string of 32 characters or more, e.g. "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`")
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS)(self._decode)

    def issue(self, account: dict) -> str:
        now = datetime.now(timezone.utc)
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": account["id"], "jti": uuid.uuid4().hex,
            "iat": now, "exp": now + timedelta(seconds=self.ttl_seconds),
            "roles": account["roles"], "org": account["organisation_id"],
            "ev": account.get("email_verified") is True,
        }
        if account.get("funder"):
            claims["fdr"] = account["funder"]
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        """The token's principal. A token verified once is remembered (a small LRU keyed
        by the token itself, up to VERIFIED_TOKENS of them) until its expiry: a client
        sends the same token on every request, and its signature cannot change. An
        invalid token is never remembered; an expired one is verified again, and refused."""
        principal, expires_at = self._verified(token)
        if time.time() < expires_at:
            return principal
        return self._decode(token)[0]  # expired meanwhile: refused as such

    def _decode(self, token: str) -> tuple:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                                issuer=ISSUER, options={"require": ["exp", "iat", "sub"]})
        except jwt.ExpiredSignatureError:
            raise _unauthenticated("token_expired",
                                   "The access token has expired: refresh it.") from None
        except jwt.InvalidTokenError:
            raise _unauthenticated("invalid_token", "The access token is not valid.") from None
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(role in ROLES for role in roles):
            raise _unauthenticated("invalid_token", "The access token is not valid.")
        funder = claims.get("fdr")
        if funder is not None and not isinstance(funder, str):
            raise _unauthenticated("invalid_token", "The access token is not valid.")
        return Principal(claims["sub"], frozenset(roles), claims.get("org"), funder,
                         claims.get("ev") if isinstance(claims.get("ev"), bool) else None), \
            claims["exp"]


def _unauthenticated(code, message):
    return DomainError(UNAUTHENTICATED, code, message)


def current_principal() -> Principal | None:
    """The caller, from `Authorization: Bearer <token>`; None when anonymous."""
    if "principal" not in g:
        header = request.headers.get("Authorization")
        if header is None:
            g.principal = None
        else:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _unauthenticated("invalid_token", "Send `Authorization: Bearer <token>`.")
            g.principal = current_app.extensions["tokens"].verify(token.strip())
    return g.principal


def address_confirmed(principal: Principal) -> bool:
    """Whether the caller's address is confirmed: the token says so, or else members does
    (the link may have been followed since the token was made)."""
    if principal.email_verified:
        return True
    return call("members", "get_account", principal.account_id)["email_verified"] is True


def authorize(roles, organisation_id=None) -> Principal | None:
    """Let the caller through if one of its roles is among `roles` (None: anyone;
    "authenticated": anyone signed in). A member_admin whose only admitted role is
    member_admin acts only for its own organisation."""
    principal = current_principal()
    if roles is None:
        return principal
    if principal is None:
        raise _unauthenticated("authentication_required", "Sign in to do this.")
    if roles == "authenticated":
        return principal
    admitted = principal.roles & set(roles)
    if not admitted:
        raise DomainError(FORBIDDEN, "forbidden", "Your roles do not allow this.")
    if admitted == {"member_admin"} and organisation_id is not None \
            and principal.organisation_id != str(organisation_id):
        raise _other_organisation()
    return principal


def confined_organisation(principal: Principal, asked, staff) -> str | None:
    """The organisation a member admin's list is confined to: its own, when it asks for
    its own or for none, and a 403 when it asks for another's (or when its account names
    no organisation). None for a reader with a role among `staff`: the list as asked."""
    if principal.roles & set(staff):
        return None
    if principal.organisation_id is None \
            or asked not in (None, principal.organisation_id):
        raise _other_organisation()
    return principal.organisation_id


def _other_organisation():
    return DomainError(FORBIDDEN, "other_organisation",
                       "A member admin acts only for its own organisation.")
