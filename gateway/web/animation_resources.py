"""The cluster's other resources for animators (/animation/ressources): grants, sales of
services and mutualisation income, and volunteering valued at the reference hourly
rate; the lists (as `GET /resources` and `GET /volunteering`, newest first) and the
forms that record them (as `POST /resources` and `POST /volunteering`)."""
from flask import request

from gateway.calls import call
from gateway.web import animation_labels as words
from gateway.web import formats, forms, labels
from gateway.web.animation import (
    STAFF,
    done,
    every_item,
    long_day,
    project_titles,
    refusal,
    render,
)
from gateway.web.blueprint import web
from gateway.web.security import signed_in
from shared.errors import DomainError

FORMS = {
    "ressource": {
        "method": "record_resource",
        "fields": {"kind": ("kind", None), "amount_cents": ("amount", forms.cents),
                   "year": ("year", forms.integer), "project_id": ("project_id", None),
                   "funder": ("funder", None), "funder_type": ("funder_type", None),
                   "programme": ("programme", None), "description": ("description", None)},
        "aliases": {"amount_cents": "amount"},
        "messages": {"kind": "Choisissez le type de ressource.",
                     "amount": "Un montant en euros, plus grand que zéro (par exemple 15 000 "
                               "ou 2 500,50).",
                     "year": "Une année en chiffres, de 2000 à 2100.",
                     "project_id": "Choisissez un projet de la liste, ou aucun.",
                     "funder": "Une subvention nomme son financeur (de 2 à 200 caractères) ; "
                               "les autres ressources n'en ont pas besoin.",
                     "funder_type": "Pour une subvention, dites qui la donne : argent "
                                    "public, fondation, investisseurs privés ou autre argent "
                                    "privé ; les autres ressources n'ont pas de type.",
                     "programme": "Le programme tient en 200 caractères au plus.",
                     "description": "La description tient en 1 000 caractères au plus."},
        "done": "La ressource est enregistrée.",
    },
    "benevolat": {
        "method": "record_volunteering",
        "fields": {"hours": ("hours", forms.number), "done_on": ("done_on", None),
                   "activity": ("activity", None), "project_id": ("project_id", None)},
        "aliases": {},
        "messages": {"hours": "Un nombre d'heures, de 0 à 1 000, avec deux décimales au plus "
                              "(par exemple 3,5).",
                     "done_on": "Indiquez le jour du bénévolat : aujourd'hui au plus tard.",
                     "activity": "Décrivez l'activité, de 2 à 300 caractères.",
                     "project_id": "Choisissez un projet de la liste, ou aucun."},
        "done": "Les heures de bénévolat sont enregistrées.",
    },
}


@web.get("/animation/ressources")
@signed_in(STAFF)
def resources(principal):
    return resources_page(done=FORMS.get(request.args.get("fait", ""), {}).get("done"))


@web.post("/animation/ressources/<any(ressource, benevolat):form>")
@signed_in(STAFF)
def record_resource(principal, form):
    spec = FORMS[form]
    try:
        call("funding", spec["method"], forms.payload(request.form, spec["fields"]),
             principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, {}, spec["messages"], spec["aliases"])
        typed = forms.values(request.form, [name for name, _ in spec["fields"].values()])
        return resources_page(form, typed, errors, status)
    return done("web.resources", fait=form, _anchor=form)


def resources_page(form=None, typed=None, errors=None, status=200, done=None):
    titles = project_titles()
    return render("web/animation/resources.html", "resources", status,
                  resources=resource_rows(every_item("funding", "list_resources", {}), titles),
                  volunteering=volunteering_rows(every_item("funding", "list_volunteering",
                                                            {}), titles),
                  projects=sorted(titles.items(), key=lambda item: item[1].lower()),
                  words=words, form=form, typed=typed or {}, errors=errors or {}, done=done,
                  today=formats.today().isoformat(), year=formats.today().year)


# --- shaping the data for the pages (pure) --------------------------------------------

def _newest_first(items):
    return sorted(items, key=lambda item: item["created_at"], reverse=True)


def resource_rows(items, titles):
    return [{"year": item["year"],
             "kind": labels.label(words.RESOURCE_KINDS, item["kind"]),
             "amount": formats.euros(item["amount_cents"]),
             "funder": " · ".join(part for part in (
                 item["funder"], words.FUNDER_TYPES.get(item["funder_type"]),
                 item["programme"]) if part) or "—",
             "project": titles.get(item["project_id"], "Le pôle")
             if item["project_id"] else "Le pôle",
             "description": item["description"]}
            for item in _newest_first(items)]


def volunteering_rows(items, titles):
    return [{"on": long_day(item["done_on"]), "activity": item["activity"],
             "hours": f"{formats.number(item['hours'])} h",
             "value": formats.euros(item["valued_cents"]),
             "project": titles.get(item["project_id"], "Le pôle")
             if item["project_id"] else "Le pôle"}
            for item in _newest_first(items)]
