"""Tax receipts for donations (reçus fiscaux): their numbers, the tax reduction they open,
and what a receipt shows, after the content of the Cerfa 11580 form ("Reçu au titre des
dons à certains organismes d'intérêt général"). Pure Python: dates are parameters.

Individuals deduct 66 % of a gift from their income tax (code général des impôts,
art. 200), companies 60 % from their corporate tax (art. 238 bis). The ceilings (20 % of
taxable income; EUR 20,000 or 5 per mille of turnover; 40 % above EUR 2 million a year
for companies) depend on the donor's whole year: the tax return applies them, the
receipt only states the amount and the article.

A receipt names the donor by their legal identity (first and last name, or a company's
name) and postal address, given at the gift when a receipt is wanted; never the optional
name shown among contributors. It is signed by the issuing organisation's signatory, and
its dates are the days in France (Europe/Paris) on which the gift and the issue fall.

Numbering: each issuing organisation keeps its own series, one per calendar year (the
year in France), without gap or repeat: that is what the tax administration expects of
each association's "numéro d'ordre du reçu". A receipt whose donation is refunded is
cancelled, never reused: its number stays taken, and its PDF says ANNULÉ.

A receipt's document is plain JSON (strings, integers): it is stored as issued and is all
`services.funding.receipt_pdf` needs to print it. Amounts are integer cents of EUR.
"""
import re
from datetime import date, datetime

from shared.errors import DomainError, invalid
from shared.french import local_date
from shared.identifiers import check_siren

TITLE = "Reçu au titre des dons à certains organismes d'intérêt général"
INDIVIDUAL, COMPANY = "individual", "company"
REDUCTION_RATES = {INDIVIDUAL: 66, COMPANY: 60}  # percent of the gift
CGI_ARTICLES = {INDIVIDUAL: "200", COMPANY: "238 bis"}
# Forme du don, as the Cerfa lists it; gifts made online or by cheque without a notary
# are "dons manuels".
FORMS = {
    "declaration_de_don_manuel": "Déclaration de don manuel",
    "acte_authentique": "Acte authentique",
    "acte_sous_seing_prive": "Acte sous seing privé",
}
NATURE_LABEL = "Numéraire"  # the platform takes money only, never securities or goods
# Mode de versement of a gift in money, by contribution channel.
PAYMENT_METHODS = {
    "online": "Carte bancaire (paiement en ligne)",
    "cash": "Remise d'espèces",
    "cheque": "Chèque",
    "transfer": "Virement",
}
MAX_AMOUNT_CENTS = 100_000_000_000  # one billion euros, as campaigns
MAX_SEQUENCE = 999_999
NUMBER_PATTERN = re.compile(r"^\d{4}-\d{6}$")
# What a donation's answer and page say when no legal identity was given.
NO_RECEIPT_NOTICE = ("Aucun reçu fiscal ne pourra être délivré pour ce don : le nom légal "
                     "et l'adresse postale du donateur n'ont pas été indiqués.")
CANCELLED_MARK = "ANNULÉ"
CANCEL_REASON_LABELS = {
    "refunded": "don remboursé",
    "campaign_failed": "don remboursé, la campagne n'ayant pas atteint son objectif",
}
FRANCE = "France"
POSTAL_CODE_FR = re.compile(r"^\d{5}$")


