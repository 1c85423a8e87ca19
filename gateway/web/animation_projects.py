"""The incubation pipeline for animators: the board of projects by stage
(/animation/projets, as `GET /projects/board`), and a project's file with its forms:
move it to another stage, record support hours, add a partner, report jobs, record
the enterprise it created (as the API's `/projects/<id>/...` routes)."""
from flask import request

from gateway.calls import call
from gateway.web import animation_labels as words
from gateway.web import formats, forms, labels
from gateway.web.animation import STAFF, actor, done, long_day, refusal, render
from gateway.web.blueprint import web
from gateway.web.security import signed_in
from services.projects.domain import STAGES, check_launch, check_stage_move
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
                     "hours": "Indiquez le nombre d'heures, de 0 à 1 000, avec deux "
                              "décimales au plus (par exemple 1,5).",
                     "given_on": "Indiquez la date de l'accompagnement.",
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
        "messages": {"reported_on": "Indiquez la date du bilan.",
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
                     "created_on": "Indiquez la date de création."},
        "done": "L'entreprise est enregistrée : le projet est lancé.",
    },
}
CONFLICTS = {
    "project_abandoned": "Un projet abandonné ne change plus d'étape.",
    "launch_needs_enterprise": "Un projet est lancé quand on enregistre l'entreprise qu'il a "
                               "créée : utilisez le formulaire « Entreprise créée ».",
    "stage_move_not_allowed": "Ce changement d'étape n'est pas possible : un projet avance "
                              "d'une étape à la fois.",
    "already_launched_or_closed": "Ce projet est déjà lancé ou clos : son entreprise ne peut "
                                  "plus être enregistrée.",
    "enterprise_exists": "L'entreprise de ce projet est déjà enregistrée.",
}


@web.get("/animation/projets")
@signed_in(STAFF)
def board(principal):
    return render("web/animation/board.html", "projects",
                  columns=board_columns(call("projects", "board")["columns"]))


@web.get("/animation/projets/<uuid:project_id>")
@signed_in(STAFF)
def project(principal, project_id):
    return project_page(principal, str(project_id), done=FORMS.get(
        request.args.get("fait", ""), {}).get("done"))


@web.post("/animation/projets/<uuid:project_id>/<any(etape, accompagnement, partenaire, "
          "emplois, entreprise):form>")
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
                 done=None):
    record = call("projects", "project_file", project_id, actor(principal))
    organisations = call("members", "list_organisations", {"limit": "100"})["items"]
    return render("web/animation/project.html", "projects", status,
                  p=project_view(record, _carrier(record, organisations), formats.today()),
                  choices=stage_choices(record["stage"]),
                  may_launch=may_launch(record["stage"]) and not record["enterprise"],
                  organisations=[(o["id"], o["name"]) for o in organisations],
                  words=words, form=form, typed=typed or {}, errors=errors or {}, done=done,
                  today=formats.today().isoformat())


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
        "support": [{"on": long_day(item["given_on"]),
                     "kind": labels.label(words.SUPPORT_KINDS, item["kind"]),
                     "hours": _hours(item["hours"]), "by": item["given_by"]}
                    for item in sorted(record["support"], key=lambda s: s["given_on"],
                                       reverse=True)],
        "partners": [{"name": item["name"],
                      "circle": labels.label(words.PARTNER_CIRCLES, item["circle"]),
                      "formalisation": labels.label(words.FORMALISATIONS,
                                                    item["formalisation"]),
                      "role": item["role"] or "—",
                      "period": _period(item["starts_on"], item["ends_on"]),
                      "shown": "Oui" if item["shown_publicly"] else "Non"}
                     for item in sorted(record["partners"], key=lambda p: p["name"].lower())],
        "jobs": [{"on": long_day(item["reported_on"]),
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
    }
