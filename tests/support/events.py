"""Event data the tests emit by hand, valid for the current schemas."""
import uuid


def organisation_registered(name="Recyclerie"):
    return {"organisation_id": str(uuid.uuid4()), "name": name, "legal_form": "other",
            "siret": None, "siren": None, "postal_code": "01000", "commune": "Bourg",
            "territory": "outside", "sector": None, "headcount_fte": 0.0}