def receipt_number(year: int, sequence: int) -> str:
    """The receipt's number: the year, then its rank in the year on 6 digits
    (2026-000042). Numbers follow each other without gaps within a year."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 9999:
        raise ValueError(f"a receipt's year has 4 digits, not {year!r}")
    if (isinstance(sequence, bool) or not isinstance(sequence, int)
            or not 1 <= sequence <= MAX_SEQUENCE):
        raise ValueError(f"a receipt's rank in its year is 1 to {MAX_SEQUENCE}, "
                         f"not {sequence!r}")
    return f"{year}-{sequence:06d}"


def receipt_day(instant) -> date:
    """The day a receipt states for an instant: its date in France, not in UTC (a gift
    at 22:30 UTC on 30 June is made on 1 July in Paris)."""
    if not isinstance(instant, datetime) or instant.tzinfo is None:
        raise ValueError(f"an instant with its time zone, not {instant!r}")
    return local_date(instant)


# --- who gives, who signs --------------------------------------------------------------

def receipt_donor(data: dict) -> dict:
    """The donor's legal identity and postal address, as a receipt needs them, from what
    they typed (lengths already checked by the input schema): an individual gives a first
    and a last name, a company its name (and SIREN if it has one). Every missing part is
    `invalid`, by field (`last_name`, `postal_code`, ...)."""
    donor_type = data.get("donor_type") or INDIVIDUAL
    tidy = {name: _text(data.get(name), 300) for name in (
        "first_name", "last_name", "company_name", "street", "postal_code", "commune",
        "country")}
    errors = {}
    if donor_type not in REDUCTION_RATES:
        errors["donor_type"] = [f"One of: {', '.join(REDUCTION_RATES)}."]
    wanted = ("first_name", "last_name") if donor_type == INDIVIDUAL else ("company_name",)
    for name in (*wanted, "street", "postal_code", "commune"):
        if tidy[name] is None:
            errors[name] = ["A tax receipt states the donor's legal name and postal address."]
    country = tidy["country"] or FRANCE
    if tidy["postal_code"] and country.casefold() == FRANCE.casefold() \
            and not POSTAL_CODE_FR.match(tidy["postal_code"]):
        errors["postal_code"] = ["A French postal code has 5 digits."]
    siren = data.get("siren") if donor_type == COMPANY else None
    if siren:
        try:
            siren = check_siren(siren, field="siren")
        except DomainError as error:
            errors.update(error.details["fields"])
    if errors:
        raise invalid(errors, "A tax receipt needs the donor's legal name and address.")
    identity = ({"first_name": tidy["first_name"], "last_name": tidy["last_name"]}
                if donor_type == INDIVIDUAL
                else {"company_name": tidy["company_name"], "siren": siren or None})
    return {"donor_type": donor_type, **identity, "street": tidy["street"],
            "postal_code": tidy["postal_code"], "commune": tidy["commune"],
            "country": country}


def donor_legal_name(donor: dict) -> str:
    """"Camille Martin", or the company's name."""
    if donor["donor_type"] == COMPANY:
        return donor["company_name"]
    return f"{donor['first_name']} {donor['last_name']}"


def donor_postal_address(donor: dict) -> str:
    """One line: "1 rue du Lavoir, 01600 Trévoux" (the country when not France)."""
    line = f"{donor['street']}, {donor['postal_code']} {donor['commune']}"
    return line if donor["country"].casefold() == FRANCE.casefold() else \
        f"{line}, {donor['country']}"


def beneficiary_errors(data: dict) -> dict:
    """An organisation whose donors get receipts names who signs them (name and
    capacity): a receipt is never issued unsigned."""
    if not data.get("receipt_eligible"):
        return {}
    return {name: ["An organisation that issues tax receipts names their signatory."]
            for name, limit in (("signatory_name", 120), ("signatory_capacity", 100))
            if not _text(data.get(name), limit)}


def can_issue(beneficiary) -> bool:
    """Whether an organisation's donors get receipts now: eligible, and signed for (an
    organisation set before signatories were asked for issues none until set again)."""
    return bool(beneficiary and beneficiary.receipt_eligible and beneficiary.signatory_name
                and beneficiary.signatory_capacity)


def receipt_status(kind: str, status: str, numbered: bool, donor_given: bool) -> str:
    """Where a contribution stands as to its tax receipt: not_applicable (not a gift,
    or one that ended with no money kept), not_requested (no legal name: none can be
    issued), requested (issued once captured), issued, or cancelled (refunded)."""
    if numbered:
        return "cancelled" if status == "refunded" else "issued"
    if kind != "donation" or status in ("cancelled", "failed", "refunded"):
        return "not_applicable"
    return "requested" if donor_given else "not_requested"


def receipt_notice(receipt_status_: str) -> str | None:
    """The French sentence a donation's answer and page show when no receipt can be
    issued for it."""
    return NO_RECEIPT_NOTICE if receipt_status_ == "not_requested" else None


def cancellation(reason: str | None, at: datetime) -> dict:
    """What a cancelled receipt says of its cancellation: the day in France, and why."""
    reason = reason if reason in CANCEL_REASON_LABELS else "refunded"
    return {"cancelled_on": receipt_day(at).isoformat(), "reason": reason,
            "reason_label": CANCEL_REASON_LABELS[reason]}


