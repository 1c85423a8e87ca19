"""Signing in and out of the pages (see security.py for the session and CSRF)."""
from flask import current_app, g, redirect, render_template, request, url_for

from gateway.calls import call
from gateway.web import security
from gateway.web.blueprint import READERS, web
from gateway.web.forms import french_errors
from services.members.domain.accounts import MIN_PASSWORD_LENGTH
from shared.errors import CONFLICT, INVALID, TOO_MANY_REQUESTS, UNAUTHENTICATED, DomainError

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


@web.post("/connexion")
def login_submit():
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("suivant", "")
    errors = {}
    if not email:
        errors["email"] = "Indiquez l'adresse électronique de votre compte."
    if not password:
        errors["password"] = "Indiquez votre mot de passe."
    if errors:
        return _login_page(target, errors, email=email), 422
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
            minutes = max(1, -(-seconds // 60))
            errors["form"] = (f"Trop de tentatives : réessayez dans {minutes} minute"
                              f"{'s' if minutes > 1 else ''}.")
            return _login_page(target, errors, email=email), 429, {"Retry-After": str(seconds)}
        elif exc.kind == INVALID:
            errors["email"] = "Cette adresse électronique n'est pas valide."
        else:
            raise
        return _login_page(target, errors, email=email), 401 if "form" in errors else 422
    return _open_session(outcome, target)


def _open_session(outcome, target):
    """Signed in: the cookie set, and on to the page asked for (or the reader's own)."""
    account = outcome["account"]
    # The page session is the access token alone: the refresh token members opened is
    # revoked at once, so nothing outlives the cookie.
    call("members", "revoke", account["id"], {"refresh_token": outcome["refresh_token"]})
    token = current_app.extensions["tokens"].issue(account)
    response = redirect(security.safe_next(target, home_of(account["roles"])), code=303)
    security.start_session(response, token)
    security.renew_csrf_seed()
    g.session_expired = False  # the cookie just set must not be cleared on the way out
    return response


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
        if exc.kind == CONFLICT:
            errors["email"] = ("Un compte existe déjà avec cette adresse : connectez-vous, "
                               "ou choisissez-en une autre.")
            return _signup_page(target, errors, typed), 409
        errors = french_errors(exc, SIGNUP_MESSAGES, fallback="Vérifiez les informations saisies.")
        return _signup_page(target, errors, typed), 422
    outcome = call("members", "authenticate", {"email": typed["email"], "password": password},
                   request.remote_addr or "unknown")
    return _open_session(outcome, target)


def _signup_page(target, errors, typed):
    return render_template("web/signup.html", active="signup", errors=errors, typed=typed,
                           suivant=security.safe_next(target, ""),
                           min_password=MIN_PASSWORD_LENGTH)


@web.post("/deconnexion")
def logout():
    response = redirect(url_for("web.home"), code=303)
    security.end_session(response)
    security.renew_csrf_seed()
    return response


def _login_page(target, errors, email="", expired=False):
    return render_template("web/login.html", active="login", errors=errors, email=email,
                           suivant=security.safe_next(target, ""), expired=expired)
