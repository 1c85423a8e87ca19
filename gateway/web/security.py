"""Who is reading a page, and proof that a form was sent from our own page.

Sign-in: the page asks members to check the password (the same `authenticate` RPC the
API's login calls), and keeps two HttpOnly, SameSite=Lax cookies: the short-lived access
token the gateway signs, and the refresh token members opened, sealed with the time it
was last renewed and whether the person asked to be remembered. While the person works,
a page that finds the access token expired trades the refresh token for new ones
(members rotates it; a token used twice ends the session everywhere): the session
slides, and ends after 12 hours without a page read (30 days with "se souvenir de
moi"), at sign-out, or when members refuses the token (password changed, account
erased). The cookies authorize pages only: the JSON API reads `Authorization` alone,
so a forged cross-site request can't use them there.

A form sent after its session ended is not lost: the sign-in page keeps what was typed
(passwords aside), and after signing in the person sends it on with one click. A form
left open past its CSRF token's life is offered again the same way.

CSRF: a signed double-submit token. A random value lives in its own HttpOnly cookie;
each form carries that value signed with a key derived from JWT_SECRET (itsdangerous,
which ships with Flask) and dated. A POST passes when the signature holds, the token is
less than two hours old, and the signed value is the cookie's: another site can neither
read our cookie nor sign a value, and the login form is covered too (login CSRF). Over
HTTPS (PUBLIC_URL), both cookies are Secure and named `__Host-…`, so that no sibling
subdomain can plant a value of its choosing.
"""
import functools
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app, g, redirect, request, url_for
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from gateway.auth import Principal
from gateway.calls import call
from shared.errors import BAD_REQUEST, FORBIDDEN, DomainError

SESSION_COOKIE = "dombinnov_session"
REFRESH_COOKIE = "dombinnov_refresh"
SESSION_SALT = "dombinnov.web.session"
REMEMBERED_FOR = timedelta(days=30)  # "se souvenir de moi": as long as the refresh token
IDLE_LIMIT = timedelta(hours=12)     # otherwise: a working day without a page read
CSRF_COOKIE = "dombinnov_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE_SECONDS = 2 * 3600
CSRF_SALT = "dombinnov.web.csrf"
FRENCH_CODES = ("csrf_failed", "page_forbidden")  # refusals of the pages, said in French


def init(app, secret: str, public_url: str) -> None:
    app.extensions["web_csrf"] = URLSafeTimedSerializer(secret, salt=CSRF_SALT)
    app.extensions["web_session"] = URLSafeTimedSerializer(secret, salt=SESSION_SALT)
    app.extensions["web_https"] = public_url.startswith("https://")


def _serializer() -> URLSafeTimedSerializer:
    return current_app.extensions["web_csrf"]


def cookie_name(base: str) -> str:
    """Over HTTPS, the `__Host-` prefix: the browser then refuses the cookie from a
    sibling subdomain or over plain HTTP, so nobody can plant one (cookie tossing)."""
    return "__Host-" + base if current_app.extensions["web_https"] else base


def _cookie_options(max_age=None) -> dict:
    # Secure whenever people reach us over HTTPS (PUBLIC_URL says so, or this request
    # came so): a session cookie must never travel in clear text.
    return {"httponly": True, "samesite": "Lax", "path": "/", "max_age": max_age,
            "secure": current_app.extensions["web_https"] or request.is_secure}


# --- CSRF ----------------------------------------------------------------------------

def _csrf_seed() -> str:
    """This browser's random value: its cookie's, or a new one set with this answer."""
    if "csrf_seed" not in g:
        seed = request.cookies.get(cookie_name(CSRF_COOKIE), "")
        g.csrf_seed_is_new = len(seed) < 32
        g.csrf_seed = secrets.token_urlsafe(32) if g.csrf_seed_is_new else seed
    return g.csrf_seed


def csrf_token() -> str:
    """The hidden field every form of ours carries (a template global)."""
    return _serializer().dumps(_csrf_seed())


def renew_csrf_seed() -> None:
    """A new value at sign-in and sign-out: a token seen before no longer passes."""
    g.csrf_seed, g.csrf_seed_is_new = secrets.token_urlsafe(32), True


def check_csrf() -> None:
    """Refuse a POST whose token is missing, forged, stale or not this browser's."""
    cookie = request.cookies.get(cookie_name(CSRF_COOKIE), "")
    stale = False
    try:
        signed = _serializer().loads(request.form.get(CSRF_FIELD, ""),
                                     max_age=CSRF_MAX_AGE_SECONDS)
    except SignatureExpired as exc:
        # Ours and genuine, only old: a page left open. What it holds is offered again,
        # on our page, with a new token; the person sends it on.
        signed, stale = _serializer().load_payload(exc.payload), True
    except BadData:
        signed = None
    genuine = bool(cookie) and isinstance(signed, str) \
        and hmac.compare_digest(signed.encode(), cookie.encode())
    if genuine and stale:
        raise FormToResend(kept_fields(), expired_session=False)
    if not genuine:
        raise DomainError(BAD_REQUEST, "csrf_failed",
                          "Ce formulaire a expiré ou ne vient pas de ce site : rechargez la "
                          "page et envoyez-le de nouveau.")


