"""The public pages: the home page (what the cluster is, its figures) and the live
campaigns. They call the same services, with the same arguments, as the JSON API's
`GET /reports/summary` and `GET /campaigns`."""
from textwrap import shorten
from urllib.parse import quote

from flask import current_app, render_template, request, url_for

from gateway.api import actor
from gateway.calls import call
from gateway.web import formats, labels
from gateway.web.blueprint import web
from gateway.web.errors import UNAVAILABLE
from gateway.web.security import page_principal
from services.funding.domain.campaigns import CLOSED, FAILED, SUCCEEDED, is_public
from shared.errors import INVALID, NOT_FOUND, DomainError

CAMPAIGNS_PER_PAGE = 12
ENDED_STATUSES = (SUCCEEDED, FAILED, CLOSED)
HOME_CAMPAIGNS = 3


def reader():
    """Who reads the page, as funding asks when it answers campaigns (the same as the
    API's routes send): it decides which ones exist for them."""
    return actor(page_principal())


@web.get("/")
def home():
    try:
        summary = call("reporting", "get_summary")
    except UNAVAILABLE:
        summary = None  # the page explains the cluster all the same; the figures wait
    campaigns = call("funding", "list_campaigns", {"status": "live",
                                                   "limit": str(HOME_CAMPAIGNS)}, reader())
    return render_template("web/home.html", active="home", summary=summary,
                           campaigns=cards(campaigns["items"]))


@web.get("/campagnes")
def campaigns():
    chosen = {name: request.args.get(name, "").strip() for name in (*FILTERS, *CHOICES)}
    errors = {name: CHOICE_ERRORS[name] for name, words in CHOICES.items()
              if chosen[name] and chosen[name] not in words}
    phase = PHASES.get(chosen["etat"] or DEFAULT_PHASE, "live")
    query = {"phase": phase, "limit": str(CAMPAIGNS_PER_PAGE)}
    if chosen["tri"] in SORTS:
        query["sort"] = SORTS[chosen["tri"]]
    for name, parameter in FILTERS.items():
        if chosen[name]:
            query[parameter] = chosen[name]
    if request.args.get("suite"):
        query["cursor"] = request.args["suite"]
    page = {"items": [], "next_cursor": None}
    if not errors:
        try:
            page = call("funding", "list_campaigns", query, reader())
        except DomainError as exc:
            if exc.kind != INVALID:
                raise
            errors = filter_errors(exc.details.get("fields", {}))
    places = call("funding", "campaign_places", {"phase": phase}, reader())
    return render_template("web/campaigns.html", active="campaigns", chosen=chosen,
                           errors=errors, kinds=labels.CAMPAIGN_KINDS,
                           heading=HEADINGS[phase], phases=PHASE_WORDS, sorts=SORT_WORDS,
                           communes=places["communes"],
                           fields={code: labels.label(labels.FIELDS, code)
                                   for code in places["fields"]},
                           campaigns=cards(page["items"]), next_cursor=page["next_cursor"],
                           filtered={name: value for name, value in chosen.items() if value})


# The page's filters (French, in its address) and the API's query parameters.
FILTERS = {"type": "kind", "commune": "commune", "domaine": "field"}
FILTER_ERRORS = {
    "type": "Choisissez un type de campagne dans la liste.",
    "commune": "Choisissez une commune dans la liste.",
    "domaine": "Choisissez un domaine dans la liste.",
}
# Which campaigns (etat) and in what order (tri): the words of the address, the API's
# phase and sort, and what the page says.
DEFAULT_PHASE = "en-cours"
PHASES = {"en-cours": "live", "reussies": "succeeded", "terminees": "ended"}
PHASE_WORDS = {"en-cours": "En cours", "reussies": "Réussies", "terminees": "Terminées"}
HEADINGS = {"live": "Campagnes en cours", "succeeded": "Campagnes réussies",
            "ended": "Campagnes terminées"}
SORTS = {"recentes": "recent", "presque-finies": "ending", "plus-soutenues": "supported"}
SORT_WORDS = {"": "Les plus anciennes d'abord", "recentes": "Les plus récentes",
              "presque-finies": "Bientôt finies", "plus-soutenues": "Les plus soutenues"}
CHOICES = {"etat": PHASES, "tri": SORTS}
CHOICE_ERRORS = {"etat": "Choisissez un état dans la liste.",
                 "tri": "Choisissez un ordre dans la liste."}


def filter_errors(refused: dict) -> dict:
    """A hand-edited address: say which filter is wrong, next to it."""
    errors = {name: FILTER_ERRORS[name] for name, parameter in FILTERS.items()
              if parameter in refused}
    return errors or {"suite": "Cette page de résultats n'existe plus : repartez du début."}


