"""Signing in and out of the pages (see security.py for the session and CSRF)."""
from flask import current_app, g, redirect, render_template, request, url_for

from gateway.calls import call
from gateway.web import security
from gateway.web.blueprint import READERS, web
from shared.errors import INVALID, TOO_MANY_REQUESTS, UNAUTHENTICATED, DomainError


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
            minutes = max(1, -(-int(exc.details.get("retry_after", 60)) // 60))
            errors["form"] = (f"Trop de tentatives : réessayez dans {minutes} minute"
                              f"{'s' if minutes > 1 else ''}.")
        elif exc.kind == INVALID:
            errors["email"] = "Cette adresse électronique n'est pas valide."
        else:
            raise
        return _login_page(target, errors, email=email), 401 if "form" in errors else 422
    account = outcome["account"]
    # The page session is the access token alone: the refresh token members opened is
    # revoked at once, so nothing outlives the cookie.
    call("members", "revoke", account["id"], {"refresh_token": outcome["refresh_token"]})
    token = current_app.extensions["tokens"].issue(account)
    default = url_for("web.dashboard") if set(account["roles"]) & set(READERS) \
        else url_for("web.home")
    response = redirect(security.safe_next(target, default), code=303)
    security.start_session(response, token)
    security.renew_csrf_seed()
    g.session_expired = False  # the cookie just set must not be cleared on the way out
    return response


@web.post("/deconnexion")
def logout():
    response = redirect(url_for("web.home"), code=303)
    security.end_session(response)
    security.renew_csrf_seed()
    return response


def _login_page(target, errors, email="", expired=False):
    return render_template("web/login.html", active="login", errors=errors, email=email,
                           suivant=security.safe_next(target, ""), expired=expired)
