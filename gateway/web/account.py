"""Signing in and out of the pages (see security.py for the session and CSRF), and a
form sent after its session or its token ended, offered again."""
import logging

from flask import g, make_response, redirect, render_template, request, url_for

from gateway.calls import call
from gateway.web import security
from gateway.web.blueprint import READERS, web
from gateway.web.forms import french_errors
from services.members.domain.accounts import MIN_PASSWORD_LENGTH
from shared.errors import INVALID, TOO_MANY_REQUESTS, UNAUTHENTICATED, DomainError

log = logging.getLogger("gateway.web")
KEPT = "garde."  # the prefix of a kept form's fields inside the sign-in form

SIGNUP_MESSAGES = {
    "email": "Cette adresse électronique n'est pas valide.",
    "display_name": "Votre nom doit faire au plus 200 caractères.",
    "password": "Ce mot de passe n'est pas accepté : choisissez-en un plus long ou moins "
                "courant.",
}


@web.get("/connexion")
def login():
    return _login_page(request.args.get("suivant", ""), {},
                       expired=request.args.get("session") == "expiree")


@web.errorhandler(security.FormToResend)
def form_to_resend(exc):
    """A form whose session ended: the sign-in page, holding what was typed. A form whose
    token is only old: offered again at once. Signing in or out again starts afresh."""
    if request.endpoint == "web.logout":
        return logout()
    if request.endpoint in ("web.login_submit", "web.signup_submit"):
        return _login_page(request.form.get("suivant", ""), {}, email=request.form.get(
            "email", ""), expired=True), 400
    if exc.expired_session:
        return _login_page(exc.target, {}, expired=True, kept=exc.fields), 401
    return _resend_page(exc.target, exc.fields, "page_left_open"), 400


@web.post("/connexion")
def login_submit():
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("suivant", "")
    remember = request.form.get("remember") == "on"
    kept = [(name.removeprefix(KEPT), value) for name, value in request.form.items(multi=True)
            if name.startswith(KEPT)]
    errors = {}
    if not email:
        errors["email"] = "Indiquez l'adresse électronique de votre compte."
    if not password:
        errors["password"] = "Indiquez votre mot de passe."
    if errors:
        return _login_page(target, errors, email=email, kept=kept, remember=remember), 422
    try:
        outcome = call("members", "authenticate", {"email": email, "password": password},
                       request.remote_addr or "unknown")
    except DomainError as exc:
        if exc.kind == UNAUTHENTICATED:
            errors["form"] = "Adresse ou mot de passe incorrect."
        elif exc.kind == TOO_MANY_REQUESTS:
            # As the API: 429 and Retry-After, so that a script guessing passwords
            # through the page is told to wait the same way.
            seconds = int(exc.details.get("retry_after", 60))
            errors["form"] = f"Trop de tentatives : réessayez dans {french_wait(seconds)}."
            return _login_page(target, errors, email=email, kept=kept, remember=remember), \
                429, {"Retry-After": str(seconds)}
        elif exc.kind == INVALID:
            errors["email"] = "Cette adresse électronique n'est pas valide."
        else:
            raise
        return _login_page(target, errors, email=email, kept=kept, remember=remember), \
            401 if "form" in errors else 422
    if kept and security.safe_next(target, ""):
        # Signed in again with a form in hand: the person sends it on, with a new token.
        return _open_session(outcome, target, remember,
                             lambda: _resend_page(target, kept, "signed_in_again"))
    return _open_session(outcome, target, remember)


def _open_session(outcome, target, remember=False, page=None):
    """Signed in: the cookies set, and on to the page asked for (or the reader's own), or
    `page()` shown at once (rendered after the new CSRF value, so its form's token is the
    one the answer's cookie holds)."""
    account = outcome["account"]
    security.renew_csrf_seed()  # before `page` renders its form's token
    response = make_response(page()) if page else redirect(
        security.safe_next(target, home_of(account["roles"])), code=303)
    security.start_session(response, account, outcome["refresh_token"], remember)
    g.session_expired = False  # the cookies just set must not be cleared on the way out
    return response


def _resend_page(target, fields, reason):
    """The kept form, to send on with one click (`reason`: "signed_in_again" or
    "page_left_open")."""
    return render_template("web/resend.html", target=security.safe_next(target, "/"),
                           fields=fields, reason=reason)


def home_of(roles) -> str:
    """Where a reader lands after signing in, by role."""
    if set(roles) & set(READERS):
        return url_for("web.dashboard")
    if "citizen" in roles:
        return url_for("web.my_contributions")
    return url_for("web.home")


@web.get("/inscription")
def signup():
    return _signup_page(request.args.get("suivant", ""), {}, {})


@web.post("/inscription")
def signup_submit():
    typed = {"email": request.form.get("email", "").strip(),
             "display_name": request.form.get("display_name", "").strip()}
    password, target = request.form.get("password", ""), request.form.get("suivant", "")
    errors = {}
    if not typed["display_name"]:
        errors["display_name"] = "Indiquez votre nom, tel qu'il apparaîtra sur vos reçus."
    if not typed["email"]:
        errors["email"] = "Indiquez votre adresse électronique."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = (f"Choisissez un mot de passe d'au moins {MIN_PASSWORD_LENGTH} "
                              "caractères.")
    if errors:
        return _signup_page(target, errors, typed), 422
    try:
        call("members", "sign_up", {**typed, "password": password})
    except DomainError as exc:
        if exc.kind != INVALID:
            raise
        errors = french_errors(exc, SIGNUP_MESSAGES, fallback="Vérifiez les informations saisies.")
        return _signup_page(target, errors, typed), 422
    # The same page whether or not the address had an account (the API's one answer):
    # signing in is the next step, and the mail says which case it was.
    return _login_page(target, {}, email=typed["email"], signed_up=True)


def _signup_page(target, errors, typed):
    return render_template("web/signup.html", active="signup", errors=errors, typed=typed,
                           suivant=security.safe_next(target, ""),
                           min_password=MIN_PASSWORD_LENGTH)


@web.post("/deconnexion")
def logout():
    principal, held = security.page_principal(), security.held_refresh_token()
    if principal and held:
        try:
            call("members", "revoke", principal.account_id, {"refresh_token": held[0]})
        except Exception:  # noqa: BLE001 (signing out in the browser must not fail)
            log.warning("refresh token not revoked at sign-out", exc_info=True)
    response = redirect(url_for("web.home"), code=303)
    security.end_session(response)
    security.renew_csrf_seed()
    return response


def french_wait(seconds: int) -> str:
    """A wait as the reader says it, rounded up: "16 secondes", "5 minutes"."""
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _login_page(target, errors, email="", expired=False, kept=(), remember=False,
                signed_up=False):
    return render_template("web/login.html", active="login", errors=errors, email=email,
                           suivant=security.safe_next(target, ""), expired=expired,
                           kept=[(KEPT + name, value) for name, value in kept],
                           remember=remember, signed_up=signed_up,
                           password_changed=request.args.get("mot_de_passe") == "change")
