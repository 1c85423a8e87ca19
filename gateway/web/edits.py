"""Editing a record on a page as the API's PATCH does, for every page that edits one
(an organisation's card for animators and for its own admins, a project's card for
animators and for its carrier's admins, a project's milestones and partners), and staff
correcting a project's support hours and job reports (the same, with a reason kept in
the project's history of corrections).

The form carries the version it was drawn from (hidden field `version`). When someone
else saved the record in between, the service refuses (version_conflict): the page says
so in French, shows the values as they are now next to what was typed, keeps what was
typed, and takes the current version, so that saving again replaces them knowingly.
`save` calls the service; the rest is pure."""
from datetime import date

from gateway.calls import call
from gateway.web import animation_labels as words
from gateway.web import formats, forms, labels
from shared.cluster import LEGAL_FORM_LABELS, TERRITORY_LABELS
from shared.errors import CONFLICT, INVALID, DomainError

CONFLICT_MESSAGE = ("Cette fiche a été modifiée entre-temps par quelqu'un d'autre. Vos "
                    "saisies sont conservées ci-dessous ; comparez-les aux valeurs "
                    "actuelles, puis enregistrez à nouveau pour les remplacer.")

# An organisation's card: the API's field, the form's field and how to read it, its label,
# the words of its codes (a dict; a function for a day; None: shown as typed), its French
# sentence when refused.
ORGANISATION = {
    "name": ("name", None, "Nom", None, "Le nom de la structure, de 2 à 200 caractères."),
    "legal_form": ("legal_form", None, "Forme juridique", LEGAL_FORM_LABELS,
                   "Choisissez la forme juridique."),
    "siret": ("siret", None, "SIRET", None,
              "Un SIRET valide : 14 chiffres, ou rien ; il doit être unique."),
    "rna": ("rna", None, "Numéro RNA", None,
            "Un numéro RNA est W suivi de 9 chiffres, pour une association seulement."),
    "street": ("street", None, "Adresse", None, "L'adresse tient en 200 caractères au plus."),
    "postal_code": ("postal_code", None, "Code postal", None,
                    "Un code postal français : 5 chiffres."),
    "commune": ("commune", None, "Commune", None, "Indiquez la commune."),
    "territory": ("territory", None, "Territoire", TERRITORY_LABELS,
                  "Choisissez le territoire."),
    "sector": ("sector", None, "Secteur d'activité", None,
               "Le secteur tient en 120 caractères au plus."),
    "headcount_fte": ("headcount_fte", forms.number, "Effectif (ETP)", None,
                      "L'effectif en ETP, par exemple 3 ou 12,5 (deux décimales au plus)."),
}
PROJECT = {
    "title": ("title", None, "Titre", None, "Donnez un titre au projet, de 3 à 200 caractères."),
    "summary": ("summary", None, "Présentation", None,
                "Décrivez le projet en quelques lignes (5 000 caractères au plus)."),
    "field": ("field", None, "Filière", labels.FIELDS, "Choisissez la filière du projet."),
    "commune": ("commune", None, "Commune", None, "Indiquez la commune du projet."),
}


def _day(iso: str) -> str:
    return formats.long_date(date.fromisoformat(iso))


MILESTONE = {
    "title": ("title", None, "Jalon", None, "Nommez le jalon (200 caractères au plus)."),
    "due_on": ("due_on", None, "Date prévue", _day, "Indiquez la date prévue."),
}
# A ticked box (the read `bool`): sent as true or false, shown as "oui" or "non".
YES, NO = "oui", "non"


def _yes_no(shown: str) -> str:
    return "Oui" if shown == YES else "Non"


PARTNER = {
    "formalisation": ("formalisation", None, "Formalisation", words.FORMALISATIONS,
                      "Choisissez le degré de formalisation."),
    "circle": ("circle", None, "Cercle", words.PARTNER_CIRCLES,
               "Choisissez le cercle du partenaire."),
    "role": ("role", None, "Rôle", None, "Le rôle tient en 200 caractères au plus."),
    "starts_on": ("starts_on", None, "Début du partenariat", _day,
                  "Une date de début valide, ou rien."),
    "ends_on": ("ends_on", None, "Fin du partenariat", _day,
                "Une date de fin valide, ou rien : pas avant la date de début."),
    "shown_publicly": ("shown_publicly", bool, "Affiché sur la page publique", _yes_no,
                       "Cochez la case pour afficher le partenaire, ou décochez-la."),
}
# A correction's reason is not a value of the record: it is kept in the history.
REASON = ("reason", None, "Raison de la correction", None,
          "Dites pourquoi vous corrigez : la raison reste dans l'historique du projet "
          "(500 caractères au plus).")
