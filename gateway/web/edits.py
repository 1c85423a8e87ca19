"""Editing a record on a page as the API's PATCH does, for every page that edits one
(an organisation's card for animators and for its own admins, a project's card).

The form carries the version it was drawn from (hidden field `version`). When someone
else saved the record in between, the service refuses (version_conflict): the page says
so in French, shows the values as they are now next to what was typed, keeps what was
typed, and takes the current version, so that saving again replaces them knowingly.
`save` calls the service; the rest is pure."""
from gateway.calls import call
from gateway.web import forms, labels
from shared.cluster import LEGAL_FORM_LABELS, TERRITORY_LABELS
from shared.errors import CONFLICT, INVALID, DomainError

CONFLICT_MESSAGE = ("Cette fiche a été modifiée entre-temps par quelqu'un d'autre. Vos "
                    "saisies sont conservées ci-dessous ; comparez-les aux valeurs "
                    "actuelles, puis enregistrez à nouveau pour les remplacer.")

# An organisation's card: the API's field, the form's field and how to read it, its label,
# the words of its codes (None: shown as typed), its French sentence when refused.
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


def messages(card: dict) -> dict:
    return {name: spec[4] for name, spec in card.items()}


def body(form, card: dict) -> dict:
    """The PATCH body of a card's form: every field (an emptied one as null, so that it
    is cleared, or refused when it may not be) and the version the form was drawn from."""
    patch = {}
    for name, (typed_name, convert, *_) in card.items():
        typed = forms.text(form, typed_name)
        patch[name] = (convert(typed) if convert else typed) if typed else None
    patch["version"] = forms.integer(forms.text(form, "version"))
    return patch


def typed_values(form, card: dict) -> dict:
    return forms.values(form, [spec[0] for spec in card.values()])


def shown_value(card: dict, name: str, value) -> str:
    """A record's value as the card's form shows it: a number the French way, a code as
    itself (the select shows its word), nothing as empty."""
    if value is None:
        return ""
    if card[name][1] is forms.number:
        return str(value).replace(".", ",")
    return str(value)


def card_values(card: dict, record: dict) -> dict:
    """The form's fields filled with the record as it is."""
    return {spec[0]: shown_value(card, name, record.get(name)) for name, spec in card.items()}


def current_values(card: dict, record: dict, typed: dict) -> list:
    """After a conflict: (label, value now) of each field whose value now is not what was
    typed, codes in French."""
    now = card_values(card, record)
    return [{"label": spec[2],
             "value": (labels.label(spec[3], now[spec[0]]) if spec[3] and now[spec[0]]
                       else now[spec[0]]) or "(vide)"}
            for spec in card.values()
            if now[spec[0]].strip() != (typed.get(spec[0]) or "").strip()]


def is_conflict(exc: DomainError) -> bool:
    return exc.kind == CONFLICT and exc.code == "version_conflict"


def card(spec: dict, record: dict, typed=None, errors=None, current=None) -> dict:
    """What a page's card form shows: the values (as typed, else the record's), the
    version it edits, the errors, and after a conflict the values as they are now."""
    return {"typed": typed if typed is not None else card_values(spec, record),
            "version": record["version"], "errors": errors or {}, "current": current or []}


def save(spec: dict, service: str, method: str, record_id: str, form, reload, *extra):
    """Send a card's form as `service.method(record_id, patch, *extra)`. None when saved;
    else (the card to show again, its status): 409 with the values now (`reload()`) and
    their version after a conflict, 422 with the French sentences of refused fields."""
    patch, typed = body(form, spec), typed_values(form, spec)
    try:
        call(service, method, record_id, patch, *extra)
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
    return save(ORGANISATION, "members", "update_organisation", organisation_id, form,
                lambda: call("members", "get_organisation", organisation_id))


def organisation_card(organisation, fiche, action) -> dict:
    """What web/_organisation_card.html reads: the card (as drawn from the organisation,
    or as sent back), where it goes, the choices of its selects."""
    return {"fiche": fiche or card(ORGANISATION, organisation), "fiche_action": action,
            "legal_forms": LEGAL_FORM_LABELS.items(), "territories": TERRITORY_LABELS.items()}