def cards(campaigns):
    """What a campaign card shows, with its project's title and commune (one call per
    project on the page)."""
    today = formats.today()
    projects = {}
    for campaign in campaigns:
        if campaign["project_id"] not in projects:
            projects[campaign["project_id"]] = project_or_none(campaign["project_id"])
    return [card(campaign, projects[campaign["project_id"]], today) for campaign in campaigns]


def project_or_none(project_id):
    """A project's public record, or None when it is gone (the page shows the rest)."""
    try:
        return call("projects", "get_project", project_id)
    except DomainError as exc:
        if exc.kind != NOT_FOUND:
            raise
        return None  # the card shows the campaign alone


PITCH_CHARS = 160


def card(campaign, project, today):
    goal, raised, matched = (campaign["goal_cents"], campaign["raised_cents"],
                             campaign["matched_cents"])
    total = raised + matched
    # Widths of the two parts of the progress bar, in percent of the goal, at most 100.
    raised_width = min(100.0, 100 * raised / goal) if goal else 0.0
    matched_width = min(100.0 - raised_width, 100 * matched / goal) if goal else 0.0
    matchfunding = campaign.get("matchfunding")
    optimum = campaign.get("optimum_cents")
    ended = campaign["status"] in ENDED_STATUSES
    return {
        "id": campaign["id"], "title": campaign["title"],
        "project": project and {"id": project["id"], "title": project["title"],
                                "commune": project["commune"],
                                "field": labels.label(labels.FIELDS, project["field"]),
                                # What the project is, in a line, as list cards give it.
                                "pitch": shorten(project.get("summary") or "", PITCH_CHARS,
                                                 placeholder=" …") or None},
        # The cover's drawing (_campaign.html's cover): one per field of the project.
        "field_code": project["field"] if project else None,
        # The carrier's own photo, when it gave one, replaces the drawing.
        "cover_image": campaign.get("cover_image"),
        "kind": labels.label(labels.CAMPAIGN_KINDS, campaign["kind"]),
        "model": labels.label(labels.CAMPAIGN_MODELS, campaign["model"]),
        "model_hint": labels.MODEL_HINTS.get(campaign["model"], ""),
        "raised": formats.euros(raised), "matched": formats.euros(matched),
        "total": formats.euros(total), "goal": formats.euros(goal),
        "progress": formats.percent(total / goal if goal else 0),
        "raised_width": round(raised_width, 2), "matched_width": round(matched_width, 2),
        # The optimum: what the carrier could do with more than the goal, and how far
        # towards it the collection is once the goal is passed.
        "optimum": formats.euros(optimum) if optimum else None,
        "optimum_progress": formats.percent(total / optimum) if optimum and total > goal
        else None,
        "contributions": campaign["contributions_count"],
        "days_left": "Terminée" if ended else formats.days_left(campaign["deadline"], today),
        # An ended campaign says how: its goal met (succeeded, or since closed with it).
        "outcome": None if not ended else "Réussie" if campaign["status"] == SUCCEEDED
        or (campaign["status"] == CLOSED and total >= goal) else "Objectif non atteint",
        "deadline": formats.long_date(campaign["deadline"]),
        "matchfunder": matchfunding["funder"] if matchfunding else None,
        # Only those who may see it before its publication are shown such a campaign.
        "unpublished": not is_public(campaign["status"]),
    }


def reward_delivery(reward: dict) -> str | None:
    """When and how a reward reaches its contributor, as its carrier said: « Prévue en
    mars 2027 · À retirer sur place »; None when nothing was said."""
    delivery = reward.get("estimated_delivery")
    said = [f"Prévue en {formats.month_year(delivery)}" if delivery else None,
            labels.REWARD_HANDOVERS.get(reward.get("handover") or "")]
    return " · ".join(part for part in said if part) or None


def share_links(title: str, address: str) -> dict:
    """How a campaign is passed on (_campaign.html's share): its address, and an email
    ready to send with it."""
    subject = f"Une campagne à soutenir : {title}"
    body = f"Je vous fais connaître la campagne « {title} » sur Domb'Innov : {address}"
    return {"address": address,
            "mail": f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}"}


def campaign_share(campaign: dict) -> dict:
    """share_links for a campaign, its address as people reach the site (PUBLIC_URL)."""
    address = current_app.extensions["web_public_url"] + url_for("web.campaign_page",
                                                                 campaign_id=campaign["id"])
    return share_links(campaign["title"], address)
