"""The legal pages: every page links to them, they name the operator as its variables say,
and they never pretend: with no payment provider named, payments are said to be
simulated; with no investment authorisation, loans and shares are said to be refused."""
import html
import re

import pytest

from gateway.app import create_app
from shared.config import Settings

LEGAL_PAGES = {"/mentions-legales": "Mentions légales",
               "/conditions-generales": "Conditions générales d'utilisation",
               "/confidentialite": "Politique de confidentialité",
               "/contact": "Nous contacter"}


def page_text(answer) -> str:
    return re.sub(r"\s+", " ", html.unescape(answer.get_data(as_text=True)))


def operated_app(monkeypatch, **variables):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return create_app(Settings(jwt_secret="s" * 40, amqp_uri="amqp://nowhere:1//"))


@pytest.mark.parametrize("path, heading", LEGAL_PAGES.items())
def test_each_legal_page_answers_in_french_and_is_linked_from_every_page(client, path,
                                                                          heading):
    answer = client.get(path)
    assert answer.status_code == 200
    assert f"<h1>{heading}</h1>" in page_text(answer)
    footer = page_text(client.get("/une-adresse-inconnue"))  # even the 404 page
    assert f'href="{path}"' in footer


def test_the_demonstration_platform_says_its_payments_are_simulated(monkeypatch):
    # Compose passes a variable the operator left unset as an empty one.
    client = operated_app(monkeypatch, SITE_PUBLISHER="", PAYMENT_PROVIDER_NAME=" ").test_client()
    terms = page_text(client.get("/conditions-generales"))
    assert "prestataire de paiement simulé" in terms
    assert "aucune somme réelle n'est prélevée" in terms
    assert "ne doit pas recevoir de prêts ni de souscriptions réels" in terms
    notice = page_text(client.get("/mentions-legales"))
    assert "Association Domb'Innov" in notice and "contact@dombinnov.fr" in notice


def test_an_operator_names_itself_its_host_its_provider_and_its_authorisation(monkeypatch):
    app = operated_app(
        monkeypatch, SITE_PUBLISHER="SCIC Domb'Innov", SITE_ADDRESS="1 rue du Port, 01600 Trévoux",
        SITE_REGISTRATION="SIREN 123 456 789", SITE_PUBLICATION_DIRECTOR="Marie Dupont",
        SITE_HOST="Hébergeur Exemple, 2 rue des Serveurs, 69000 Lyon",
        SITE_CONTACT_EMAIL="bonjour@dombinnov.example",
        PAYMENT_PROVIDER_NAME="Monnaie Exemple SAS",
        PAYMENT_PROVIDER_AUTHORISATION="établissement de monnaie électronique agréé par l'ACPR",
        INVESTMENT_AUTHORISATION="Prêt Exemple, prestataire agréé par l'AMF (n° FP-2023-01)")
    client = app.test_client()
    notice = page_text(client.get("/mentions-legales"))
    for fact in ("SCIC Domb'Innov", "1 rue du Port, 01600 Trévoux", "SIREN 123 456 789",
                 "Marie Dupont", "Hébergeur Exemple, 2 rue des Serveurs, 69000 Lyon",
                 "mailto:bonjour@dombinnov.example"):
        assert fact in notice
    terms = page_text(client.get("/conditions-generales"))
    assert ("encaissées et conservées par <strong>Monnaie Exemple SAS</strong>, "
            "établissement de monnaie électronique agréé par l'ACPR") in terms
    assert "SCIC Domb'Innov ne détient jamais ces fonds" in terms
    assert "proposés par Prêt Exemple, prestataire agréé par l'AMF (n° FP-2023-01)" in terms
    assert "simulé" not in terms
    contact = page_text(client.get("/contact"))
    assert "bonjour@dombinnov.example" in contact and "1 rue du Port" in contact


def test_the_privacy_notice_says_what_is_kept_why_and_for_how_long(client):
    privacy = page_text(client.get("/confidentialite"))
    for fact in ("Nom, prénom et adresse du donateur", "6 ans après l'année du don",
                 "règlement (UE) 2020/1503", "CNIL", "Aucun cookie de mesure d'audience",
                 "Questions posées sur une campagne", "Messages que nous vous écrivons"):
        assert fact in privacy
    # The page that exercises those rights is named and linked.
    assert 'href="/mes-donnees"' in client.get("/confidentialite").get_data(as_text=True)
