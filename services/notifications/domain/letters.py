"""What each mail says, in French: a subject and a few paragraphs, written once and
rendered twice, as plain text (the part every reader shows) and as HTML.

The text names no person (no name, no address): a mail is written when its fact is
known and kept until sent, and the address is asked of members only at that moment.
"""
import html
from dataclasses import dataclass, field

from shared.french import euros, long_date, long_date_time

SIGNATURE = "L'équipe de Domb'Innov"
FOOTER = ("Ce message est envoyé automatiquement par la plateforme de Domb'Innov, pôle "
          "territorial de coopération économique de la Dombes, du Val de Saône et de la "
          "Côtière de l'Ain. Merci de ne pas y répondre.")
MY_CONTRIBUTIONS = "/mes-contributions"


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Letter:
    subject: str
    paragraphs: tuple
    link: Link | None = None
    greeting: str = field(default="Bonjour,")

    def text(self) -> str:
        parts = [self.greeting, *self.paragraphs]
        if self.link:
            parts.append(f"{self.link.label} : {self.link.url}")
        parts += [SIGNATURE, "-- \n" + FOOTER]
        return "\n\n".join(parts) + "\n"

    def html(self) -> str:
        body = [f"<p>{html.escape(self.greeting)}</p>"]
        body += [f"<p>{html.escape(paragraph)}</p>" for paragraph in self.paragraphs]
        if self.link:
            body.append(f'<p><a href="{html.escape(self.link.url)}">'
                        f"{html.escape(self.link.label)}</a></p>")
        body.append(f"<p>{html.escape(SIGNATURE)}</p>")
        body.append(f'<p style="color:#555;font-size:small">{html.escape(FOOTER)}</p>')
        return ('<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
                f"<title>{html.escape(self.subject)}</title></head>\n<body>\n"
                + "\n".join(body) + "\n</body></html>\n")


def _campaign(title) -> str:
    return f"la campagne « {title} »" if title else "la campagne"


def _my_contributions(public_url) -> Link:
    return Link("Suivre mes contributions", public_url.rstrip("/") + MY_CONTRIBUTIONS)


INVESTMENTS = ("loan", "shares")


def _held_until_outcome(c) -> bool:
    """An all-or-nothing pledge is only authorized until the campaign succeeds (a
    keep-it-all one is confirmed authorized too, but captured in the same move)."""
    return c["model"] == "all_or_nothing" and c["status_when_confirmed"] == "authorized"


def contribution_confirmed(c, campaign, public_url) -> Letter:
    """`c`: the contribution as notifications knows it; `campaign`: its campaign."""
    amount, where = euros(c["amount_cents"]), _campaign(campaign.get("title"))
    paragraphs = [f"Merci ! Votre contribution de {amount} à {where} est confirmée "
                  f"le {long_date(c['confirmed_at'])}."]
    if c["kind"] in INVESTMENTS:
        paragraphs.append("Votre délai de réflexion est terminé : votre investissement "
                          "compte désormais dans la collecte.")
    elif _held_until_outcome(c):
        deadline = campaign.get("deadline")
        until = f", le {long_date(deadline)}" if deadline else ""
        paragraphs.append("Votre paiement est autorisé, mais il ne sera débité que si la "
                          f"campagne atteint son objectif à sa date de fin{until}.")
    else:
        paragraphs.append("Votre paiement a bien été débité.")
    if c.get("reward_title"):
        paragraphs.append(f"Contrepartie choisie : « {c['reward_title']} ».")
    if c.get("matched_cents"):
        paragraphs.append(f"Grâce à l'abondement, {euros(c['matched_cents'])} de plus "
                          "iront au projet.")
    return Letter(f"Votre contribution de {amount} est confirmée", tuple(paragraphs),
                  _my_contributions(public_url))


