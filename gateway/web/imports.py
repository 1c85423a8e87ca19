"""The report of a spreadsheet import, in French.

members checks each line of the animators' spreadsheet and reports its errors by field,
in English (the API's words). The page says them in French, under the column names of
the spreadsheet, so that the animator finds the cell to fix. Each known sentence of
members has its French one here; one we don't know yet still names its column.
Pure functions, unit-tested.
"""
import re

from gateway.web import formats
from gateway.web.animation_labels import (
    IMPORT_COLUMNS,
    IMPORT_STATUSES,
    LEGAL_FORM_LABELS,
)
from shared.cluster import TERRITORY_LABELS

_LUHN = (r"check digit \(its last digit, (?P<digit>\d)\) does not match the digits before "
         r"it: by the Luhn rule it should be (?P<expected>\d)")
# (pattern of members' sentence, French sentence; named groups are carried over)
SENTENCES = (
    (r"This line has more or fewer cells", "Cette ligne n'a pas autant de cellules que la "
                                           "ligne des titres."),
    (r"The same organisation is already on line (?P<line>\d+)",
     "La même structure figure déjà à la ligne {line}."),
    (r"with this SIRET is already registered", "Une structure avec ce SIRET est déjà "
                                               "enregistrée."),
    (r"with this name is already registered", "Une structure de ce nom est déjà enregistrée "
                                              "à ce code postal."),
    (r"^Its SIREN \(the first 9 digits\)'s " + _LUHN,
     "Le SIREN (les 9 premiers chiffres) est faux : son dernier chiffre, {digit}, devrait "
     "être {expected} (clé de Luhn)."),
    (_LUHN, "Le numéro est faux : son dernier chiffre, {digit}, devrait être {expected} "
            "(clé de Luhn)."),
    (r"A (?P<kind>SIRET|SIREN) has (?P<size>\d+) digits; this one has (?P<found>\d+)",
     "Un {kind} a {size} chiffres ; celui-ci en a {found}."),
    (r"A (?P<kind>SIRET|SIREN) has only digits", "Un {kind} ne contient que des chiffres."),
    (r"La Poste rule", "Les chiffres de ce SIRET ne respectent pas la règle de La Poste."),
    (r"The SIREN is the first 9 digits of the SIRET", "Le SIREN doit reprendre les 9 "
                                                      "premiers chiffres du SIRET."),
    (r"An RNA number is W followed by 9 digits", "Un numéro RNA est un W suivi de 9 chiffres."),
    (r"Only associations have an RNA number", "Seules les associations ont un numéro RNA."),
    (r"postal code has 5 digits", "Un code postal a 5 chiffres."),
    (r"Missing data for required field", "Cette cellule est obligatoire."),
    (r"Field may not be null", "Cette cellule est obligatoire."),
    (r"A number|At most two decimals", "Un nombre positif, avec deux décimales au plus "
                                       "(par exemple 2,5)."),
    (r"Length must be|[Ll]onger than|[Ss]horter than", "Ce texte est trop long ou trop court."),
    (r"Not a valid email address", "Une adresse électronique s'écrit nom@domaine.fr."),
    (r"A phone number has digits", "Un numéro de téléphone n'a que des chiffres, des espaces "
                                   "et + . ( ) -."),
)
ONE_OF = {
    "legal_form": "Forme juridique inconnue. Formes reconnues : "
                  + ", ".join(LEGAL_FORM_LABELS.values()) + ".",
    "territory": "Territoire inconnu. Territoires reconnus : "
                 + ", ".join(TERRITORY_LABELS.values()) + ".",
}
FILE_SENTENCES = (
    (r"file is empty", "Le fichier est vide."),
    (r"neither UTF-8 nor Windows-1252", "Ce fichier n'est pas un texte en UTF-8 ni en "
                                        "Windows-1252 : enregistrez-le au format CSV depuis "
                                        "le tableur."),
    (r"needs a column for the name", "Il manque la colonne du nom (« Nom »)."),
    (r"did not arrive intact", "Le fichier n'est pas arrivé entier : envoyez-le de nouveau."),
)
# Columns the import ignored, by members' code; {column} is the title in the file.
WARNINGS = {
    "unknown_column": "La colonne « {column} » n'est pas connue de l'import : elle est "
                      "ignorée.",
    "duplicate_column": "La colonne « {column} » remplit le même champ qu'une colonne "
                        "précédente : elle est ignorée.",
    "untitled_column": "La colonne n° {position} n'a pas de titre : elle est ignorée.",
}
UNKNOWN_WARNING = "La colonne n° {position} est ignorée."
UNKNOWN = "Valeur non valide."
UNKNOWN_FILE = "Ce fichier ne peut pas être lu : enregistrez-le au format CSV depuis le tableur."


def _translate(message: str, sentences, fallback: str) -> str:
    for pattern, french in sentences:
        found = re.search(pattern, message)
        if found:
            return french.format(**found.groupdict())
    return fallback


def french_sentence(field: str, message: str) -> str:
    """One of members' sentences about a cell, in French."""
    if message.startswith("Must be one of") and field in ONE_OF:
        return ONE_OF[field]
    return _translate(message, SENTENCES, UNKNOWN)


def file_error(messages) -> str:
    """Why a whole file was refused (members' `file` field), in French."""
    return " ".join(_translate(message, FILE_SENTENCES, UNKNOWN_FILE) for message in messages)


def report(outcome: dict) -> dict:
    """What the page shows of an import: the counts, what happened to the file, and the
    lines to look at (refused ones, with each error under its column's name)."""
    rows = [{"line": row["line"],
             "status": IMPORT_STATUSES.get(row["status"], row["status"]),
             "refused": row["status"] == "invalid",
             "errors": [(IMPORT_COLUMNS.get(field, field), french_sentence(field, message))
                        for field, messages in sorted(row["errors"].items())
                        for message in messages]}
            for row in outcome["rows"]]
    imported, rejected = outcome["imported"], outcome["rejected"]
    if outcome["committed"]:
        summary = (f"{_count(imported, 'structure importée', 'structures importées')}, "
                   f"{_count(rejected, 'ligne refusée', 'lignes refusées')}.")
    else:
        summary = (f"Rien n'a été importé : "
                   f"{_count(rejected, 'ligne est refusée', 'lignes sont refusées')} et le "
                   "mode « tout ou rien » était choisi. Corrigez-les, puis envoyez le fichier "
                   "de nouveau.")
    warnings = [WARNINGS.get(warning["code"], UNKNOWN_WARNING).format(
        column=warning["column"], position=warning["position"])
        for warning in outcome["warnings"]]
    return {"committed": outcome["committed"], "imported": imported, "rejected": rejected,
            "summary": summary, "warnings": warnings,
            "refused": [row for row in rows if row["refused"]], "rows": rows}


def _count(count: int, one: str, many: str) -> str:
    return f"{formats.number(count)} {one if count <= 1 else many}"
