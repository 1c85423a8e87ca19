"""The pages every French site owes its readers: the legal notice (LCEN, art. 6), the
terms of use, the privacy notice (GDPR, art. 13) and how to reach the cluster.

What they say of the operator (who publishes the site, where, who hosts it, which payment
provider holds the money and under which authorisation investments are offered) is the
operator's to set, by environment variable (README, "Deploy it"). The defaults describe
the demonstration platform, and say so: with no payment provider named, the pages say
that payments are simulated; with no investment authorisation, that loan and share
campaigns cannot take real money."""
import os
from dataclasses import dataclass, field

from flask import current_app, render_template

from gateway.web.blueprint import web


def _setting(name: str, default: str = "") -> str:
    """A variable's value; unset or empty (as compose passes an unset one), the default."""
    return (os.environ.get(name, "").strip() or default)


@dataclass(frozen=True)
class Operator:
    """Who runs this platform, as the legal pages name them."""

    publisher: str = field(default_factory=lambda: _setting(
        "SITE_PUBLISHER", "Association Domb'Innov"))
    address: str = field(default_factory=lambda: _setting("SITE_ADDRESS", "01600 Trévoux"))
    registration: str = field(default_factory=lambda: _setting("SITE_REGISTRATION"))
    publication_director: str = field(default_factory=lambda: _setting(
        "SITE_PUBLICATION_DIRECTOR", "la présidence de l'association Domb'Innov"))
    host: str = field(default_factory=lambda: _setting("SITE_HOST"))
    contact_email: str = field(default_factory=lambda: _setting(
        "SITE_CONTACT_EMAIL", "contact@dombinnov.fr"))
    payment_provider: str = field(default_factory=lambda: _setting("PAYMENT_PROVIDER_NAME"))
    payment_authorisation: str = field(default_factory=lambda: _setting(
        "PAYMENT_PROVIDER_AUTHORISATION"))
    investment_authorisation: str = field(default_factory=lambda: _setting(
        "INVESTMENT_AUTHORISATION"))

    @property
    def payments_simulated(self) -> bool:
        return not self.payment_provider


def operator() -> Operator:
    return current_app.extensions["site_operator"]


@web.app_context_processor
def legal_context():
    """Every page's footer, and a loan or shares campaign, name the operator."""
    return {"site_operator": operator()}


@web.get("/mentions-legales")
def legal_notice():
    return render_template("web/legal/notice.html", active="legal")


@web.get("/conditions-generales")
def terms():
    return render_template("web/legal/terms.html", active="legal")


@web.get("/confidentialite")
def privacy():
    return render_template("web/legal/privacy.html", active="legal")


@web.get("/contact")
def contact():
    return render_template("web/legal/contact.html", active="contact")
