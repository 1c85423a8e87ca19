"""Organisations: what makes one registrable, and the people to contact there."""
import re
import unicodedata
import uuid

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from shared.errors import invalid

LEGAL_FORMS = (
    "association", "scop", "scic", "esus_company", "integration_enterprise",
    "local_authority", "other",
)
TERRITORIES = ("dombes", "val_de_saone", "cotiere", "outside")
RNA_PATTERN = re.compile(r"^W\d{9}$")
LA_POSTE_SIREN = "356000000"  # its establishments follow another checksum rule


def _luhn_problem(number: str, what: str) -> str:
    expected = luhn.calc_check_digit(number[:-1])
    return (f"{what}'s check digit (its last digit, {number[-1]}) does not match the digits "
            f"before it: by the Luhn rule it should be {expected}.")


def check_siren(raw: str, field="siren") -> str:
    """The SIREN, spaces removed; or an error on `field` saying which rule fails."""
    number = "".join(raw.split())
    try:
        return stdnum_siren.validate(number)
    except InvalidLength:
        problem = f"A SIREN has 9 digits; this one has {len(number)}."
    except InvalidFormat:
        problem = "A SIREN has only digits."
    except InvalidChecksum:
        problem = _luhn_problem(number, "This SIREN")
    raise invalid({field: [problem]})


def check_siret(raw: str) -> str:
    """The SIRET, spaces removed; or an error saying which rule fails."""
    number = "".join(raw.split())
    try:
        return stdnum_siret.validate(number)
    except InvalidLength:
        problem = f"A SIRET has 14 digits; this one has {len(number)}."
    except InvalidFormat:
        problem = "A SIRET has only digits."
    except InvalidComponent:
        problem = _luhn_problem(number[:9], "Its SIREN (the first 9 digits)")
    except InvalidChecksum:
        problem = ("This SIRET's digits don't add up (La Poste rule)."
                   if number[:9] == LA_POSTE_SIREN else _luhn_problem(number, "This SIRET"))
    raise invalid({"siret": [problem]})


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
