"""What the animators' pages share (/animation/...: the pipeline board and project files,
campaign review, members and dues, resources). They are for cluster staff, animators
and operators, as the API's STAFF routes; each page calls the services with the same
arguments as its API route.

    animation_projects.py   the board, a project's file and its forms
    animation_campaigns.py  campaigns waiting for review: approve, send back
    animation_offline.py    a live campaign's cash, cheques, transfers, board decisions
    animation_members.py    organisations, memberships, dues, spreadsheet import
    animation_organisation.py  an organisation's memberships, mutualised services, invoices
    animation_resources.py  grants and other resources, volunteering
"""
from datetime import date

from flask import redirect, render_template, url_for

from gateway.api import STAFF, actor  # noqa: F401  (the pages act as the API does)
from gateway.calls import call
from gateway.web import formats, forms
from shared.errors import CONFLICT, INVALID, DomainError

# (section, endpoint, link text) of the animators' own navigation, in this order.
SECTIONS = (("projects", "web.board", "Projets"),
            ("campaigns", "web.campaign_review", "Campagnes"),
            ("members", "web.members", "Adhérents"),
            ("resources", "web.resources", "Ressources"))
MOST_PAGES = 20  # of 100 items: far more than the cluster has, and a bound all the same


def render(template, section, status=200, **context):
    return render_template(template, active="animation", section=section,
                           sections=SECTIONS, **context), status


def done(endpoint, **values):
    """After a form succeeded: the page again, by GET, saying what was done (303)."""
    return redirect(url_for(endpoint, **values), code=303)


def every_item(service, method, query, *args):
    """All items of a paged list (up to MOST_PAGES pages)."""
    items, cursor = [], None
    for _ in range(MOST_PAGES):
        page = call(service, method, *args, {**query, "limit": "100",
                                             **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    return items


def project_titles():
    """{project id: title}, for the lists and choices that name projects."""
    return {project["id"]: project["title"]
            for project in every_item("projects", "list_projects", {})}


def long_day(value) -> str:
    """A calendar day (a date, or its ISO text as the services send it) in French. An
    ISO day is read as a day, not as midnight somewhere: it must not move across a
    time zone."""
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    return formats.long_date(value)


def refusal(exc, conflicts: dict, messages: dict, aliases=None):
    """A service's refusal of a form, as (errors, status): a conflict (the state of
    things forbids it now) said above the form, invalid fields next to each field."""
    if exc.kind == CONFLICT:
        return {forms.FORM: conflicts.get(exc.code, "Cette action n'est pas possible pour "
                                                    "le moment : rechargez la page.")}, 409
    if exc.kind == INVALID:
        return forms.french_errors(exc, messages, aliases), 422
    raise exc


__all__ = ["STAFF", "DomainError", "actor", "done", "every_item", "long_day",
           "project_titles", "refusal", "render"]
