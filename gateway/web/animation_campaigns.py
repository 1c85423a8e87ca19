"""Campaign review for animators (/animation/campagnes): the campaigns submitted for
review, each with what a reviewer checks, a button that approves it (it goes live, as
`POST /campaigns/<id>/approve`) and a form that sends it back to its authors with a
note (as `POST /campaigns/<id>/send-back`); its carriers then change it and submit it
again (carrier_campaigns.py). The live campaigns follow, each linking to
the page where animators record the money received off the platform
(animation_offline.py), a shares campaign saying how many subscriptions await the
board."""
from flask import request

from gateway.calls import call
from gateway.web import formats, forms, labels
from gateway.web.animation import STAFF, done, every_item, refusal, render
from gateway.web.animation_offline import awaiting_board
from gateway.web.blueprint import web
from gateway.web.investing import sheet_rows
from gateway.web.public import project_or_none, reader
from gateway.web.security import signed_in
from gateway.web.story import render_story
from services.funding.domain.investors import sheet_as_offered
from shared.errors import DomainError

IN_REVIEW, LIVE = "in_review", "live"
NOTE_MESSAGE = "Dites aux porteurs ce qu'il faut revoir (2 000 caractères au plus)."
CONFLICTS = {
    "campaign_wrong_status": "Cette campagne n'est plus en attente de validation : quelqu'un "
                             "l'a déjà traitée.",
    "campaign_deadline_passed": "Sa date limite est passée : renvoyez-la aux porteurs pour "
                                "qu'ils la changent.",
}
DONE = {"publiee": "« {title} » est en ligne : elle figure sur la page des campagnes.",
        "renvoyee": "« {title} » est renvoyée à ses porteurs avec votre note."}


@web.get("/animation/campagnes")
@signed_in(STAFF)
def campaign_review(principal):
    return review_page(done=_done_message())


@web.post("/animation/campagnes/<uuid:campaign_id>/approuver")
@signed_in(STAFF)
def approve_campaign(principal, campaign_id):
    try:
        call("funding", "approve_campaign", str(campaign_id), principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, {})
        return review_page(str(campaign_id), errors, status=status)
    return done("web.campaign_review", publiee=str(campaign_id))


@web.post("/animation/campagnes/<uuid:campaign_id>/renvoyer")
@signed_in(STAFF)
def send_back_campaign(principal, campaign_id):
    note = forms.text(request.form, "note")
    typed = {"note": note}
    if not note:  # the service takes none, but its authors would not know what to change
        return review_page(str(campaign_id), {"note": NOTE_MESSAGE}, typed, 422)
    try:
        call("funding", "send_back_campaign", str(campaign_id), {"note": note},
             principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, {"note": NOTE_MESSAGE})
        return review_page(str(campaign_id), errors, typed, status)
    return done("web.campaign_review", renvoyee=str(campaign_id))


NO_LONGER_IN_REVIEW = ("Cette campagne n'est plus en attente de validation : un autre membre "
                       "de l'équipe l'a sans doute traitée entre-temps.")


def review_page(target=None, errors=None, typed=None, status=200, done=None):
    """The campaigns in review; `target` is the one whose form comes back with errors."""
    campaigns = call("funding", "list_campaigns", {"status": IN_REVIEW, "limit": "100"},
                     reader())
    projects = {}
    for campaign in campaigns["items"]:
        if campaign["project_id"] not in projects:
            projects[campaign["project_id"]] = project_or_none(campaign["project_id"])
    if target and target not in {c["id"] for c in campaigns["items"]}:
        # Decided meanwhile: no card is left to say its errors next to the note.
        errors, typed = {forms.FORM: NO_LONGER_IN_REVIEW}, {}
    return render("web/animation/campaigns.html", "campaigns", status,
                  campaigns=[review_card(c, projects[c["project_id"]])
                             for c in campaigns["items"]],
                  live=live_rows(call("funding", "list_campaigns",
                                      {"status": LIVE, "limit": "100"}, reader())["items"]),
                  target=target, errors=errors or {}, typed=typed or {}, done=done)


def _done_message():
    """What the page says after a decision, named by the campaign's title."""
    for key, sentence in DONE.items():
        campaign_id = request.args.get(key, "")
        if campaign_id:
            try:
                return sentence.format(title=call("funding", "get_campaign", campaign_id,
                                                  reader())["title"])
            except DomainError:
                return None  # a hand-edited address: nothing to confirm
    return None


def live_rows(campaigns):
    """The live campaigns, each with its kind and, for cooperative shares, the number of
    subscriptions the board has to decide (what an animator looks for first)."""
    return [{"id": c["id"], "title": c["title"],
             "kind": labels.label(labels.CAMPAIGN_KINDS, c["kind"]),
             "awaiting": len(awaiting_board(every_item(
                 "funding", "list_campaign_contributions", {}, c["id"])))
             if c["kind"] == "shares" else 0}
            for c in campaigns]


def review_card(campaign, project):
    """What a reviewer reads of a campaign before deciding, in French."""
    matchfunding = campaign.get("matchfunding")
    return {
        "id": campaign["id"], "title": campaign["title"],
        "story": render_story(campaign["description"]),
        "cover": campaign.get("cover_image"), "video_url": campaign.get("video_url"),
        "project": project and f"{project['title']} · {project['commune']}",
        "kind": labels.label(labels.CAMPAIGN_KINDS, campaign["kind"]),
        "model": labels.label(labels.CAMPAIGN_MODELS, campaign["model"]),
        "model_hint": labels.MODEL_HINTS.get(campaign["model"], ""),
        "goal": formats.euros(campaign["goal_cents"]),
        "cap": formats.euros(campaign["cap_cents"]) if campaign.get("cap_cents") else None,
        "optimum": formats.euros(campaign["optimum_cents"]) if campaign.get("optimum_cents")
        else None,
        "minimum": formats.euros(campaign["min_contribution_cents"]),
        "starts": formats.long_date(campaign["starts_at"]),
        "deadline": formats.long_date(campaign["deadline"]),
        "rewards": [{"title": reward["title"], "from": formats.euros(reward["min_amount_cents"]),
                     "stock": formats.number(reward["stock"]) if reward["stock"] is not None
                     else "sans limite",
                     "handover": labels.REWARD_HANDOVERS.get(reward.get("handover"))}
                    for reward in campaign.get("rewards") or []],
        "matchfunding": matchfunding and (
            f"{matchfunding['funder']} abonde jusqu'à "
            f"{formats.euros(matchfunding['total_cap_cents'])} en tout, "
            f"{formats.euros(matchfunding['per_contribution_cap_cents'])} par contribution "
            f"et {formats.euros(matchfunding['per_contributor_cap_cents'])} par personne."),
        "previous_note": campaign.get("review_note"),
        # A loan's or shares' key information sheet, as investors will read it.
        "sheet": sheet_rows(sheet_as_offered(
            campaign["key_information"], campaign["goal_cents"],
            campaign["model"] == "all_or_nothing", campaign["deadline"]))
        if campaign.get("key_information") else None,
    }
