"""The incubation pipeline for animators: the board of projects by stage
(/animation/projets, as `GET /projects/board`), a new project's form (as `POST
/projects`), and a project's file with its forms: move it to another stage, record
support hours, add a partner, report jobs, record the enterprise it created, set and
reach milestones, publish news (as the API's `/projects/<id>/...` routes); its card, its
milestones and its partners to edit (as `PATCH /projects/<id>` and its records'), its
support hours and job reports to correct with a reason (as `PATCH .../support/<id>` and
`/job-reports/<id>`; see gateway/web/edits.py), the history of those corrections, and
its campaigns, each leading to where an animator acts on it (review, money received)."""
from datetime import date

from flask import request, url_for

from gateway.calls import call
from gateway.web import animation_labels as words
from gateway.web import edits, formats, forms, labels
from gateway.web.animation import (
    STAFF,
    actor,
    done,
    every_item,
    long_day,
    refusal,
    render,
)
from gateway.web.blueprint import web
from gateway.web.carrier_campaigns import STATUS_LABELS as CAMPAIGN_STATUSES
from gateway.web.public import reader
from gateway.web.security import signed_in
from services.projects.domain import FIELDS, STAGES, check_launch, check_stage_move
from shared.errors import INVALID, NOT_FOUND, DomainError

# What each form of a project's file sends: its RPC, the API fields from the form's
# fields (and how to read them), its fields' French sentences when the service refuses
# them, and what the page says once it is done.
FORMS = {
    "etape": {
        "method": "move_stage",
        "fields": {"stage": ("stage", None), "reason": ("reason", None)},
        "messages": {"stage": "Choisissez l'étape où va le projet.",
                     "reason": "Dites pourquoi le projet revient en arrière ou est abandonné "
                               "(500 caractères au plus)."},
        "done": "Le projet a changé d'étape.",
    },
    "accompagnement": {
        "method": "give_support",
        "fields": {"kind": ("kind", None), "hours": ("hours", forms.number),
                   "given_on": ("given_on", None), "given_by": ("given_by", None)},
        "messages": {"kind": "Choisissez le type d'accompagnement.",
                     "hours": "Indiquez les heures d'une journée : plus de 0 et 24 au plus, "
                              "avec deux décimales au plus (par exemple 1,5).",
                     "given_on": "Indiquez la date de l'accompagnement : aujourd'hui au plus "
                                 "tard.",
                     "given_by": "Indiquez qui a accompagné le projet (200 caractères au "
                                 "plus)."},
        "done": "Les heures d'accompagnement sont enregistrées.",
    },
    "partenaire": {
        "method": "add_partner",
        "fields": {"organisation_id": ("organisation_id", None), "name": ("name", None),
                   "circle": ("circle", None), "formalisation": ("formalisation", None),
                   "role": ("role", None), "starts_on": ("starts_on", None),
                   "ends_on": ("ends_on", None)},
        "messages": {"name": "Nommez le partenaire, ou choisissez sa structure dans la liste "
                             "(200 caractères au plus).",
                     "organisation_id": "Choisissez une structure de la liste.",
                     "circle": "Choisissez le cercle du partenaire.",
                     "formalisation": "Choisissez le degré de formalisation.",
                     "role": "Le rôle tient en 200 caractères au plus.",
                     "starts_on": "Une date de début valide, ou rien.",
                     "ends_on": "Une date de fin valide, ou rien."},
        "done": "Le partenaire est ajouté.",
    },
    "emplois": {
        "method": "report_jobs",
        "fields": {"reported_on": ("reported_on", None),
                   "created_fte": ("created_fte", forms.number),
                   "consolidated_fte": ("consolidated_fte", forms.number),
                   "insertion_fte": ("insertion_fte", forms.number)},
        "messages": {"reported_on": "Indiquez la date du bilan : aujourd'hui au plus tard.",
                     "created_fte": "Indiquez les emplois créés en ETP, de 0 à 10 000 (par "
                                    "exemple 1,5 ; 0 s'il n'y en a pas).",
                     "consolidated_fte": "Indiquez les emplois consolidés en ETP, de 0 à "
                                         "10 000 (0 s'il n'y en a pas).",
                     "insertion_fte": "Les emplois d'insertion font partie des emplois créés "
                                      "et consolidés : pas plus que leur somme."},
        "done": "Le bilan d'emplois est enregistré.",
    },
    "entreprise": {
        "method": "record_enterprise",
        "fields": {"name": ("name", None), "legal_form": ("legal_form", None),
                   "siren": ("siren", None), "created_on": ("created_on", None)},
        "messages": {"name": "Le nom de l'entreprise, de 2 à 200 caractères.",
                     "legal_form": "Choisissez la forme juridique.",
                     "siren": "Un SIREN valide : 9 chiffres, dont le dernier est la clé.",
                     "created_on": "Indiquez la date de création : aujourd'hui au plus "
                                   "tard."},
        "done": "L'entreprise est enregistrée : le projet est lancé.",
    },
    "jalon": {
        "method": "set_milestone",
        "fields": {"title": ("title", None), "due_on": ("due_on", None)},
        "messages": {"title": "Nommez le jalon (200 caractères au plus).",
                     "due_on": "Indiquez la date prévue."},
        "done": "Le jalon est ajouté.",
    },
    "actualite": {
        "method": "publish_news",
        "fields": {"title": ("title", None), "body": ("body", None),
                   "visibility": ("visibility", None)},
        "messages": {"title": "Donnez un titre à l'actualité (200 caractères au plus).",
                     "body": "Écrivez le texte de l'actualité (20 000 caractères au plus).",
                     "visibility": "Choisissez à qui s'adresse l'actualité."},
        "done": "L'actualité est publiée : chaque contributeur des campagnes du projet la "
                "reçoit une fois par courriel.",
    },
}
# Marking a milestone reached: one small form per milestone not reached yet.
MILESTONE_REACHED = {
    "fields": {"completed_on": ("completed_on", None)},
    "messages": {"completed_on": "Indiquez le jour où le jalon a été atteint : aujourd'hui au "
                                 "plus tard."},
    "done": "Le jalon est atteint.",
}
# The new project's form: the API's `POST /projects` body from the form's fields.
NEW_PROJECT = {
    "fields": {"title": ("title", None), "summary": ("summary", None),
               "field": ("field", None), "commune": ("commune", None),
               "territory": ("territory", None),
               "carrier_organisation_id": ("carrier_organisation_id", None),
               "founders": ("founders", None)},
    "messages": {"title": "Donnez un titre au projet, de 3 à 200 caractères.",
                 "summary": "Décrivez le projet en quelques lignes (5 000 caractères au "
                            "plus).",
                 "field": "Choisissez la filière du projet.",
                 "commune": "Indiquez la commune du projet.",
                 "territory": "Choisissez le territoire du projet.",
                 "carrier_organisation_id": "Choisissez la structure porteuse, ou nommez les "
                                            "fondateurs : l'un ou l'autre.",
                 "founders": "Les noms des fondateurs tiennent en 500 caractères au plus."},
    "done": "Le projet est créé : il entre dans le parcours comme idée.",
}
VISIBILITIES = {"public": "Publique : sur la page du projet",
                "contributors": "Réservée aux contributeurs de ses campagnes"}
