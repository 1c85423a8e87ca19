"""The web pages people read, in French, served by the gateway at `/`.

Server-rendered (Jinja) with one small stylesheet and charts drawn as inline SVG: no
script is needed to read any page. Every page is built on the same services as the JSON
API, through `gateway.calls.call`, never on a database.

    blueprint.py  what every page shares (CSRF check, headers, formats)
    security.py   the page session (cookie) and CSRF tokens
    public.py     home page, live campaigns (filters by type, commune, field)
    project_list.py  the projects accompanied (filters by field, stage, territory)
    campaign_page.py  a project's page, a campaign's page and its contribution form
    investing.py  the investor's steps before a loan or shares
    contributions.py  the payer's return page, "Mes contributions", receipts, withdrawal
    account.py    sign up, sign in, sign out; forms.py amounts and checkboxes as typed
    password_reset.py  a forgotten password: the address asked, the mailed link's page
    email_address.py  the address confirmed by its mailed link, and moved to a new one
    dashboard.py  the funders' dashboard; charts.py its SVG geometry
    animation*.py the animators' pages: pipeline board and project files, campaign
                  review, members and dues, resources (see animation.py)
    my_organisation.py  a member organisation's own page
    my_data.py    "Mes données": what is held about the reader, its export, its erasure
    imports.py    the spreadsheet import's report in French
    formats.py    French numbers, money, dates (babel); labels.py and
                  animation_labels.py French words for codes
    errors.py     French error pages
    carrier_campaigns.py  a carrier's own campaigns: draft, edit, cover picture, submit;
                  story.py their story's Markdown, rendered safe; carrier_sheet.py a
                  loan's or shares' key information sheet on their form
    legal.py      legal notice, terms, privacy, contact (the operator's facts)
"""
from gateway.web import (  # noqa: F401 (routes)
    account,
    animation_campaigns,
    animation_members,
    animation_offline,
    animation_organisation,
    animation_projects,
    animation_resources,
    campaign_page,
    carrier_campaigns,
    contributions,
    dashboard,
    email_address,
    errors,
    investing,
    legal,
    my_data,
    my_organisation,
    password_reset,
    project_list,
    public,
    security,
)
from gateway.web.blueprint import content_security_policy, web


def register(app, settings) -> None:
    security.init(app, settings.jwt_secret, settings.public_url)
    app.extensions["web_csp"] = content_security_policy(settings.payment_page_url)
    app.extensions["site_operator"] = legal.Operator()
    app.extensions["web_public_url"] = settings.public_url.rstrip("/")  # addresses to share
    app.extensions["contribution_confirm_above_cents"] = \
        settings.contribution_confirm_above_cents
    app.register_blueprint(web)
    app.register_error_handler(404, errors.not_found_anywhere)
    app.register_error_handler(405, errors.method_not_allowed_anywhere)
