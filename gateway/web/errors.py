"""What a page answers when something goes wrong: a French page, never JSON, with the
correlation id to quote, and the status the API would have answered."""
import logging

from flask import g, make_response, render_template, request
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from gateway import problems
from gateway.problems import STATUS_BY_KIND
from gateway.rpc import BrokerUnavailable, GatewayBusy
from gateway.web.blueprint import page_context, page_headers, web
from gateway.web.security import FRENCH_CODES
from shared.errors import DomainError

log = logging.getLogger("gateway.web")

UNAVAILABLE = (RpcTimeout, UnknownService, GatewayBusy, BrokerUnavailable)
TITLES = {
    400: "Demande incomplète",
    401: "Connexion nécessaire",
    403: "Accès réservé",
    404: "Page introuvable",
    405: "Action impossible ici",
    409: "Action impossible pour le moment",
    413: "Envoi trop volumineux",
    422: "Informations à corriger",
    429: "Trop de tentatives",
    500: "Une erreur est survenue",
    503: "Service momentanément indisponible",
}
MESSAGES = {
    404: "Cette page n'existe pas, ou plus. Les campagnes en cours sont toutes sur la page "
         "« Campagnes ».",
    405: "Cette adresse ne s'utilise pas ainsi.",
    413: "Ce que vous avez envoyé est trop volumineux (une photo fait 5 Mo au plus). "
         "Revenez à la page précédente et choisissez un fichier plus léger.",
    500: "Quelque chose s'est mal passé de notre côté. Si cela se reproduit, donnez à "
         "l'équipe le numéro de suivi ci-dessous.",
    503: "Une partie de la plateforme ne répond pas pour le moment. Réessayez dans quelques "
         "instants.",
}


# Addresses that machines read: an unknown one there is answered in JSON (RFC 9457).
MACHINE_PREFIXES = ("/api/", "/healthz", "/readyz", "/metrics")


def error_page(status, message=None, **context):
    body = render_template("web/error.html", status=status, title=TITLES.get(status, TITLES[500]),
                           message=message or MESSAGES.get(status, MESSAGES[500]),
                           correlation_id=g.get("correlation_id"), **context)
    return body, status


def not_found_anywhere(exc):
    """An address no route knows (so no blueprint's handler is asked): people get the
    French page, with the site's headers; machines the API's problem document."""
    if request.path.startswith(MACHINE_PREFIXES):
        return problems.http_error(exc)
    body, status = error_page(404, **page_context())
    return page_headers(make_response(body, status))


def method_not_allowed_anywhere(exc):
    """A page's address asked the wrong way (a form's address opened as a link, say):
    decided before any blueprint is, so answered here, as an unknown address is."""
    if request.path.startswith(MACHINE_PREFIXES):
        return problems.http_error(exc)
    body, status = error_page(405, **page_context())
    response = page_headers(make_response(body, status))
    response.headers["Allow"] = ", ".join(exc.valid_methods or ())
    return response


@web.errorhandler(DomainError)
def refused(exc):
    # The services' messages are English, for developers; a page says it in French, or
    # falls back to its status's words.
    status = STATUS_BY_KIND[exc.kind]
    french = exc.message if exc.code in FRENCH_CODES else None
    return error_page(status, french)


@web.errorhandler(HTTPException)
def http_error(exc):
    return error_page(exc.code)


def unavailable(exc):
    log.warning("page without a service", extra={"error": type(exc).__name__})
    return error_page(503)


for _exception in UNAVAILABLE:
    web.register_error_handler(_exception, unavailable)


@web.errorhandler(Exception)
def unexpected(exc):
    if isinstance(exc, RemoteError):
        log.error("service failed", extra={"remote_type": exc.exc_type, "remote": exc.value})
    else:
        log.exception("page failed")
    return error_page(500)