DONE = {**{name: spec["done"] for name, spec in FORMS.items()},
        "atteint": MILESTONE_REACHED["done"], "nouveau": NEW_PROJECT["done"],
        "fiche": "La fiche du projet est enregistrée.",
        **{f"modifie-{kind}": spec[3] for kind, spec in edits.PROJECT_RECORDS.items()}}
# Where the page goes once a record is saved: a correction to the history that shows it.
RECORD_ANCHORS = {"jalon": "jalon", "partenaire": "partenaire", "heures": "corrections",
                  "bilan": "corrections"}
CONFLICTS = {
    "project_abandoned": "Un projet abandonné ne change plus d'étape.",
    "launch_needs_enterprise": "Un projet est lancé quand on enregistre l'entreprise qu'il a "
                               "créée : utilisez le formulaire « Entreprise créée ».",
    "stage_move_not_allowed": "Ce changement d'étape n'est pas possible : un projet avance "
                              "d'une étape à la fois.",
    "already_launched_or_closed": "Ce projet est déjà lancé ou clos : son entreprise ne peut "
                                  "plus être enregistrée.",
    "enterprise_exists": "L'entreprise de ce projet est déjà enregistrée.",
    "milestone_completed": "Ce jalon est déjà atteint.",
}


@web.get("/animation/projets")
@signed_in(STAFF)
def board(principal):
    return render("web/animation/board.html", "projects",
                  columns=board_columns(call("projects", "board")["columns"]))


