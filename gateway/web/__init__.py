"""The web pages people read, in French, served by the gateway at `/`.

Server-rendered (Jinja) with one small stylesheet and charts drawn as inline SVG: no
script is needed to read any page. Every page is built on the same services as the JSON
API, through `gateway.calls.call`, never on a database.

    blueprint.py  what every page shares (CSRF check, headers, formats)
    security.py   the page session (cookie) and CSRF tokens
    public.py     home page, live campaigns
    account.py    sign in, sign out
    dashboard.py  the funders' dashboard; charts.py its SVG geometry
    formats.py    French numbers, money, dates (babel); labels.py French words for codes
    errors.py     French error pages
"""
from gateway.web import account, dashboard, errors, public, security  # noqa: F401 (routes)
from gateway.web.blueprint import web


def register(app, settings) -> None:
    security.init(app, settings.jwt_secret, settings.public_url)
    app.register_blueprint(web)
