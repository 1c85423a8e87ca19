"""French business identifiers, checked with python-stdnum; each error says which rule
fails, on the field it belongs to. Used by members (organisations) and projects (the
enterprises they create)."""
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from shared.errors import invalid

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


def check_siret(raw: str, field="siret") -> str:
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
    raise invalid({field: [problem]})