@web.get("/animation/projets/nouveau")
@signed_in(STAFF)
def new_project(principal):
    return new_project_page()


@web.post("/animation/projets/nouveau")
@signed_in(STAFF)
def create_project(principal):
    body = forms.payload(request.form, NEW_PROJECT["fields"])
    # The service would take "outside" for a territory not given, and it is not edited
    # later: the page has it chosen.
    body.setdefault("territory", "")
    try:
        project = call("projects", "submit_project", body, actor(principal))
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, NEW_PROJECT["messages"])
        return new_project_page(forms.values(request.form, NEW_PROJECT["fields"]), errors,
                                status)
    return done("web.project", project_id=project["id"], fait="nouveau")


def new_project_page(typed=None, errors=None, status=200):
    organisations = every_item("members", "list_organisations", {})
    return render("web/animation/new_project.html", "projects", status,
                  organisations=organisation_choices(organisations),
                  fields=[(code, labels.label(labels.FIELDS, code)) for code in FIELDS],
                  territories=labels.TERRITORY_LABELS.items(),
                  typed=typed or {}, errors=errors or {})


@web.get("/animation/projets/<uuid:project_id>")
@signed_in(STAFF)
def project(principal, project_id):
    return project_page(principal, str(project_id), done=DONE.get(request.args.get("fait", "")))


@web.post("/animation/projets/<uuid:project_id>/fiche")
@signed_in(STAFF)
def project_card(principal, project_id):
    project_id = str(project_id)
    refused = edits.save_project(project_id, request.form, actor(principal))
    if refused:
        fiche, status = refused
        return project_page(principal, project_id, "fiche", errors=fiche["errors"],
                            status=status, fiche=fiche)
    return done("web.project", project_id=project_id, fait="fiche", _anchor="fiche")


@web.post("/animation/projets/<uuid:project_id>/<any(jalon, partenaire, heures, bilan):kind>"
          "/<uuid:record_id>/modifier")
@signed_in(STAFF)
def project_record(principal, project_id, kind, record_id):
    """Edit a milestone or a partner, correct support hours or a job report."""
    project_id, record_id = str(project_id), str(record_id)
    refused = edits.save_project_record(kind, project_id, record_id, request.form,
                                        actor(principal))
    if refused:
        card, status = refused
        prefix = edits.record_prefix(kind, record_id)
        return project_page(principal, project_id, prefix, errors=card["errors"],
                            status=status, refused=(prefix, card))
    return done("web.project", project_id=project_id, fait=f"modifie-{kind}",
                _anchor=RECORD_ANCHORS[kind])


@web.post("/animation/projets/<uuid:project_id>/jalons/<uuid:milestone_id>")
@signed_in(STAFF)
def milestone_reached(principal, project_id, milestone_id):
    project_id, milestone_id = str(project_id), str(milestone_id)
    body = forms.payload(request.form, MILESTONE_REACHED["fields"])
    try:
        call("projects", "complete_milestone", project_id, milestone_id, body,
             actor(principal))
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, MILESTONE_REACHED["messages"])
        typed = forms.values(request.form, MILESTONE_REACHED["fields"])
        return project_page(principal, project_id, f"atteint-{milestone_id}", typed, errors,
                            status)
    return done("web.project", project_id=project_id, fait="atteint", _anchor="jalon")


@web.post("/animation/projets/<uuid:project_id>/<any(etape, accompagnement, partenaire, "
          "emplois, entreprise, jalon, actualite):form>")
@signed_in(STAFF)
def project_form(principal, project_id, form):
    spec, project_id = FORMS[form], str(project_id)
    body = forms.payload(request.form, spec["fields"])
    if form == "partenaire":
        body["shown_publicly"] = request.form.get("shown_publicly") == "oui"
    try:
        call("projects", spec["method"], project_id, body, actor(principal))
    except DomainError as exc:
        errors, status = refusal(exc, CONFLICTS, spec["messages"])
        typed = forms.values(request.form, [*spec["fields"], "shown_publicly"])
        return project_page(principal, project_id, form, typed, errors, status)
    return done("web.project", project_id=project_id, fait=form, _anchor=form)


