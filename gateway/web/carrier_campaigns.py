"""A carrier's own campaigns (/mon-organisation/campagnes), for the member admins of the
organisation carrying a project: draft a campaign (its story in Markdown, a video link,
its funding model (all or nothing, or keep it all), its goal, optimum and deadline, for
cooperative shares a goal in new members, rewards with their stock, delivered or picked
up, or for a loan or cooperative shares their key information sheet: carrier_sheet.py), change
it while it is a draft or sent back (naming the version read, as `PATCH
/campaigns/<id>`), give it a cover picture (as `PUT /campaigns/<id>/cover-image`), and
submit it to the animators (as `POST /campaigns/<id>/submit`), who review it at
/animation/campagnes. The service checks who may: the carrier's admins only."""
import base64
from datetime import date, datetime, time

from flask import render_template, request

from gateway.calls import FILE_FIELD, call
from gateway.funding_routes import FORM_OVERHEAD_BYTES, IMAGE_MEDIA, MAX_IMAGE_BYTES
from gateway.web import carrier_sheet, formats, forms, labels
from gateway.web.animation import done, refusal
from gateway.web.blueprint import BODY_LIMITS, web
from gateway.web.public import reader
from gateway.web.security import signed_in
from gateway.web.story import render_story
from services.funding.domain.campaigns import ALL_OR_NOTHING, KEEP_IT_ALL, SHARES
from shared.errors import DomainError

ROLES = ("member_admin",)
REWARD_ROWS = 3  # the form's reward lines; more through the API
KINDS = (("donation", "Don"), ("reward", "Don avec contreparties"), ("loan", "Prêt"),
         ("shares", "Parts sociales de la coopérative"))
HANDOVERS = tuple(labels.REWARD_HANDOVERS.items())
# The funding models (services.funding.domain.campaigns.MODELS): each with what it means
# for the project and its contributors, as the carrier chooses.
MODELS = (
    (ALL_OR_NOTHING, labels.CAMPAIGN_MODELS[ALL_OR_NOTHING],
     "Si l'objectif n'est pas atteint à la date limite, chaque contributeur est remboursé "
     "et le projet ne reçoit rien. À choisir quand le projet ne peut pas se faire avec "
     "moins que l'objectif."),
    (KEEP_IT_ALL, labels.CAMPAIGN_MODELS[KEEP_IT_ALL],
     "Le projet reçoit chaque contribution, que l'objectif soit atteint ou non. À choisir "
     "quand chaque euro collecté sert déjà le projet."),
)
STATUS_LABELS = {"draft": "Brouillon", "sent_back": "Renvoyée par l'équipe d'animation",
                 "in_review": "En cours de validation", "live": "En ligne",
                 "succeeded": "Réussie", "failed": "Terminée sans atteindre son objectif",
                 "closed": "Close"}
EDITABLE = ("draft", "sent_back")
FIELDS = ("projet", "titre", "histoire", "video", "type", "modele", "objectif", "optimum",
          "objectif_membres", "date_limite",
          *(f"contrepartie-{i}-{part}" for i in range(REWARD_ROWS)
            for part in ("titre", "montant", "stock", "remise")),
          *carrier_sheet.TYPED_NAMES)
ALIASES = {"project_id": "projet", "title": "titre", "description": "histoire",
           "video_url": "video", "kind": "type", "model": "modele", "goal_cents": "objectif",
           "optimum_cents": "optimum", "people_goal": "objectif_membres",
           "deadline": "date_limite", "rewards": "contreparties",
           **{f"rewards.{i}.{name}": f"contrepartie-{i}-{part}" for i in range(REWARD_ROWS)
              for name, part in (("title", "titre"), ("min_amount_cents", "montant"),
                                 ("stock", "stock"), ("handover", "remise"))},
           **carrier_sheet.ALIASES}
MESSAGES = {
    "projet": "Choisissez un des projets que votre structure porte.",
    "titre": "Donnez un titre de 3 à 200 caractères.",
    "histoire": "L'histoire fait 20 000 caractères au plus.",
    "video": "Collez l'adresse complète de la vidéo, en https://.",
    "type": "Choisissez le type de campagne.",
    "modele": "Choisissez « Tout ou rien » ou « Tout compte ».",
    "objectif_membres": "Indiquez un nombre entier de nouveaux sociétaires, d'au moins 1 "
                        "(ou laissez vide).",
    "objectif": "Indiquez l'objectif en euros, par exemple 8 000.",
    "optimum": "L'objectif optimal dépasse l'objectif (ou laissez-le vide).",
    "date_limite": "Choisissez une date limite à venir.",
    "contreparties": ("contreparties", "Une campagne avec contreparties en propose au moins "
                                       "une ; un simple don n'en propose pas."),
    **{f"contrepartie-{i}-{part}": message for i in range(REWARD_ROWS)
       for part, message in (("titre", "Donnez un titre à cette contrepartie."),
                             ("montant", "Indiquez un montant d'au moins 1 €."),
                             ("stock", "Indiquez un nombre entier, ou laissez vide "
                                       "(sans limite)."),
                             ("remise", "Choisissez comment elle est remise."))},
    **carrier_sheet.MESSAGES,
}
CONFLICTS = {
    "campaign_not_editable": "Cette campagne n'est plus modifiable : elle a été soumise.",
    "campaign_wrong_status": "Cette campagne a déjà été soumise.",
    "version_conflict": "Quelqu'un d'autre a modifié cette campagne entre-temps : voici sa "
                        "version actuelle. Reprenez vos changements.",
}
PICTURE_MESSAGE = "Choisissez une photo JPEG, PNG ou WebP de 5 Mo au plus."
DONE = {"creee": "Votre brouillon est enregistré.", "modifiee": "Vos changements sont "
        "enregistrés.", "image": "La photo de couverture est enregistrée.",
        "soumise": "Votre campagne est soumise : l'équipe d'animation la relit."}


