"""Accounts and sign-ins: roles, passwords, refresh tokens, login limits."""
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from shared.errors import invalid

ROLES = ("citizen", "member_admin", "animator", "funder", "operator")
MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH = 10, 128
REFRESH_TOKEN_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class LoginThrottle:
    """How many failed logins a key (an email, a client address) may have in a window."""

    limit: int
    window: timedelta


THROTTLES = {"email": LoginThrottle(5, timedelta(minutes=15)),
             "client": LoginThrottle(20, timedelta(minutes=15))}


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def check_password(password: str, email: str, field="password") -> None:
    """Length is what makes a password strong; composition rules don't (NIST SP 800-63B)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"A password has at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"A password has at most {MAX_PASSWORD_LENGTH} characters.")
    if password.strip().lower() == email:
        problems.append("A password must not be the email address.")
    if problems:
        raise invalid({field: problems})


def new_account(data: dict, roles, organisation_id, password_hash: str) -> dict:
    """The values of an account, from validated input; its password already hashed."""
    roles = sorted(set(roles))
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise invalid({"roles": [f"Roles are among: {', '.join(ROLES)}."]})
    if ("member_admin" in roles) != (organisation_id is not None):
        raise invalid({"organisation_id": [
            "A member_admin acts for exactly one organisation; other roles for none."]})
    return {
        "id": str(uuid.uuid4()),
        "email": normalise_email(data["email"]),
        "display_name": " ".join(data["display_name"].split()),
        "roles": roles,
        "organisation_id": organisation_id,
        "password_hash": password_hash,
    }


def login_refused_for(failures: int, window_started_at, now, throttle: LoginThrottle):
    """Seconds to wait before this key may try again, or None if it may try now."""
    if window_started_at is None or now - window_started_at >= throttle.window:
        return None
    if failures < throttle.limit:
        return None
    return max(1, int((window_started_at + throttle.window - now).total_seconds()))


def new_refresh_token(now):
    """A random token for the client, and what we keep of it: only its digest."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_digest(token), now + REFRESH_TOKEN_LIFETIME


def refresh_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
