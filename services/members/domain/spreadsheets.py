"""Organisations to and from the spreadsheets animators keep: CSV in UTF-8 or
Windows-1252, with semicolons (French Excel) or commas, French column names and labels."""
import csv
import io
import unicodedata

from shared.cells import inert
from shared.errors import invalid

DELIMITERS = ";,\t"

# Column names, as the animators' spreadsheets spell them, to the API's field names.
COLUMNS = {
    "nom": "name", "raison sociale": "name", "name": "name",
    "forme juridique": "legal_form", "statut": "legal_form", "legal_form": "legal_form",
    "siret": "siret", "siren": "siren", "rna": "rna", "n rna": "rna",
    "adresse": "street", "rue": "street", "street": "street",
    "code postal": "postal_code", "cp": "postal_code", "postal_code": "postal_code",
    "commune": "commune", "ville": "commune",
    "territoire": "territory", "territory": "territory",
    "secteur": "sector", "secteur d'activite": "sector", "sector": "sector",
    "etp": "headcount_fte", "effectif (etp)": "headcount_fte", "effectif etp": "headcount_fte",
    "headcount_fte": "headcount_fte",
    # The organisation's contact (a Contact record), not the organisation itself.
    "courriel": "email", "e-mail": "email", "email": "email", "mail": "email", "mel": "email",
    "adresse e-mail": "email", "adresse email": "email", "adresse mail": "email",
    "adresse electronique": "email", "adresse courriel": "email", "e-mail du contact": "email",
    "courriel du contact": "email", "email du contact": "email",
    "telephone": "phone", "tel": "phone", "tel.": "phone", "phone": "phone",
    "portable": "phone", "mobile": "phone", "n de telephone": "phone",
    "numero de telephone": "phone", "telephone du contact": "phone",
    "contact": "contact_name", "nom du contact": "contact_name",
    "personne a contacter": "contact_name", "interlocuteur": "contact_name",
    "referent": "contact_name", "referente": "contact_name",
}
# A row's fields that make its contact, to the contact's own field names.
CONTACT_FIELDS = {"contact_name": "name", "email": "email", "phone": "phone"}
LEGAL_FORM_LABELS = {
    "association": "association", "asso": "association",
    "scop": "scop", "scic": "scic",
    "entreprise esus": "esus_company", "esus": "esus_company", "esus_company": "esus_company",
    "entreprise d'insertion": "integration_enterprise", "ei": "integration_enterprise",
    "siae": "integration_enterprise", "integration_enterprise": "integration_enterprise",
    "collectivite": "local_authority", "collectivite territoriale": "local_authority",
    "commune": "local_authority", "local_authority": "local_authority",
    "autre": "other", "other": "other",
}
TERRITORY_LABELS = {
    "dombes": "dombes", "val de saone": "val_de_saone", "val-de-saone": "val_de_saone",
    "val_de_saone": "val_de_saone", "cotiere": "cotiere", "cotiere de l'ain": "cotiere",
    "hors territoire": "outside", "exterieur": "outside", "outside": "outside",
}
EXPORT_COLUMNS = (("name", "Nom"), ("legal_form", "Forme juridique"), ("siret", "SIRET"),
                  ("siren", "SIREN"), ("rna", "RNA"), ("street", "Adresse"),
                  ("postal_code", "Code postal"), ("commune", "Commune"),
                  ("territory", "Territoire"), ("sector", "Secteur"),
                  ("headcount_fte", "ETP"))


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: how labels are compared."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which spreadsheets export."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise invalid({"file": ["This file is neither UTF-8 nor Windows-1252 text: save it "
                                "as CSV (UTF-8) from the spreadsheet."]}) from None


