"""A donation receipt as a one-page A4 PDF, from the document
`services.funding.domain.receipts.receipt_document` made (plain JSON, stored at issue).

fpdf2 with its built-in Helvetica: nothing to install or ship, in the Docker image too.
The built-in fonts only know Latin-1, so the few characters French text may carry beyond
it (typographic apostrophes and quotes, oe ligatures, the euro sign, dashes) are
rewritten before printing; amounts are written "euros".

A cancelled receipt (its donation refunded) prints the same document with ANNULÉ across
the page and the day and reason of its cancellation: the number stays taken, the donor
sees it can no longer justify a reduction.
"""
from datetime import date, datetime, time, timezone

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.funding.domain.receipts import CANCELLED_MARK

FONT = "Helvetica"
_BEYOND_LATIN1 = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u0153": "oe", "\u0152": "OE", "\u20ac": "euros", "\u202f": "\u00a0",
    "\u2009": " ",
})


def latin1(text) -> str:
    """`text` as the built-in fonts can print it; anything else left becomes "?"."""
    text = str(text).translate(_BEYOND_LATIN1)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _french_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


class _Receipt(FPDF):
    def __init__(self, number: str, cancelled: bool):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.receipt_number = number
        self.cancelled = cancelled
        self.set_margins(20, 15, 20)
        self.set_auto_page_break(auto=True, margin=14)

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        mark = f" - {CANCELLED_MARK}" if self.cancelled else ""
        self.cell(0, 5, latin1(f"Reçu n° {self.receipt_number}{mark}"), align="C")
        if self.cancelled:  # across the page, over the text, after it is written
            self.set_font(FONT, "B", 90)
            self.set_text_color(200, 30, 30)
            with self.rotation(35, x=self.w / 2, y=self.h / 2):
                self.text(self.w / 2 - 62, self.h / 2 + 12, latin1(CANCELLED_MARK))
            self.set_text_color(0)

    def heading(self, text):
        self.ln(1.5)
        self.set_font(FONT, "B", 11)
        self.set_fill_color(235, 240, 235)
        self.cell(0, 6.5, latin1(text), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.5)

    def labelled(self, label, value):
        self.set_font(FONT, "B", 10)
        self.cell(38, 4.6, latin1(label))
        self.set_font(FONT, "", 9.5)
        self.multi_cell(0, 4.6, latin1(value if value not in (None, "") else "-"), align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text, size=10, style=""):
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * 0.5, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_receipt_pdf(document: dict, cancellation: dict | None = None) -> bytes:
    """The receipt `document` as PDF bytes, marked ANNULÉ with its `cancellation`
    (domain.receipts.cancellation) if any; the same input gives the same bytes."""
    beneficiary, donor = document["beneficiary"], document["donor"]
    pdf = _Receipt(document["number"], cancellation is not None)
    issued = datetime.combine(date.fromisoformat(document["issued_on"]), time(12),
                              tzinfo=timezone.utc)
    pdf.set_creation_date(issued)
    pdf.set_title(latin1(f"{document['title']} n° {document['number']}"))
    pdf.set_author(latin1(beneficiary["legal_name"]))
    pdf.set_lang("fr")
    pdf.add_page()

    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 7, latin1(document["title"]), align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, latin1(f"({document['cgi_article_label']})"), align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, latin1(f"Reçu n° {document['number']}"), align="C", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    if cancellation is not None:
        pdf.set_text_color(200, 30, 30)
        pdf.paragraph(f"Reçu {CANCELLED_MARK} le {_french_date(cancellation['cancelled_on'])} "
                      f"({cancellation['reason_label']}) : ce reçu ne justifie aucune "
                      "réduction d'impôt.", size=10, style="B")
        pdf.set_text_color(0)

    pdf.heading("Bénéficiaire des versements")
    pdf.labelled("Nom", beneficiary["legal_name"])
    pdf.labelled("SIREN", beneficiary.get("siren"))
    pdf.labelled("Adresse", beneficiary["address"])
    pdf.labelled("Objet", beneficiary["purpose"])

    pdf.heading("Donateur")
    pdf.labelled("Nom", donor["name"])
    pdf.labelled("Adresse", donor["address"])

    pdf.heading("Don")
    pdf.paragraph("Le bénéficiaire reconnaît avoir reçu, au titre des dons et versements "
                  "ouvrant droit à réduction d'impôt, la somme de :")
    pdf.ln(1)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 8, latin1(document["amount_in_figures"]), align="C", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.labelled("Somme en lettres", document["amount_in_words"])
    pdf.labelled("Date du don", _french_date(document["donated_on"]))
    pdf.labelled("Forme du don", document["form_label"])
    pdf.labelled("Nature du don", document["nature_label"])
    pdf.labelled("Mode de versement", document["payment_method_label"])
    pdf.labelled("Réduction d'impôt", f"{document['reduction_rate_percent']} % du montant, soit "
                                      f"{document['tax_reduction_in_figures']}")

    pdf.ln(2)
    pdf.paragraph(document["certification"], style="B")
    pdf.ln(2)
    pdf.paragraph(document["note"], size=9)

    pdf.ln(2)
    signed = f"Fait le {_french_date(document['issued_on'])}."
    signatory = document.get("signatory")  # receipts issued before signatories had none
    if signatory:
        signed += f" Signataire : {signatory['name']}, {signatory['capacity']}."
    pdf.paragraph(signed, size=9.5)
    return bytes(pdf.output())
