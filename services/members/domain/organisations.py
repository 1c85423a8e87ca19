"""Organisations: what makes one registrable, and the people to contact there."""
import re
import unicodedata
import uuid

from shared.cluster import LEGAL_FORMS, TERRITORIES  # noqa: F401  (members' vocabulary)
from shared.errors import invalid
from shared.identifiers import check_siren, check_siret

RNA_PATTERN = re.compile(r"^W\d{9}$")


def identifiers(data: dict) -> dict:
    """SIRET, SIREN and RNA of an organisation, checked and consistent with each other."""
    siret = check_siret(data["siret"]) if data.get("siret") else None
    siren = check_siren(data["siren"]) if data.get("siren") else None
    if siret and siren and siret[:9] != siren:
        raise invalid({"siren": ["The SIREN is the first 9 digits of the SIRET."]})
    rna = data.get("rna")
    if rna:
        rna = rna.strip().upper()
        if not RNA_PATTERN.match(rna):
            raise invalid({"rna": ["An RNA number is W followed by 9 digits."]})
        if data["legal_form"] != "association":
            raise invalid({"rna": ["Only associations have an RNA number."]})
    return {"siret": siret, "siren": siren or (siret[:9] if siret else None), "rna": rna}


def new_organisation(data: dict) -> dict:
    """The values of an organisation to register, from validated input."""
    return {
        "id": str(uuid.uuid4()),
        "name": " ".join(data["name"].split()),
        "legal_form": data["legal_form"],
        **identifiers(data),
        "street": " ".join((data.get("street") or "").split()) or None,
        "postal_code": data["postal_code"],
        "commune": data["commune"].strip(),
        "territory": data.get("territory") or "outside",
        "sector": (data.get("sector") or "").strip() or None,
        "headcount_fte_hundredths": data.get("headcount_fte") or 0,
    }


# What an edit may change: what registration took. Its id, registration and version do
# not move.
EDITABLE = ("name", "legal_form", "siret", "siren", "rna", "street", "postal_code", "commune",
            "territory", "sector", "headcount_fte")


def edit_organisation(current: dict, changes: dict) -> dict:
    """The columns an edit changes, normalised as at registration, from an organisation's
    current values (its columns) and the validated fields of the edit. The identifiers are
    checked again as a whole: a new SIRET without a SIREN gives its SIREN, an RNA stays an
    association's. Columns whose value does not change are left out."""
    before = {name: current.get(name) for name in EDITABLE if name != "headcount_fte"}
    before["headcount_fte"] = current.get("headcount_fte_hundredths") or 0
    edited = {**before, **changes}
    if "siret" in changes and "siren" not in changes and \
            (check_siret(changes["siret"]) if changes["siret"] else None) != current.get("siret"):
        edited["siren"] = None  # the new SIRET's first 9 digits
    after = new_organisation(edited)
    after.pop("id")
    return {column: value for column, value in after.items() if current.get(column) != value}


def name_key(name: str, postal_code: str) -> str:
    """What makes two organisations without SIRET the same one: the name, whatever its
    case, accents and spacing, in the same postal code."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return f"{' '.join(re.sub(r'[^a-z0-9]+', ' ', plain).split())}@{postal_code}"


def new_contact(organisation_id: str, data: dict, now) -> dict:
    consent = bool(data.get("consent_to_contact"))
    return {
        "id": str(uuid.uuid4()),
        "organisation_id": organisation_id,
        "name": " ".join(data["name"].split()),
        "email": data["email"].strip().lower() if data.get("email") else None,
        "phone": " ".join((data.get("phone") or "").split()) or None,
        "role": (data.get("role") or "").strip() or None,
        "consent_to_contact": consent,
        "consent_recorded_at": now if consent else None,
    }
