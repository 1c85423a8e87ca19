"""Members' rules: what makes an organisation registrable. Pure Python."""
import uuid

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

from shared.errors import invalid

LEGAL_FORMS = (
    "association", "scop", "scic", "esus_company", "integration_enterprise",
    "local_authority", "other",
)

_SIRET_PROBLEMS = {
    InvalidLength: "A SIRET has 14 digits.",
    InvalidFormat: "A SIRET has only digits.",
    InvalidChecksum: "This SIRET's check digit is wrong (Luhn checksum).",
    InvalidComponent: "This SIRET's SIREN part is not valid.",
}


def normalise_siret(raw):
    """The SIRET with spaces removed, or an invalid-field error saying what is wrong."""
    try:
        return stdnum_siret.validate(raw)
    except tuple(_SIRET_PROBLEMS) as exc:
        raise invalid({"siret": [_SIRET_PROBLEMS[type(exc)]]}) from None


def new_organisation(data: dict) -> dict:
    """The values of an organisation to register, from validated input."""
    return {
        "id": str(uuid.uuid4()),
        "name": " ".join(data["name"].split()),
        "legal_form": data["legal_form"],
        "siret": normalise_siret(data["siret"]) if data.get("siret") else None,
        "postal_code": data["postal_code"],
        "commune": data["commune"].strip(),
    }