def campaign_succeeded(c, campaign, public_url) -> Letter:
    title, amount = campaign.get("title"), euros(c["amount_cents"])
    paragraphs = [f"Bonne nouvelle : {_campaign(title)} a atteint son objectif"
                  + (f", avec {euros(campaign['raised_cents'])} collectés."
                     if campaign.get("raised_cents") is not None else ".")
                  + f" Votre contribution de {amount} y a participé."]
    if _held_until_outcome(c):
        paragraphs.append(f"Votre paiement de {amount}, jusqu'ici seulement autorisé, va "
                          "maintenant être débité.")
    paragraphs.append("Merci de votre soutien : le projet peut avancer.")
    subject = f"La campagne « {title} » a réussi" if title else "La campagne a réussi"
    return Letter(subject, tuple(paragraphs), _my_contributions(public_url))


def campaign_failed(c, campaign, public_url) -> Letter:
    title, amount = campaign.get("title"), euros(c["amount_cents"])
    paragraphs = [f"{_campaign(title).capitalize()} n'a pas atteint son objectif à sa date "
                  "de fin."]
    if c["model"] == "all_or_nothing":
        if _held_until_outcome(c):
            paragraphs.append(f"Comme elle l'annonçait, elle rend toutes les contributions : "
                              f"votre paiement de {amount} ne sera pas débité, son "
                              "autorisation est levée.")
        else:
            paragraphs.append(f"Comme elle l'annonçait, elle rend toutes les contributions : "
                              f"votre contribution de {amount} vous sera remboursée, et un "
                              "message vous le confirmera.")
    else:
        paragraphs.append(f"Elle conservait tout ce qui serait collecté : votre contribution "
                          f"de {amount} reste acquise au projet. Merci de votre soutien.")
    subject = (f"La campagne « {title} » n'a pas atteint son objectif" if title
               else "La campagne n'a pas atteint son objectif")
    return Letter(subject, tuple(paragraphs), _my_contributions(public_url))


REFUND_REASONS = {
    "campaign_failed": ", parce que la campagne n'a pas atteint son objectif",
    "declined": ", parce que le conseil de la coopérative n'a pas accepté votre souscription",
    "not_approved": ", parce que le conseil de la coopérative ne l'a pas acceptée dans le "
                    "délai prévu",
    "withdrawn": ", à la suite de votre retrait",
}


def contribution_refunded(c, campaign, public_url) -> Letter:
    amount = euros(c["amount_cents"])
    why = REFUND_REASONS.get(c.get("ended_reason"), "")
    paragraphs = (f"Nous vous avons remboursé votre contribution de {amount} à "
                  f"{_campaign(campaign.get('title'))}{why}.",
                  "Le remboursement apparaît sur votre compte sous quelques jours ouvrés, "
                  "selon votre banque.")
    if c.get("receipt_number"):  # cancelled with the refund, in funding
        paragraphs += (f"Le reçu fiscal n° {c['receipt_number']} de ce don est annulé : il "
                       "ne justifie plus de réduction d'impôt, ne le joignez pas à votre "
                       "déclaration.",)
    return Letter(f"Votre contribution de {amount} vous est remboursée", paragraphs,
                  _my_contributions(public_url))


def receipt_issued(c, campaign, public_url) -> Letter:
    amount, number = euros(c["amount_cents"]), c["receipt_number"]
    paragraphs = (f"Le reçu fiscal n° {number} de votre don de {amount} à "
                  f"{_campaign(campaign.get('title'))} est disponible.",
                  "Téléchargez-le depuis votre espace et conservez-le : il justifie votre "
                  "réduction d'impôt si l'administration fiscale le demande.")
    return Letter(f"Votre reçu fiscal n° {number} est disponible", paragraphs,
                  _my_contributions(public_url))


def reflection_period_ending(c, campaign, public_url) -> Letter:
    amount, ends = euros(c["amount_cents"]), c["reflection_ends_at"]
    paragraphs = (f"Votre investissement de {amount} dans {_campaign(campaign.get('title'))} "
                  f"est dans son délai de réflexion, qui se termine le {long_date_time(ends)}.",
                  "Jusque-là, vous pouvez le retirer depuis votre espace, sans frais et sans "
                  "avoir à vous justifier : rien ne vous sera alors débité.",
                  "Passé ce délai, votre investissement devient définitif.")
    return Letter(f"Votre délai de réflexion se termine le {long_date(ends)}", paragraphs,
                  _my_contributions(public_url))