@web.get("/mon-organisation/campagnes")
@signed_in(ROLES)
def my_campaigns(principal):
    projects = _own_projects(principal)
    campaigns = []
    for project in projects:
        campaigns += [_listed(campaign, project) for campaign in call(
            "funding", "list_campaigns", {"project_id": project["id"], "limit": "100"},
            reader())["items"]]
    return render_template("web/carrier/campaigns.html", active="organisation",
                           campaigns=campaigns, projects=projects)


@web.route("/mon-organisation/campagnes/nouvelle", methods=["GET", "POST"])
@signed_in(ROLES)
def new_campaign(principal):
    projects = _own_projects(principal)
    if request.method == "GET":
        chosen = request.args.get("projet", "")
        return _form_page(None, projects, typed={"projet": chosen})
    try:
        body = {"project_id": forms.text(request.form, "projet"), **_campaign_body(request.form)}
        campaign = call("funding", "create_campaign", body, reader())
    except forms.FormError as exc:
        return _form_page(None, projects, exc.errors, forms.values(request.form, FIELDS), 422)
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, MESSAGES, ALIASES)
        return _form_page(None, projects, errors, forms.values(request.form, FIELDS), status)
    return done("web.my_campaign", campaign_id=campaign["id"], fait="creee")


@web.route("/mon-organisation/campagnes/<uuid:campaign_id>", methods=["GET", "POST"])
@signed_in(ROLES)
def my_campaign(principal, campaign_id):
    campaign = call("funding", "get_campaign", str(campaign_id), reader())
    if request.method == "GET":
        return _form_page(campaign, (), done=DONE.get(request.args.get("fait", "")))
    try:
        body = {"version": forms.integer(forms.text(request.form, "version")),
                **_campaign_body(request.form)}
        call("funding", "edit_campaign", str(campaign_id), body, reader())
    except forms.FormError as exc:
        return _form_page(campaign, (), exc.errors, forms.values(request.form, FIELDS), 422)
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, MESSAGES, ALIASES)
        if exc.code == "version_conflict":  # what is there now, to change again
            campaign = call("funding", "get_campaign", str(campaign_id), reader())
            return _form_page(campaign, (), errors, status=status)
        return _form_page(campaign, (), errors, forms.values(request.form, FIELDS), status)
    return done("web.my_campaign", campaign_id=str(campaign_id), fait="modifiee")


@web.post("/mon-organisation/campagnes/<uuid:campaign_id>/photo")
@signed_in(ROLES)
def my_campaign_picture(principal, campaign_id):
    upload = request.files.get(FILE_FIELD)
    campaign = call("funding", "get_campaign", str(campaign_id), reader())
    if upload is None or upload.mimetype not in IMAGE_MEDIA:
        return _form_page(campaign, (), {"file": PICTURE_MESSAGE}, status=415)
    content = upload.read(MAX_IMAGE_BYTES + 1)
    if len(content) > MAX_IMAGE_BYTES:
        return _form_page(campaign, (), {"file": PICTURE_MESSAGE}, status=413)
    try:
        call("funding", "set_cover_image", str(campaign_id), {
            "content": base64.b64encode(content).decode(), "media_type": upload.mimetype},
            reader())
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, {"file": PICTURE_MESSAGE,
                                                  "content": ("file", PICTURE_MESSAGE)})
        return _form_page(campaign, (), errors, status=status)
    return done("web.my_campaign", campaign_id=str(campaign_id), fait="image")


BODY_LIMITS["web.my_campaign_picture"] = MAX_IMAGE_BYTES + FORM_OVERHEAD_BYTES


@web.post("/mon-organisation/campagnes/<uuid:campaign_id>/soumettre")
@signed_in(ROLES)
def submit_my_campaign(principal, campaign_id):
    try:
        call("funding", "submit_campaign", str(campaign_id), principal.account_id, reader())
    except DomainError as exc:
        campaign = call("funding", "get_campaign", str(campaign_id), reader())
        errors, status = refusal(exc, CONFLICTS, {})
        return _form_page(campaign, (), errors, status=status)
    return done("web.my_campaign", campaign_id=str(campaign_id), fait="soumise")


