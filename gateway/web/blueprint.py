"""The web pages' blueprint, and what every page shares: the signed-in reader, the CSRF
check of every form, the French formats, and the headers of an HTML answer."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, request

from gateway.api import STAFF  # who runs the cluster's pages: as the API's staff routes
from gateway.report_routes import READERS  # who reads the dashboard: as the reports API
from gateway.web import formats, security
from gateway.web.story import render_story

web = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/assets")

# No script runs on our pages and nothing is framed: the policy says so, so that an
# injected script or a framing page would be refused by the browser too. Forms lead to
# our own pages, and to the payment provider's page a contribution form redirects to
# (browsers apply form-action to a form's redirects too).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'none'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self' {payment_origin}; frame-ancestors 'none'")


def content_security_policy(payment_page_url: str) -> str:
    parts = urlsplit(payment_page_url)
    return CONTENT_SECURITY_POLICY.format(payment_origin=f"{parts.scheme}://{parts.netloc}")

for _name, _filter in formats.FILTERS.items():
    web.add_app_template_filter(_filter, _name)
web.add_app_template_filter(render_story, "story")  # a campaign's Markdown, made safe


# Pages whose form takes more than the app's body limit (a picture): endpoint -> bytes.
BODY_LIMITS = {}


@web.before_request
def check_forms():
    """Every form of the pages is checked here, so that none can forget it."""
    if request.endpoint in BODY_LIMITS:  # before the form is read
        request.max_content_length = BODY_LIMITS[request.endpoint]
    if request.method == "POST":
        security.check_csrf()


@web.context_processor
def page_context():
    principal = security.page_principal()
    roles = principal.roles if principal else frozenset()
    return {"principal": principal, "csrf_token": security.csrf_token,
            "reads_reports": bool(roles & set(READERS)),
            "animates": bool(roles & set(STAFF)),  # the animators' pages
            "runs_organisation": "member_admin" in roles,  # /mon-organisation
            "contributes": "citizen" in roles}  # /mes-contributions


@web.after_request
def page_headers(response):
    security.store_csrf_cookie(response)
    security.store_renewed_session(response)
    if g.get("session_expired"):
        security.end_session(response)
    if request.endpoint != "web.static":
        response.headers["Content-Security-Policy"] = current_app.extensions["web_csp"]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"  # figures move; sessions are private
    return response