SUPPORT_CORRECTION = {
    "kind": ("kind", None, "Type d'accompagnement", words.SUPPORT_KINDS,
             "Choisissez le type d'accompagnement."),
    "hours": ("hours", forms.number, "Nombre d'heures", None,
              "Indiquez les heures d'une journée : plus de 0 et 24 au plus, avec deux "
              "décimales au plus (par exemple 1,5)."),
    "given_on": ("given_on", None, "Date", _day,
                 "Indiquez la date de l'accompagnement : aujourd'hui au plus tard."),
    "given_by": ("given_by", None, "Accompagné par", None,
                 "Indiquez qui a accompagné le projet (200 caractères au plus)."),
    "reason": REASON,
}
JOBS_CORRECTION = {
    "created_fte": ("created_fte", forms.number, "Emplois créés (ETP)", None,
                    "Indiquez les emplois créés en ETP, de 0 à 10 000 (par exemple 1,5 ; 0 "
                    "s'il n'y en a pas)."),
    "consolidated_fte": ("consolidated_fte", forms.number, "Emplois consolidés (ETP)", None,
                         "Indiquez les emplois consolidés en ETP, de 0 à 10 000 (0 s'il n'y "
                         "en a pas)."),
    "insertion_fte": ("insertion_fte", forms.number, "Dont emplois d'insertion (ETP)", None,
                      "Les emplois d'insertion font partie des emplois créés et "
                      "consolidés : pas plus que leur somme."),
    "reason": REASON,
}
# Refusals of a whole form, said above it: an edit that changes nothing (a correction).
UNCHANGED = {"_schema": (forms.FORM, "Rien n'a changé : modifiez au moins une valeur "
                                     "enregistrée.")}
# A project's records edited on its page, by the kind in the form's address: the card,
# the RPC, where the project's file lists them, and what the page says once saved.
PROJECT_RECORDS = {
    "jalon": (MILESTONE, "update_milestone", "milestones", "Le jalon est modifié."),
    "partenaire": (PARTNER, "update_partner", "partners", "Le partenaire est modifié."),
    "heures": (SUPPORT_CORRECTION, "correct_support", "support",
               "La correction des heures est enregistrée, avec sa raison, dans "
               "l'historique des corrections."),
    "bilan": (JOBS_CORRECTION, "correct_jobs", "job_reports",
              "La correction du bilan d'emplois est enregistrée, avec sa raison, dans "
              "l'historique des corrections."),
}


def messages(card: dict) -> dict:
    return {**UNCHANGED, **{name: spec[4] for name, spec in card.items()}}


def body(form, card: dict) -> dict:
    """The PATCH body of a card's form: every field (an emptied one as null, so that it
    is cleared, or refused when it may not be) and the version the form was drawn from."""
    patch = {}
    for name, (typed_name, convert, *_) in card.items():
        typed = forms.text(form, typed_name)
        if convert is bool:  # a box left unticked is sent by no browser
            patch[name] = forms.ticked(form, typed_name)
            continue
        patch[name] = (convert(typed) if convert else typed) if typed else None
    patch["version"] = forms.integer(forms.text(form, "version"))
    return patch


def typed_values(form, card: dict) -> dict:
    return {spec[0]: (YES if forms.ticked(form, spec[0]) else NO) if spec[1] is bool
            else form.get(spec[0], "") for spec in card.values()}


def shown_value(card: dict, name: str, value) -> str:
    """A record's value as the card's form shows it: a number the French way, a code as
    itself (the select shows its word), nothing as empty."""
    if value is None:
        return ""
    if card[name][1] is bool:
        return YES if value else NO
    if card[name][1] is forms.number:
        return format(value, "g").replace(".", ",")  # 3.0 as 3, 4.5 as 4,5
    return str(value)


def card_values(card: dict, record: dict) -> dict:
    """The form's fields filled with the record as it is."""
    return {spec[0]: shown_value(card, name, record.get(name)) for name, spec in card.items()}