# --- the page -----------------------------------------------------------------------

def _own_projects(principal):
    if not principal.organisation_id:
        return []
    return call("projects", "list_projects", {
        "carrier_organisation_id": principal.organisation_id, "limit": "100"})["items"]


def _form_page(campaign, projects, errors=None, typed=None, status=200, done=None):
    return render_template(
        "web/carrier/campaign.html", active="organisation", campaign=campaign and
        campaign_view(campaign), projects=[(p["id"], p["title"]) for p in projects],
        kinds=KINDS, models=MODELS, handovers=HANDOVERS, rows=range(REWARD_ROWS),
        errors=errors or {}, sheet=carrier_sheet.GROUPS,
        typed=typed if typed is not None else (typed_from(campaign) if campaign else {}),
        done=done), status


def _listed(campaign, project):
    return {"id": campaign["id"], "title": campaign["title"], "project": project["title"],
            "status": STATUS_LABELS.get(campaign["status"], campaign["status"]),
            "editable": campaign["status"] in EDITABLE}


def campaign_view(campaign) -> dict:
    """What the carrier's page shows of its campaign beside the form (pure)."""
    return {"id": campaign["id"], "title": campaign["title"], "version": campaign["version"],
            "status": STATUS_LABELS.get(campaign["status"], campaign["status"]),
            "editable": campaign["status"] in EDITABLE,
            "note": campaign.get("review_note") if campaign["status"] == "sent_back" else None,
            "cover": campaign.get("cover_image"), "story": render_story(campaign["description"])}


def typed_from(campaign) -> dict:
    """The form filled with the campaign as it is (pure)."""
    typed = {"titre": campaign["title"], "histoire": campaign["description"],
             "video": campaign.get("video_url") or "", "type": campaign["kind"],
             "modele": campaign["model"],
             "objectif": forms.cents_to_typed(campaign["goal_cents"]),
             "optimum": forms.cents_to_typed(campaign.get("optimum_cents")),
             "objectif_membres": "" if campaign.get("people_goal") is None
             else str(campaign["people_goal"]),
             "date_limite": formats.local_date(campaign["deadline"]).isoformat()}
    for i, reward in enumerate((campaign.get("rewards") or [])[:REWARD_ROWS]):
        typed.update({f"contrepartie-{i}-titre": reward["title"],
                      f"contrepartie-{i}-montant": forms.cents_to_typed(
                          reward["min_amount_cents"]),
                      f"contrepartie-{i}-stock": "" if reward["stock"] is None
                      else str(reward["stock"]),
                      f"contrepartie-{i}-remise": reward.get("handover") or "delivery"})
    typed.update(carrier_sheet.typed_from(campaign["kind"], campaign.get("key_information")))
    return typed


def _campaign_body(form) -> dict:
    """The service's body from the form; what cannot be read is said in French."""
    errors = {}
    body = {"title": forms.text(form, "titre"), "description": form.get("histoire", "").strip(),
            "kind": forms.text(form, "type") or "donation",
            "model": forms.text(form, "modele") or KEEP_IT_ALL,
            "video_url": forms.text(form, "video") or None}
    # A goal in new members is for shares only: a field the chosen kind hides sends none.
    people = forms.text(form, "objectif_membres") if body["kind"] == SHARES else ""
    body["people_goal"] = forms.integer(people) if people else None
    for name, field, required in (("goal_cents", "objectif", True),
                                  ("optimum_cents", "optimum", False)):
        typed = forms.text(form, field)
        if not typed and not required:
            body[name] = None
            continue
        try:
            body[name] = forms.euros_to_cents(typed)
        except ValueError as exc:
            errors[field] = str(exc)
    try:
        body["deadline"] = deadline_of(forms.text(form, "date_limite"))
    except ValueError:
        errors["date_limite"] = MESSAGES["date_limite"]
    body["rewards"] = []
    for i in range(REWARD_ROWS):
        title = forms.text(form, f"contrepartie-{i}-titre")
        if not title:
            continue
        stock = forms.text(form, f"contrepartie-{i}-stock")
        try:
            amount = forms.euros_to_cents(forms.text(form, f"contrepartie-{i}-montant"))
        except ValueError as exc:
            errors[f"contrepartie-{i}-montant"] = str(exc)
            continue
        body["rewards"].append({
            "title": title, "min_amount_cents": amount,
            "stock": forms.integer(stock) if stock else None,
            "handover": forms.text(form, f"contrepartie-{i}-remise") or "delivery"})
    body["key_information"], sheet_errors = carrier_sheet.sheet_of(
        form, body["kind"], body.get("goal_cents"), forms.text(form, "date_limite"))
    errors.update(sheet_errors)
    if errors:
        raise forms.FormError(errors)
    return body


def deadline_of(typed: str) -> str:
    """A day chosen in the form as the end of that day in France (pure)."""
    return datetime.combine(date.fromisoformat(typed), time(23, 59),
                            tzinfo=formats.PARIS).isoformat()