def project_news(news: dict, project_url: str) -> Letter:
    """`news`: the news as projects published it (title, body). Its text is told whole:
    news for contributors only is read nowhere else."""
    paragraphs = ["Vous avez soutenu une campagne de ce projet : voici ses nouvelles.",
                  f"« {news['title']} »",
                  *(part.strip() for part in news["body"].split("\n\n") if part.strip())]
    return Letter(f"Des nouvelles du projet : {news['title']}", tuple(paragraphs),
                  Link("Voir la page du projet", project_url))


def question_answered(question: dict, campaign_url: str) -> Letter:
    """`question`: funding's question_answered fact (the campaign's title, the question
    and its answer, all public on the campaign's page)."""
    who = ("l'équipe de Domb'Innov" if question["answered_by"] == "team"
           else "le porteur du projet")
    paragraphs = [f"Vous avez posé une question sur {_campaign(question['campaign_title'])} : "
                  f"{who} y a répondu.",
                  f"Votre question : « {question['question']} »",
                  "La réponse :",
                  *(part.strip() for part in question["answer"].split("\n\n") if part.strip())]
    return Letter("Réponse à votre question sur la campagne « "
                  f"{question['campaign_title']} »", tuple(paragraphs),
                  Link("Voir la campagne", campaign_url))


def _paris_time(at) -> str:
    """An instant as the investor reads it, the time zone said: deadlines bind by it."""
    return f"{long_date_time(at)} (heure de Paris)"


def investment_received(c, campaign, public_url) -> Letter:
    """The offer recorded and its payment authorized: the reflection period runs."""
    amount, ends = euros(c["amount_cents"]), c["reflection_ends_at"]
    paragraphs = (f"Votre investissement de {amount} dans {_campaign(campaign.get('title'))} "
                  "est enregistré et votre paiement est autorisé. Rien n'est débité pendant "
                  "votre délai de réflexion.",
                  f"Ce délai se termine le {_paris_time(ends)}. Jusque-là, "
                  "vous pouvez renoncer à cet investissement sans frais et sans avoir à vous "
                  "justifier.",
                  "Pour renoncer, ouvrez « Mes contributions » et choisissez « Renoncer à cet "
                  "investissement ».",
                  "Passé ce délai, votre investissement devient définitif : un message vous "
                  "le confirmera.")
    return Letter(f"Votre investissement de {amount} est enregistré", paragraphs,
                  _my_contributions(public_url))


def withdrawal_confirmed(c, campaign, public_url) -> Letter:
    amount, at = euros(c["amount_cents"]), c.get("ended_at")
    where, when = _campaign(campaign.get("title")), f", le {_paris_time(at)}" if at else ""
    paragraphs = (f"Vous avez renoncé à votre investissement de {amount} dans {where}{when}, "
                  "pendant votre délai de réflexion.",
                  "Rien ne vous est débité et aucun frais ne vous est demandé : si votre "
                  "paiement avait été autorisé, cette autorisation est levée.")
    return Letter(f"Vous avez renoncé à votre investissement de {amount}", paragraphs,
                  _my_contributions(public_url))


def membership_dues_due(membership, organisation_name, deadline) -> Letter:
    year, owed = membership["year"], euros(membership["dues_cents"] - membership["paid_cents"])
    who = f"de {organisation_name} " if organisation_name else "de votre structure "
    paragraphs = (f"L'adhésion {who}à Domb'Innov pour {year} est active. La cotisation de "
                  f"l'année, {owed}, est à régler avant le {long_date(deadline)}.",
                  "Sans règlement à cette date, l'adhésion est suspendue jusqu'au paiement.",
                  "Pour régler ou pour toute question, adressez-vous à l'équipe d'animation "
                  "du pôle.")
    return Letter(f"Cotisation {year} : {owed} à régler avant le {long_date(deadline)}",
                  paragraphs)