def store_csrf_cookie(response):
    """Set the CSRF cookie when this request made a new value (after_request)."""
    if g.get("csrf_seed_is_new"):
        response.set_cookie(cookie_name(CSRF_COOKIE), g.csrf_seed, **_cookie_options())
    return response


# --- the session ---------------------------------------------------------------------

class FormToResend(Exception):
    """A form that could not be taken as it came (its session or its token ended): what
    it held, to offer again after signing in, or at once."""

    def __init__(self, fields: list, expired_session: bool):
        super().__init__("form to resend")
        self.fields, self.expired_session, self.target = fields, expired_session, request.path


def kept_fields() -> list:
    """What a form sent, as (name, value) pairs, less its token and any password."""
    return [(name, value) for name, value in request.form.items(multi=True)
            if name != CSRF_FIELD and "password" not in name]


def _sealer() -> URLSafeTimedSerializer:
    return current_app.extensions["web_session"]


def session_alive(renewed_at: datetime, remember: bool, now: datetime) -> bool:
    """A page session lives on while it is used: up to 30 days after its last renewal
    when remembered, 12 hours otherwise."""
    return now - renewed_at <= (REMEMBERED_FOR if remember else IDLE_LIMIT)


def start_session(response, account: dict, refresh_token: str, remember: bool) -> None:
    """The two cookies of a page session (at sign-in, and at each renewal)."""
    tokens = current_app.extensions["tokens"]
    response.set_cookie(cookie_name(SESSION_COOKIE), tokens.issue(account),
                        **_cookie_options(tokens.ttl_seconds))
    sealed = _sealer().dumps({"refresh_token": refresh_token, "remember": remember})
    # Remembered: the cookie outlives the browser; otherwise it ends with it.
    response.set_cookie(cookie_name(REFRESH_COOKIE), sealed, **_cookie_options(
        int(REMEMBERED_FOR.total_seconds()) if remember else None))


def end_session(response) -> None:
    options = _cookie_options()
    del options["max_age"]
    for cookie in (SESSION_COOKIE, REFRESH_COOKIE):
        response.delete_cookie(cookie_name(cookie), **options)


def held_refresh_token() -> tuple[str, bool] | None:
    """The refresh token this browser holds and whether it is remembered, if its session
    is still alive."""
    try:
        held, renewed_at = _sealer().loads(request.cookies.get(cookie_name(REFRESH_COOKIE), ""),
                                           return_timestamp=True)
        token, remember = held["refresh_token"], bool(held["remember"])
    except (BadData, KeyError, TypeError):
        return None
    if not isinstance(token, str) or not session_alive(renewed_at, remember,
                                                       datetime.now(timezone.utc)):
        return None
    return token, remember


def _renewed_principal() -> Principal | None:
    """The reader, from the refresh token when the access token has expired: members
    rotates it and the answer carries the new cookies. Members unreachable is a 503
    page, not a sign-out."""
    held = held_refresh_token()
    if held is None:
        return None
    try:
        outcome = call("members", "refresh", {"refresh_token": held[0]})
    except DomainError:
        return None  # revoked, reused, or its account gone: signed out
    g.renewed_session = (outcome["account"], outcome["refresh_token"], held[1])
    account = outcome["account"]
    return Principal(account["id"], frozenset(account["roles"]), account["organisation_id"],
                     funder=account.get("funder"),
                     email_verified=account.get("email_verified") is True)


def store_renewed_session(response) -> None:
    """Set the cookies of a session renewed during this request (after_request)."""
    if g.get("renewed_session"):
        start_session(response, *g.renewed_session)


def page_principal() -> Principal | None:
    """The signed-in reader, from the session cookies; None when anonymous or when the
    session has ended (its cookies are then cleared)."""
    if "page_principal" not in g:
        token = request.cookies.get(cookie_name(SESSION_COOKIE))
        g.page_principal = None
        if token:
            try:
                g.page_principal = current_app.extensions["tokens"].verify(token)
            except DomainError:
                pass
        if g.page_principal is None and (token or request.cookies.get(
                cookie_name(REFRESH_COOKIE))):
            g.page_principal = _renewed_principal()
            g.session_expired = g.page_principal is None
    return g.page_principal


def signed_in(roles):
    """A page for these roles: anonymous readers go to the sign-in page (and come back),
    others are told they may not see it."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(**kwargs):
            principal = page_principal()
            if principal is None and request.method == "POST":
                raise FormToResend(kept_fields(), expired_session=True)
            if principal is None:
                expired = {"session": "expiree"} if g.get("session_expired") else {}
                return redirect(url_for("web.login", suivant=request.full_path.rstrip("?"),
                                        **expired))
            if not principal.roles & set(roles):
                raise DomainError(FORBIDDEN, "page_forbidden",
                                  "Votre compte ne donne pas accès à cette page.")
            return view(principal=principal, **kwargs)
        return guarded
    return decorate


def safe_next(target: str | None, default: str) -> str:
    """Where to go after signing in: a path of this site only (never `//host` or a URL,
    which would make the sign-in page an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(char) < 32 for char in target):
        return default
    return target
