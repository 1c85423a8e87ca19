import pytest

from services.members.domain import organisations as domain
from shared.errors import DomainError

VALID = {"name": "  La  Recyclerie ", "legal_form": "association", "siret": "732 829 320 00074",
         "postal_code": "01400", "commune": " Châtillon-sur-Chalaronne "}


def test_new_organisation_normalises_name_commune_and_siret():
    values = domain.new_organisation(VALID)
    assert values["name"] == "La Recyclerie"
    assert values["commune"] == "Châtillon-sur-Chalaronne"
    assert values["siret"] == "73282932000074"
    assert len(values["id"]) == 36


def test_siret_is_optional():
    assert domain.new_organisation({**VALID, "siret": None})["siret"] is None


@pytest.mark.parametrize("siret, message", [
    ("73282932000075", "check digit"),
    ("7328293200007", "14 digits"),
    ("7328293200007A", "only digits"),
])
def test_a_wrong_siret_says_which_rule_it_breaks(siret, message):
    with pytest.raises(DomainError) as raised:
        domain.new_organisation({**VALID, "siret": siret})
    assert raised.value.kind == "invalid"
    [text] = raised.value.details["fields"]["siret"]
    assert message in text
