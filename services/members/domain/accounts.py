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


@dataclass(frozen=True)
class AddressSlowdown:
    """How failed logins from one client address slow its next guesses down. An address
    is never refused: an office or a school signs in from one, and a guesser there must
    not lock its colleagues out. Past `free` failures in the window, each wrong password
    is answered 429 with a Retry-After that doubles from `first_delay` up to `max_delay`;
    failures are counted up to `counted`, where the delay stops growing."""

    free: int
    first_delay: int
    max_delay: int
    counted: int
    window: timedelta


# Per account: five failures lock it for the rest of its window, whichever address tries.
THROTTLES = {"email": LoginThrottle(5, timedelta(minutes=15))}
ADDRESS_SLOWDOWN = AddressSlowdown(free=20, first_delay=1, max_delay=300, counted=30,
                                   window=timedelta(minutes=15))


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
    funder = " ".join((data.get("funder") or "").split()) or None
    if funder is not None and roles != ["funder"]:
        raise invalid({"funder": ["Only an account whose one role is funder names a funder "
                                  "(staff read every funder's view)."]})
    return {
        "id": str(uuid.uuid4()),
        "email": normalise_email(data["email"]),
        "display_name": " ".join(data["display_name"].split()),
        "roles": roles,
        "organisation_id": organisation_id,
        "funder": funder,
        "password_hash": password_hash,
    }


def login_refused_for(failures: int, window_started_at, now, throttle: LoginThrottle):
    """Seconds to wait before this key may try again, or None if it may try now."""
    if window_started_at is None or now - window_started_at >= throttle.window:
        return None
    if failures < throttle.limit:
        return None
    return max(1, int((window_started_at + throttle.window - now).total_seconds()))


def address_delay(failures: int, slowdown: AddressSlowdown) -> int | None:
    """Seconds an address is asked to wait after its `failures`-th failure in the
    window, or None while its failures are still free."""
    if failures <= slowdown.free:
        return None
    return min(slowdown.max_delay, slowdown.first_delay * 2 ** (failures - slowdown.free - 1))


def new_refresh_token(now):
    """A random token for the client, and what we keep of it: only its digest."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_digest(token), now + REFRESH_TOKEN_LIFETIME


def refresh_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- password reset by mail ------------------------------------------------------------

RESET_LIFETIME = timedelta(hours=1)
# Asking for a reset mails the account's owner: a few per address an hour are enough for
# a person, and keep anyone from filling a mailbox (or the outgoing queue) with them.
RESET_THROTTLES = {"email": LoginThrottle(3, timedelta(hours=1)),
                   "client": LoginThrottle(20, timedelta(hours=1))}


def reset_expires_at(now):
    return now + RESET_LIFETIME


def new_reset_token():
    """A random token for the mail's link, and what we keep of it: only its digest."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_digest(token)


def reset_usable(expires_at, ended_at, now) -> bool:
    """A reset works once, within its hour, unless a newer one (or an erasure) ended it."""
    return ended_at is None and now < expires_at
