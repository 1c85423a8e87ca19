"""Who is reading a page, and proof that a form was sent from our own page.

Sign-in: the page asks members to check the password (the same `authenticate` RPC the
API's login calls), and keeps the short-lived access token the gateway signs in an
HttpOnly, SameSite=Lax cookie. The refresh token members opened is revoked at once: a
page session simply ends with its access token, so no long-lived secret sits in a
browser. The cookie authorizes pages only: the JSON API reads `Authorization` alone, so
a forged cross-site request can't use the cookie there.

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

from flask import current_app, g, redirect, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from gateway.auth import Principal
from shared.errors import BAD_REQUEST, FORBIDDEN, DomainError

SESSION_COOKIE = "dombinnov_session"
CSRF_COOKIE = "dombinnov_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE_SECONDS = 2 * 3600
CSRF_SALT = "dombinnov.web.csrf"
FRENCH_CODES = ("csrf_failed", "page_forbidden")  # refusals of the pages, said in French


def init(app, secret: str, public_url: str) -> None:
    app.extensions["web_csrf"] = URLSafeTimedSerializer(secret, salt=CSRF_SALT)
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
    try:
        signed = _serializer().loads(request.form.get(CSRF_FIELD, ""),
                                     max_age=CSRF_MAX_AGE_SECONDS)
    except BadData:
        signed = None
    if not cookie or not isinstance(signed, str) \
            or not hmac.compare_digest(signed.encode(), cookie.encode()):
        raise DomainError(BAD_REQUEST, "csrf_failed",
                          "Ce formulaire a expiré ou ne vient pas de ce site : rechargez la "
                          "page et envoyez-le de nouveau.")


def store_csrf_cookie(response):
    """Set the CSRF cookie when this request made a new value (after_request)."""
    if g.get("csrf_seed_is_new"):
        response.set_cookie(cookie_name(CSRF_COOKIE), g.csrf_seed, **_cookie_options())
    return response


# --- the session ---------------------------------------------------------------------

def start_session(response, access_token: str) -> None:
    tokens = current_app.extensions["tokens"]
    response.set_cookie(cookie_name(SESSION_COOKIE), access_token,
                        **_cookie_options(tokens.ttl_seconds))


def end_session(response) -> None:
    options = _cookie_options()
    del options["max_age"]
    response.delete_cookie(cookie_name(SESSION_COOKIE), **options)


def page_principal() -> Principal | None:
    """The signed-in reader, from the session cookie; None when anonymous or when the
    token has expired (the page then asks to sign in again)."""
    if "page_principal" not in g:
        token = request.cookies.get(cookie_name(SESSION_COOKIE))
        g.page_principal = None
        if token:
            try:
                g.page_principal = current_app.extensions["tokens"].verify(token)
            except DomainError:
                g.session_expired = True
    return g.page_principal


def signed_in(roles):
    """A page for these roles: anonymous readers go to the sign-in page (and come back),
    others are told they may not see it."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(**kwargs):
            principal = page_principal()
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