def tax_reduction_cents(amount_cents: int, donor: str = INDIVIDUAL) -> int:
    """The reduction a gift opens before any ceiling: 66 % for an individual (CGI art. 200),
    60 % for a company (art. 238 bis), rounded down to the cent."""
    if donor not in REDUCTION_RATES:
        raise invalid({"donor": [f"A donor is one of: {', '.join(REDUCTION_RATES)}."]})
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 0:
        raise invalid({"amount_cents": ["A gift is a whole, non-negative number of cents."]})
    return amount_cents * REDUCTION_RATES[donor] // 100


# --- numbers in French words -----------------------------------------------------------
# Traditional spelling, as cheques and receipts are written: hyphens between tens and
# units below one hundred, "et" before "un" and "onze" after vingt to soixante, "vingt"
# and "cent" plural only when they end the number or come before million(s)/milliard(s)
# (never before the invariable "mille").

_SMALL = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
          "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_hundred(n: int, plural: bool) -> str:
    if n < 17:
        return _SMALL[n]
    if n < 20:
        return f"dix-{_SMALL[n - 10]}"
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _TENS[tens]
        return f"{_TENS[tens]} et un" if unit == 1 else f"{_TENS[tens]}-{_SMALL[unit]}"
    if n < 80:
        return "soixante et onze" if n == 71 else f"soixante-{_below_hundred(n - 60, plural)}"
    if n == 80:
        return "quatre-vingts" if plural else "quatre-vingt"
    return f"quatre-vingt-{_below_hundred(n - 80, plural)}"


def _below_thousand(n: int, plural: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest, plural)
    head = "cent" if hundreds == 1 else f"{_SMALL[hundreds]} cent"
    if not rest:
        return head + ("s" if hundreds > 1 and plural else "")
    return f"{head} {_below_hundred(rest, plural)}"


