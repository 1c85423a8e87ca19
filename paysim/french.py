"""What the payer reads, in French: amounts and the states of a payment."""
NARROW_NO_BREAK_SPACE = "\u202f"  # groups thousands, as French typography does
NO_BREAK_SPACE = "\u00a0"         # keeps the amount and its currency on one line

STATUS_LABELS = {
    "pending": "En attente de votre décision",
    "authorized": "Paiement autorisé : le montant est réservé et sera prélevé plus tard",
    "captured": "Paiement effectué",
    "failed": "Paiement refusé",
    "cancelled": "Paiement annulé : vous ne serez pas débité",
    "refunded": "Paiement remboursé",
}


def format_euros(cents: int) -> str:
    """1234550 -> "12 345,50 €" (narrow no-break spaces between thousands)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", NARROW_NO_BREAK_SPACE)
    return f"{sign}{grouped},{rest:02d}{NO_BREAK_SPACE}€"
