"""The reader's e-mail address: the link mailed to confirm it (at sign-up, or asked
again), and a move to a new address, which applies once the link mailed there is
followed (the old address is told). Members keeps the rules; these pages say them."""
from flask import render_template, request

from gateway.calls import call
from gateway.web.account import french_wait
from gateway.web.blueprint import web
from gateway.web.contributions import EVERYONE
from gateway.web.forms import french_errors
from gateway.web.security import signed_in
from shared.errors import CONFLICT, TOO_MANY_REQUESTS, UNAUTHENTICATED, DomainError

CHANGE_MESSAGES = {
    "new_email": "Indiquez une adresse électronique valide, autre que celle du compte.",
    "password": "Ce n'est pas votre mot de passe actuel.",
}


@web.get("/adresse/<token>")
def email_link(token):
    purpose = call("members", "email_token_purpose", token)
    if purpose is None:
        return _link_ended()
    return render_template("web/email_link.html", active="my_data", token=token,
                           purpose=purpose, done=False, error=None)


@web.post("/adresse/<token>")
def email_link_submit(token):
    purpose = "change" if request.form.get("purpose") == "change" else "verify"
    try:
        account = call("members", "confirm_email", {"token": token})
    except DomainError as exc:
        if exc.kind == UNAUTHENTICATED:
            return _link_ended()
        if exc.kind != CONFLICT:
            raise
        return render_template(
            "web/email_link.html", active="my_data", token=token, purpose="change",
            done=False, error="Cette adresse a déjà un compte : votre compte garde son "
                              "adresse actuelle."), 409
    return render_template("web/email_link.html", active="my_data", token=token,
                           purpose=purpose, done=True, email=account["email"], error=None)


@web.get("/mon-compte/adresse")
@signed_in(EVERYONE)
def my_address(principal):
    return _address_page(principal, {}, {})


@web.post("/mon-compte/adresse/confirmation")
@signed_in(EVERYONE)
def my_address_confirmation(principal):
    try:
        call("members", "request_email_verification", principal.account_id)
    except DomainError as exc:
        if exc.kind == TOO_MANY_REQUESTS:
            return _too_many(principal, exc, {})
        if exc.kind != CONFLICT:
            raise
        return _address_page(principal, {}, {}, notice="Votre adresse est déjà confirmée.")
    return _address_page(principal, {}, {}, notice=(
        "Un nouveau lien vient d'être envoyé à votre adresse (il vaut 48 heures ; les liens "
        "envoyés avant ne servent plus). Pensez à regarder dans les courriers indésirables."))


@web.post("/mon-compte/adresse")
@signed_in(EVERYONE)
def my_address_change(principal):
    typed = {"new_email": request.form.get("new_email", "").strip()}
    errors = {}
    if not typed["new_email"]:
        errors["new_email"] = "Indiquez la nouvelle adresse électronique."
    if not request.form.get("password"):
        errors["password"] = "Indiquez votre mot de passe actuel."
    if errors:
        return _address_page(principal, errors, typed), 422
    try:
        call("members", "request_email_change", principal.account_id,
             {**typed, "password": request.form["password"]})
    except DomainError as exc:
        if exc.kind == TOO_MANY_REQUESTS:
            return _too_many(principal, exc, typed)
        return _address_page(principal, french_errors(
            exc, CHANGE_MESSAGES, fallback="Vérifiez les informations saisies."), typed), 422
    return _address_page(principal, {}, {}, notice=(
        f"Nous venons d'écrire à {typed['new_email']} : suivez le lien de ce courriel (il "
        "vaut 48 heures) pour que votre compte utilise cette adresse. D'ici là, il garde "
        "son adresse actuelle."))


def _address_page(principal, errors, typed, notice=None):
    account = call("members", "get_account", principal.account_id)
    return render_template("web/my_address.html", active="my_data", account=account,
                           errors=errors, typed=typed, notice=notice)


def _too_many(principal, exc, typed):
    seconds = int(exc.details.get("retry_after", 60))
    return _address_page(principal, {"form": "Trop de liens demandés : réessayez dans "
                                             f"{french_wait(seconds)}."}, typed), \
        429, {"Retry-After": str(seconds)}


def _link_ended():
    return render_template("web/email_link_ended.html", active="my_data"), 410