def number_in_words(n: int) -> str:
    """A whole number from 0 to 999,999,999,999 in French words."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < 10**12:
        raise ValueError(f"only whole numbers from 0 to 10**12 - 1, not {n!r}")
    if n == 0:
        return _SMALL[0]
    billions, rest = divmod(n, 10**9)
    millions, rest = divmod(rest, 10**6)
    thousands, units = divmod(rest, 1000)
    words = []
    for count, noun in ((billions, "milliard"), (millions, "million")):
        if count:
            words.append(f"{_below_thousand(count, True)} {noun}{'s' if count > 1 else ''}")
    if thousands:
        words.append("mille" if thousands == 1 else f"{_below_thousand(thousands, False)} mille")
    if units:
        words.append(_below_thousand(units, True))
    return " ".join(words)


def amount_in_words(amount_cents: int) -> str:
    """An amount in French words: "cent vingt-cinq euros et cinquante centimes",
    "un million d'euros", "zéro euro"."""
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 0:
        raise ValueError(f"an amount is a whole, non-negative number of cents, "
                         f"not {amount_cents!r}")
    euros, cents = divmod(amount_cents, 100)
    if not euros and not cents:
        return "zéro euro"
    words = []
    if euros:
        if euros % 10**6 == 0:  # un million d'euros, deux milliards d'euros
            words.append(f"{number_in_words(euros)} d'euros")
        else:
            words.append(f"{number_in_words(euros)} euro{'s' if euros > 1 else ''}")
    if cents:
        words.append(f"{number_in_words(cents)} centime{'s' if cents > 1 else ''}")
    return " et ".join(words)


def amount_in_figures(amount_cents: int) -> str:
    """1 234,50 euros: French figures, a no-break space between thousands."""
    euros, cents = divmod(amount_cents, 100)
    return f"{euros:,}".replace(",", "\u00a0") + f",{cents:02d}\u00a0euros"


# --- the receipt -----------------------------------------------------------------------

def _text(value, limit) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        return None
    return " ".join(value.split())


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def receipt_document(*, number: str, beneficiary: dict, donor: dict, signatory: dict,
                     amount_cents: int, donated_on: date, payment_method: str, issued_on: date,
                     form: str = "declaration_de_don_manuel") -> dict:
    """What a receipt shows, as plain JSON.

    `beneficiary`: {"legal_name", "address", "purpose", "siren" (or None)}, the
    organisation receiving the gift; `donor`: {"name", "address", "type"} with type
    "individual" (the default) or "company", the name being the legal one;
    `signatory`: {"name", "capacity"}, who signs for the beneficiary; `payment_method`: a
    contribution channel (online, cash, cheque, transfer); `form`: one of FORMS. Missing
    or wrong fields are `invalid`, by field (`beneficiary.legal_name`, `donor.address`,
    `signatory.name`, ...).
    """
    errors = {}
    if not isinstance(number, str) or not NUMBER_PATTERN.match(number):
        errors["number"] = ["A receipt number reads YYYY-NNNNNN."]
    names = {}
    for owner, data, wanted in (
            ("beneficiary", beneficiary, (("legal_name", 200), ("address", 300),
                                          ("purpose", 500))),
            ("donor", donor, (("name", 200), ("address", 300))),
            ("signatory", signatory, (("name", 120), ("capacity", 100)))):
        data = data or {}
        for field, limit in wanted:
            value = _text(data.get(field), limit)
            if value is None:
                errors[f"{owner}.{field}"] = [
                    f"A tax receipt states this, in 1 to {limit} characters."]
            names[f"{owner}.{field}"] = value
    siren = (beneficiary or {}).get("siren")
    if siren is not None:
        try:
            siren = check_siren(siren, field="beneficiary.siren")
        except DomainError as error:
            errors.update(error.details["fields"])
    donor_type = (donor or {}).get("type") or INDIVIDUAL
    if donor_type not in REDUCTION_RATES:
        errors["donor.type"] = [f"A donor is one of: {', '.join(REDUCTION_RATES)}."]
    if (isinstance(amount_cents, bool) or not isinstance(amount_cents, int)
            or not 0 < amount_cents <= MAX_AMOUNT_CENTS):
        errors["amount_cents"] = [f"A gift is 1 to {MAX_AMOUNT_CENTS} cents."]
    if payment_method not in PAYMENT_METHODS:
        errors["payment_method"] = [f"One of: {', '.join(PAYMENT_METHODS)}."]
    if form not in FORMS:
        errors["form"] = [f"One of: {', '.join(FORMS)}."]
    donated_on, issued_on = _day(donated_on), _day(issued_on)
    if donated_on > issued_on:
        errors["donated_on"] = ["A receipt cannot be issued before the gift."]
    if errors:
        raise invalid(errors, "This receipt cannot be issued.")

    rate, article = REDUCTION_RATES[donor_type], CGI_ARTICLES[donor_type]
    reduction = tax_reduction_cents(amount_cents, donor_type)
    if donor_type == INDIVIDUAL:
        limits = ("dans la limite de 20 % du revenu imposable ; l'excédent éventuel est "
                  "reporté sur les cinq années suivantes")
        tax = "d'impôt sur le revenu"
    else:
        limits = ("dans la limite de 20 000 euros ou de 5 pour mille du chiffre d'affaires "
                  "hors taxes si ce montant est plus élevé (40 % pour la part des dons de "
                  "l'exercice au-delà de 2 millions d'euros) ; l'excédent éventuel est reporté "
                  "sur les cinq exercices suivants")
        tax = "d'impôt sur les sociétés ou sur le revenu"
    return {
        "number": number,
        "title": TITLE,
        "issued_on": issued_on.isoformat(),
        "beneficiary": {"legal_name": names["beneficiary.legal_name"], "siren": siren,
                        "address": names["beneficiary.address"],
                        "purpose": names["beneficiary.purpose"]},
        "donor": {"type": donor_type, "name": names["donor.name"],
                  "address": names["donor.address"]},
        "signatory": {"name": names["signatory.name"],
                      "capacity": names["signatory.capacity"]},
        "amount_cents": amount_cents,
        "amount_in_figures": amount_in_figures(amount_cents),
        "amount_in_words": amount_in_words(amount_cents),
        "donated_on": donated_on.isoformat(),
        "form": form,
        "form_label": FORMS[form],
        "nature_label": NATURE_LABEL,
        "payment_method": payment_method,
        "payment_method_label": PAYMENT_METHODS[payment_method],
        "cgi_article": article,
        "cgi_article_label": f"article {article} du code général des impôts",
        "reduction_rate_percent": rate,
        "tax_reduction_cents": reduction,
        "tax_reduction_in_figures": amount_in_figures(reduction),
        "certification": (
            "Le bénéficiaire certifie sur l'honneur que les dons et versements qu'il reçoit "
            f"ouvrent droit à la réduction d'impôt prévue à l'article {article} du code "
            "général des impôts."),
        "note": (
            f"Ce don ouvre droit à une réduction {tax} égale à {rate} % de son montant, "
            f"soit {amount_in_figures(reduction)}, {limits}. Conservez ce reçu : il justifie "
            "la réduction auprès de l'administration fiscale."),
    }