def project_page(principal, project_id, form=None, typed=None, errors=None, status=200,
                 done=None, fiche=None, refused=None):
    record = call("projects", "project_file", project_id, actor(principal))
    organisations = call("members", "list_organisations", {"limit": "100"})["items"]
    return render("web/animation/project.html", "projects", status,
                  p=project_view(record, _carrier(record, organisations), formats.today()),
                  choices=stage_choices(record["stage"]),
                  may_launch=may_launch(record["stage"]) and not record["enterprise"],
                  organisations=[(o["id"], o["name"]) for o in organisations],
                  words=words, form=form, typed=typed or {}, errors=errors or {}, done=done,
                  today=formats.today().isoformat(), visibilities=VISIBILITIES.items(),
                  cards=edits.record_cards(record, refused),
                  campaigns=campaign_rows(call("funding", "list_campaigns", {
                      "project_id": project_id, "limit": "100"}, reader())["items"]),
                  **edits.project_card(record, fiche, url_for("web.project_card",
                                                              project_id=project_id)))


def campaign_rows(campaigns):
    """A project's campaigns, each with its status in French and the animators' page
    where it is acted on: the review while in review, the money received while live."""
    return [{"id": c["id"], "title": c["title"],
             "status": labels.label(CAMPAIGN_STATUSES, c["status"]),
             "page": url_for("web.campaign_money", campaign_id=c["id"])
             if c["status"] == "live" else url_for("web.campaign_review",
                                                   _anchor=f"campagne-{c['id']}")
             if c["status"] == "in_review" else None}
            for c in campaigns]


def _carrier(record, organisations):
    """The carrying organisation's name: from the list at hand, else asked."""
    carrier_id = record.get("carrier_organisation_id")
    if not carrier_id:
        return None
    for organisation in organisations:
        if organisation["id"] == carrier_id:
            return organisation["name"]
    try:
        return call("members", "get_organisation", carrier_id)["name"]
    except DomainError as exc:
        if exc.kind != NOT_FOUND:
            raise
        return None


# --- shaping the data for the pages (pure) --------------------------------------------

def _days(days: int) -> str:
    return f"{formats.number(days)} jour{'s' if days > 1 else ''}"


def in_stage_for(days: int) -> str:
    return "depuis aujourd'hui" if days <= 0 else f"depuis {_days(days)}"


def board_columns(columns):
    """The board's columns in pipeline order, each card with its words in French."""
    return [{"stage": column["stage"],
             "label": labels.label(words.STAGE_LABELS, column["stage"]),
             "count": len(column["projects"]),
             "projects": [{"id": card["id"], "title": card["title"],
                           "commune": card["commune"],
                           "field": labels.label(labels.FIELDS, card["field"]),
                           "since": in_stage_for(card["days_in_stage"])}
                          for card in column["projects"]]}
            for column in columns]


def organisation_choices(organisations):
    """The member organisations that may carry a project, as (id, name) by name."""
    return sorted(((o["id"], o["name"]) for o in organisations),
                  key=lambda choice: choice[1].lower())


def milestones_view(milestones, today):
    """A project's milestones by due day: each says whether it is reached (and when),
    late, or still ahead."""
    shown = []
    for item in sorted(milestones, key=lambda m: (m["due_on"], m["title"])):
        due = date.fromisoformat(item["due_on"])
        if item["completed_on"]:
            status = f"Atteint le {long_day(item['completed_on'])}"
        elif due < today:
            status = "En retard"
        else:
            status = "À venir"
        shown.append({"id": item["id"], "title": item["title"], "due": long_day(due),
                      "status": status, "reached": bool(item["completed_on"])})
    return shown


def news_view(news):
    """A project's news, the latest first, each saying who may read it."""
    return [{"title": item["title"], "body": item["body"],
             "on": formats.long_date(item["published_at"]),
             "audience": "Publique" if item["visibility"] == "public"
             else "Contributeurs seulement"}
            for item in sorted(news, key=lambda n: n["published_at"], reverse=True)]


def stage_choices(current):
    """The stages a project may go to from `current`, by projects' own rule, as (code,
    label); the label says when a reason is needed. A move the rule forbids is not
    offered; launch has its own form (the enterprise)."""
    choices = []
    for stage in STAGES:
        if stage == current:
            continue
        try:
            check_stage_move(current, stage, None)
            choices.append((stage, words.STAGE_LABELS[stage]))
        except DomainError as exc:
            if exc.kind == INVALID:  # allowed with a reason
                choices.append((stage, f"{words.STAGE_LABELS[stage]} (avec une raison)"))
    return choices


