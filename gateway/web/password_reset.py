"""A forgotten password: the address asked for (the same answer whether or not it has an
account), then the mailed link's page, where a new password is chosen once."""
from flask import redirect, render_template, request, url_for

from gateway.calls import call
from gateway.web.account import french_wait
from gateway.web.blueprint import web
from gateway.web.forms import french_errors
from services.members.domain.accounts import MIN_PASSWORD_LENGTH
from shared.errors import INVALID, TOO_MANY_REQUESTS, UNAUTHENTICATED, DomainError

ASKED = ("Si un compte existe avec cette adresse, nous venons d'y envoyer un lien pour "
         "choisir un nouveau mot de passe. Il sert une seule fois, pendant une heure. "
         "Pensez à regarder dans les courriers indésirables.")
PASSWORD_MESSAGES = {
    "new_password": "Ce mot de passe n'est pas accepté : choisissez-en un plus long, qui ne "
                    "soit pas votre adresse électronique.",
}


@web.get("/mot-de-passe-oublie")
def forgotten_password():
    return _forgotten_page({}, "")


@web.post("/mot-de-passe-oublie")
def forgotten_password_submit():
    email = request.form.get("email", "").strip()
    if not email:
        return _forgotten_page({"email": "Indiquez l'adresse électronique de votre compte."},
                               email), 422
    try:
        call("members", "request_password_reset", {"email": email},
             request.remote_addr or "unknown")
    except DomainError as exc:
        if exc.kind == TOO_MANY_REQUESTS:
            seconds = int(exc.details.get("retry_after", 60))
            return _forgotten_page({"form": "Trop de demandes : réessayez dans "
                                            f"{french_wait(seconds)}."}, email), \
                429, {"Retry-After": str(seconds)}
        if exc.kind != INVALID:
            raise
        return _forgotten_page({"email": "Cette adresse électronique n'est pas valide."},
                               email), 422
    return render_template("web/forgotten_password.html", active="login", errors={},
                           email="", asked=ASKED)


@web.get("/mot-de-passe/<token>")
def new_password(token):
    if not call("members", "password_reset_valid", token):
        return _link_ended()
    return _new_password_page(token, {})


@web.post("/mot-de-passe/<token>")
def new_password_submit(token):
    password = request.form.get("new_password", "")
    if len(password) < MIN_PASSWORD_LENGTH:
        return _new_password_page(token, {"new_password": (
            f"Choisissez un mot de passe d'au moins {MIN_PASSWORD_LENGTH} caractères.")}), 422
    if password != request.form.get("confirmation", ""):
        return _new_password_page(token, {"confirmation": (
            "Les deux mots de passe ne sont pas les mêmes : saisissez-les de nouveau.")}), 422
    try:
        call("members", "reset_password", {"token": token, "new_password": password})
    except DomainError as exc:
        if exc.kind == UNAUTHENTICATED:
            return _link_ended()
        if exc.kind != INVALID:
            raise
        return _new_password_page(token, french_errors(
            exc, PASSWORD_MESSAGES, fallback="Vérifiez le mot de passe saisi.")), 422
    return redirect(url_for("web.login", mot_de_passe="change"), code=303)


def _forgotten_page(errors, email):
    return render_template("web/forgotten_password.html", active="login", errors=errors,
                           email=email, asked=None)


def _new_password_page(token, errors):
    return render_template("web/new_password.html", active="login", errors=errors,
                           token=token, min_password=MIN_PASSWORD_LENGTH)


def _link_ended():
    return render_template("web/reset_link_ended.html", active="login"), 410