def said(words, shown: str) -> str:
    """A value now, as a person reads it: a code by its word, a day in French."""
    if not words or not shown:
        return shown or "(vide)"
    return words(shown) if callable(words) else labels.label(words, shown)


def current_values(card: dict, record: dict, typed: dict) -> list:
    """After a conflict: (label, value now) of each of the record's fields whose value
    now is not what was typed, in French (a correction's reason is no value of it)."""
    now = card_values(card, record)
    return [{"label": spec[2], "value": said(spec[3], now[spec[0]])}
            for name, spec in card.items()
            if name in record and now[spec[0]].strip() != (typed.get(spec[0]) or "").strip()]


def is_conflict(exc: DomainError) -> bool:
    return exc.kind == CONFLICT and exc.code == "version_conflict"


def card(spec: dict, record: dict, typed=None, errors=None, current=None) -> dict:
    """What a page's card form shows: the values (as typed, else the record's), the
    version it edits, the errors, and after a conflict the values as they are now."""
    return {"typed": typed if typed is not None else card_values(spec, record),
            "version": record["version"], "errors": errors or {}, "current": current or []}


def save(spec: dict, send, form, reload):
    """Send a card's form as `send(patch)` (the service's call). None when saved; else
    (the card to show again, its status): 409 with the values now (`reload()`) and
    their version after a conflict, 422 with the French sentences of refused fields."""
    patch, typed = body(form, spec), typed_values(form, spec)
    try:
        send(patch)
    except DomainError as exc:
        if is_conflict(exc):
            now = reload()
            return card(spec, now, typed, {forms.FORM: CONFLICT_MESSAGE},
                        current_values(spec, now, typed)), 409
        if exc.kind == INVALID:
            return card(spec, {"version": patch["version"]}, typed,
                        forms.french_errors(exc, messages(spec))), 422
        raise
    return None


# --- the cards of the pages ------------------------------------------------------------

def save_organisation(organisation_id, form):
    """Save an organisation's card (animators' page, and its admins' own)."""
    return save(ORGANISATION,
                lambda patch: call("members", "update_organisation", organisation_id, patch),
                form, lambda: call("members", "get_organisation", organisation_id))


def organisation_card(organisation, fiche, action) -> dict:
    """What web/_organisation_card.html reads: the card (as drawn from the organisation,
    or as sent back), where it goes, the choices of its selects."""
    return {"fiche": fiche or card(ORGANISATION, organisation), "fiche_action": action,
            "legal_forms": LEGAL_FORM_LABELS.items(), "territories": TERRITORY_LABELS.items()}


def save_project(project_id, form, actor):
    """Save a project's card (animators' page, and its carrier's admins' own)."""
    return save(PROJECT,
                lambda patch: call("projects", "update_project", project_id, patch, actor),
                form, lambda: call("projects", "project_file", project_id, actor))


def project_card(record, fiche, action) -> dict:
    """What web/_project_card.html reads, as organisation_card."""
    return {"fiche": fiche or card(PROJECT, record), "fiche_action": action,
            "fields": labels.FIELDS.items()}


def record_of(project_file: dict, kind: str, record_id: str) -> dict:
    """One of a project's records (a milestone, a partner, ...) in its file."""
    listed = PROJECT_RECORDS[kind][2]
    return next(item for item in project_file[listed] if item["id"] == record_id)


def save_project_record(kind, project_id, record_id, form, actor):
    """Save the card of one of a project's records: `kind` of PROJECT_RECORDS."""
    spec, method = PROJECT_RECORDS[kind][:2]
    return save(spec, lambda patch: call("projects", method, project_id, record_id, patch,
                                         actor),
                form, lambda: record_of(call("projects", "project_file", project_id, actor),
                                        kind, record_id))


def record_prefix(kind: str, record_id: str) -> str:
    """The ids of a record's form on the project's page start with it."""
    return f"{kind}-{record_id}"


def record_cards(project_file: dict, refused=None) -> dict:
    """The card of each of a project's records, by record_prefix; `refused`, (prefix,
    card) of a form sent back, replaces its record's."""
    cards = {record_prefix(kind, item["id"]): card(spec, item)
             for kind, (spec, _, listed, _) in PROJECT_RECORDS.items()
             for item in project_file.get(listed) or ()}
    if refused:
        cards[refused[0]] = refused[1]
    return cards