# The reset link's token is secret: it is not written into the kept mail. The mail is kept
# with this mark where its link goes, and the link is asked of members when the mail is
# sent (see NotificationsService.send_due): a mark made of characters HTML leaves alone.
SECRET_LINK = "LIEN-SECRET-AJOUTE-A-L-ENVOI"
RESET_PAGE = "/mot-de-passe/"


def password_reset(expires_at) -> Letter:
    paragraphs = ("Quelqu'un, sans doute vous, a demandé à choisir un nouveau mot de passe "
                  "pour votre compte Domb'Innov.",
                  f"Le lien ci-dessous sert une seule fois, jusqu'au "
                  f"{long_date_time(expires_at)}. Un lien demandé ensuite remplace celui-ci.",
                  "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne "
                  "change pas.")
    return Letter("Choisir un nouveau mot de passe", paragraphs,
                  Link("Choisir un nouveau mot de passe", SECRET_LINK))


def reset_link(public_url, token) -> str:
    return public_url.rstrip("/") + RESET_PAGE + token


def with_secret_link(mail: dict, url: str) -> dict:
    """The kept mail with its link in place, to send (and not to keep)."""
    return {**mail, "text_body": mail["text_body"].replace(SECRET_LINK, url),
            "html_body": mail["html_body"].replace(SECRET_LINK, url)}


# --- addresses confirmed by mail (members' email tokens) ---------------------------------

CONFIRM_PAGE = "/adresse/"
FORGOTTEN_PAGE = "/mot-de-passe-oublie"


def email_confirmation(purpose, expires_at) -> Letter:
    """The link to confirm an address: the account's own ("verify"), or the one it moves
    to ("change"); its link is added when it goes, as a password reset's."""
    until = f"Le lien ci-dessous sert une seule fois, jusqu'au {long_date_time(expires_at)}."
    if purpose == "change":
        return Letter("Confirmer votre nouvelle adresse", (
            "Vous avez demandé que votre compte Domb'Innov utilise désormais cette adresse "
            "électronique.", until + " Tant qu'il n'est pas suivi, votre compte garde son "
            "adresse actuelle.",
            "Si vous n'avez rien demandé, ignorez ce message."),
            Link("Confirmer cette adresse", SECRET_LINK))
    return Letter("Confirmer votre adresse électronique", (
        "Bienvenue sur la plateforme de Domb'Innov. Confirmez que cette adresse est bien la "
        "vôtre : elle est nécessaire pour investir (prêt, parts sociales) et pour recevoir "
        "nos messages.", until + " Un lien demandé ensuite remplace celui-ci.",
        "Si vous n'avez pas créé de compte, ignorez ce message."),
        Link("Confirmer mon adresse", SECRET_LINK))


def confirm_link(public_url, token) -> str:
    return public_url.rstrip("/") + CONFIRM_PAGE + token


def address_already_registered(public_url) -> Letter:
    """To an account's owner, when someone gave its address again (a sign-up, a move)."""
    return Letter("Votre adresse a déjà un compte", (
        "Quelqu'un, sans doute vous, a voulu créer un compte Domb'Innov avec cette adresse "
        "électronique, ou y déplacer un autre compte. Elle a déjà un compte : rien n'a été "
        "créé ni changé.",
        "Si c'était vous, connectez-vous avec votre compte ; si vous avez oublié votre mot "
        "de passe, choisissez-en un nouveau avec le lien ci-dessous.",
        "Si vous n'avez rien demandé, ignorez ce message."),
        Link("Choisir un nouveau mot de passe", public_url.rstrip("/") + FORGOTTEN_PAGE))


def email_changed() -> Letter:
    """To the address an account left."""
    return Letter("L'adresse de votre compte a changé", (
        "Votre compte Domb'Innov utilise désormais une autre adresse électronique : le "
        "changement a été confirmé depuis la nouvelle adresse. Cette adresse-ci ne recevra "
        "plus nos messages.",
        "Si vous n'êtes pas à l'origine de ce changement, écrivez-nous sans attendre à "
        "l'équipe du pôle pour protéger votre compte."))