def map_columns(header: list[str]):
    """The field each column fills (None: ignored), and a warning for each column ignored
    for its title: one the import does not know, or a second one for a field already
    filled. Spreadsheets carry columns of their own (notes, colours): they are named,
    never a reason to refuse the file."""
    fields, warnings, first_title = [], [], {}
    for position, written in enumerate(header, start=1):
        title = written.strip()
        field = COLUMNS.get(_plain(title).replace("°", "")) if title else None
        if title and field is None:
            warnings.append(_ignored("unknown_column", title, position,
                                     f'The column "{title}" is not one the import knows: '
                                     "it is ignored."))
        elif field in first_title:
            warnings.append(_ignored("duplicate_column", title, position,
                                     f'The column "{title}" fills the same field as the '
                                     f'column "{first_title[field]}": it is ignored.'))
            field = None
        elif field:
            first_title[field] = title
        fields.append(field)
    return fields, warnings


def _ignored(code: str, column: str, position: int, message: str) -> dict:
    return {"code": code, "column": column, "position": position, "message": message}


def read_rows(raw: bytes):
    """The file's rows as dicts of field names, each with its line number and whether
    it is ragged; and the warnings about columns the import ignored."""
    text = decode(raw)
    if not text.strip():
        raise invalid({"file": ["The file is empty."]})
    first_line = text.splitlines()[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    fields, warnings = map_columns(header)
    if "name" not in fields:
        raise invalid({"file": ["The file needs a column for the name (Nom)."]})
    untitled = {index for index, title in enumerate(header) if not title.strip()}
    untitled_filled, rows = set(), []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        untitled_filled |= {index for index in untitled
                            if index < len(values) and values[index].strip()}
        # zip stops at the shorter: a ragged row is reported by the caller, not guessed at
        row = {field: value.strip() for field, value in zip(fields, values)  # noqa: B905
               if field and value.strip()}
        rows.append((reader.line_num, row, len(values) != len(header)))
    # An untitled column that holds something is dropped too, and said so.
    warnings += [_ignored("untitled_column", "", index + 1,
                          f"The column {index + 1} has no title: it is ignored.")
                 for index in sorted(untitled_filled)]
    return rows, warnings


def split_contact(payload: dict):
    """A row's payload as the organisation's and its contact's (None without one). The
    contact is named after the organisation unless a column names a person; a file says
    nothing of consent, so none is recorded."""
    organisation = {k: v for k, v in payload.items() if k not in CONTACT_FIELDS}
    found = {CONTACT_FIELDS[k]: v for k, v in payload.items() if k in CONTACT_FIELDS}
    if not found:
        return organisation, None
    name = found.pop("name", None) or payload.get("name")
    contact = {**({"name": name} if name else {}), **found, "consent_to_contact": False}
    if "phone" in contact:
        contact["phone"] = _restored_zero(contact["phone"])
    return organisation, contact


def _restored_zero(phone: str) -> str:
    """A French number a spreadsheet read as a number lost its leading 0 (474551234)."""
    return "0" + phone if phone.isdigit() and len(phone) == 9 and phone[0] != "0" else phone


def to_payload(row: dict) -> dict:
    """A spreadsheet row as the JSON payload of a registration: labels to codes, decimal
    commas to numbers. What can't be converted is left for the schema to refuse."""
    payload = dict(row)
    if "legal_form" in payload:
        payload["legal_form"] = LEGAL_FORM_LABELS.get(_plain(payload["legal_form"]),
                                                      payload["legal_form"])
    if "territory" in payload:
        payload["territory"] = TERRITORY_LABELS.get(_plain(payload["territory"]),
                                                    payload["territory"])
    if "headcount_fte" in payload:
        text = payload["headcount_fte"].replace(",", ".").replace(" ", "")
        try:
            payload["headcount_fte"] = float(text) if "." in text else int(text)
        except ValueError:
            pass
    return payload


def export(organisations) -> bytes:
    """CSV a French spreadsheet opens as it is: UTF-8 with BOM, semicolons, decimal commas."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label for _, label in EXPORT_COLUMNS])
    for organisation in organisations:
        values = []
        for field, _ in EXPORT_COLUMNS:
            value = organisation.get(field)
            if field == "headcount_fte":
                values.append(f"{value:.2f}".replace(".", ","))
            else:
                values.append(inert(value))  # a name typed as `=…` stays text
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