def may_launch(stage) -> bool:
    try:
        check_launch(stage)
    except DomainError:
        return False
    return True


def _hours(value):
    return f"{formats.number(value)} h"


def _period(starts_on, ends_on):
    if starts_on and ends_on:
        return f"du {long_day(starts_on)} au {long_day(ends_on)}"
    if starts_on:
        return f"depuis le {long_day(starts_on)}"
    if ends_on:
        return f"jusqu'au {long_day(ends_on)}"
    return "—"


def project_view(record, carrier_name, today):
    """A project's file as its page shows it: every code in French, every number and
    date the French way."""
    entered = formats.local_date(record["stage_entered_at"])
    return {
        "id": record["id"], "title": record["title"], "summary": record["summary"],
        "stage": record["stage"], "stage_label": labels.label(words.STAGE_LABELS,
                                                              record["stage"]),
        "since": f"depuis le {formats.long_date(entered)}"
                 + (f" ({_days((today - entered).days)})" if today > entered else ""),
        "field": labels.label(labels.FIELDS, record["field"]),
        "place": f"{record['commune']} · "
                 f"{labels.label(labels.TERRITORY_LABELS, record['territory'])}",
        "carrier": carrier_name or record.get("founders") or "—",
        "carried_by_founders": not record.get("carrier_organisation_id"),
        "history": [{"on": formats.long_date(move["at"]),
                     "from": labels.label(words.STAGE_LABELS, move["from_stage"])
                     if move["from_stage"] else "—",
                     "to": labels.label(words.STAGE_LABELS, move["to_stage"]),
                     "reason": move["reason"] or ""}
                    for move in reversed(record["history"])],
        "support_hours": _hours(record["support_hours"]),
        "support": [{"id": item["id"], "on": long_day(item["given_on"]),
                     "kind": labels.label(words.SUPPORT_KINDS, item["kind"]),
                     "hours": _hours(item["hours"]), "by": item["given_by"]}
                    for item in sorted(record["support"], key=lambda s: s["given_on"],
                                       reverse=True)],
        "partners": [{"id": item["id"], "name": item["name"],
                      "circle": labels.label(words.PARTNER_CIRCLES, item["circle"]),
                      "formalisation": labels.label(words.FORMALISATIONS,
                                                    item["formalisation"]),
                      "role": item["role"] or "—",
                      "period": _period(item["starts_on"], item["ends_on"]),
                      "shown": "Oui" if item["shown_publicly"] else "Non"}
                     for item in sorted(record["partners"], key=lambda p: p["name"].lower())],
        "jobs": [{"id": item["id"], "on": long_day(item["reported_on"]),
                  "created": f"{formats.number(item['created_fte'])} ETP",
                  "consolidated": f"{formats.number(item['consolidated_fte'])} ETP",
                  "insertion": f"{formats.number(item['insertion_fte'])} ETP"}
                 for item in sorted(record["job_reports"], key=lambda j: j["reported_on"],
                                    reverse=True)],
        "enterprise": record["enterprise"] and {
            "name": record["enterprise"]["name"],
            "legal_form": labels.label(labels.LEGAL_FORM_LABELS,
                                       record["enterprise"]["legal_form"]),
            "siren": record["enterprise"]["siren"],
            "on": long_day(record["enterprise"]["created_on"])},
        "milestones": milestones_view(record["milestones"], today),
        "news": news_view(record["news"]),
        "corrections": corrections_view(record.get("corrections") or []),
    }


def corrections_view(corrections):
    """Staff corrections of support hours and jobs, the latest first: what, before and
    after, why, when."""
    return [{"on": formats.long_date(item["at"]),
             "what": f"{labels.label(words.CORRECTED_RECORDS, item['record'])} · "
                     f"{labels.label(words.CORRECTED_FIELDS, item['field'])}",
             "before": _corrected_value(item["field"], item["before"]),
             "after": _corrected_value(item["field"], item["after"]),
             "reason": item["reason"]}
            for item in reversed(corrections)]


def _corrected_value(field, value):
    if value is None:
        return "—"
    if field == "given_on":
        return long_day(value)
    if field == "kind":
        return labels.label(words.SUPPORT_KINDS, value)
    if field == "hours":
        return _hours(float(value))
    if field.endswith("_fte"):
        return f"{formats.number(float(value))} ETP"
    return value
