"""The mails people expect, through the whole platform: a citizen signs up, contributes
and pays on the payment provider's page; campaigns end at their deadline; a payment is
refunded at the provider. The SMTP server (aiosmtpd, the platform's mail catcher)
receives exactly one mail per fact, to that citizen, with the amount."""
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from shared.french import PARIS
from tests.support import accounts
from tests.support.funding import (
    ALL_ACKNOWLEDGED,
    LOAN_SHEET,
    contribute,
    given,
    live_campaign,
    pay,
    payment_id,
    ready_to_invest,
    wait_for_status,
)
from tests.support.mail import text_of
from tests.support.waiting import wait_until

PLATFORM_ENV = {"FUNDING_CLOCK_SECONDS": "0.5", "MAIL_SEND_SECONDS": "0.5",
                "RPC_TIMEOUT": "10"}
NBSP = "\u00a0"


def soon(seconds):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


def sign_up(platform, verify=False):
    """A citizen's address and headers; `verify`: the address confirmed (to invest)."""
    session = accounts.sign_up(platform, f"citoyenne-{uuid.uuid4().hex[:10]}@example.org",
                               verify=verify)
    return session["email"], accounts.bearer(session)


def about_money(facts, email):
    """The mails to `email` but its address's confirmation (sent at sign-up)."""
    return {key: mails for key, mails in facts.items()
            if not key.startswith(accounts.CONFIRMATION)
            and any(mail["X-RcptTo"] == email for mail in mails)}


def campaign_status(platform, campaign_id):
    return platform.get(f"/campaigns/{campaign_id}").json()["status"]


def test_a_contribution_a_campaign_outcome_and_a_refund_each_make_one_mail(platform):
    email, me = sign_up(platform)
    platform.headers("staff")  # made now, before the campaigns' 10 seconds start
    kept = live_campaign(platform, goal_cents=1000, deadline=soon(10),
                         title="Un camion pour la Ressourcerie")
    missed = live_campaign(platform, model="all_or_nothing", goal_cents=1_000_000,
                           deadline=soon(10), title="Un four à pain", kind="reward",
                           rewards=[{"title": "Une fournée", "min_amount_cents": 2500}])
    gift = given(platform, kept["id"], 4250, headers=me)          # captured at once
    taken_back = given(platform, kept["id"], 1300, headers=me)    # captured, then refunded
    pledge = given(platform, missed["id"], 2500, headers=me,      # authorized only
                   reward_id=missed["rewards"][0]["id"])
    assert (gift["status"], taken_back["status"], pledge["status"]) == (
        "captured", "captured", "authorized")
    platform.paysim.client().refund(payment_id(taken_back))  # by the provider's support
    wait_for_status(platform, taken_back["id"], "refunded")
    for campaign in (kept, missed):
        wait_until(lambda campaign=campaign: campaign_status(platform, campaign["id"])
                   == "closed", timeout=40, message=f"{campaign['title']} to close")

    expected = {f"contribution_confirmed:{gift['id']}", f"campaign_succeeded:{gift['id']}",
                f"contribution_confirmed:{taken_back['id']}",
                f"contribution_refunded:{taken_back['id']}",
                f"contribution_confirmed:{pledge['id']}", f"campaign_failed:{pledge['id']}"}
    wait_until(lambda: expected <= set(platform.mail.by_fact()), timeout=30,
               message="the six mails")
    time.sleep(2)  # several more sending rounds: nothing may come twice
    facts = platform.mail.by_fact()
    mine = about_money(facts, email)
    assert {key: len(mails) for key, mails in mine.items()} == {key: 1 for key in expected}
    assert all(mail["X-RcptTo"] == email == mail["To"] for [mail] in mine.values())

    def mail(kind, contribution):
        [found] = mine[f"{kind}:{contribution['id']}"]
        return found["Subject"], text_of(found)

    subject, text = mail("contribution_confirmed", gift)
    assert subject == f"Votre contribution de 42,50{NBSP}€ est confirmée"
    assert "« Un camion pour la Ressourcerie »" in text and "a bien été débité" in text
    subject, text = mail("campaign_succeeded", gift)
    assert subject == "La campagne « Un camion pour la Ressourcerie » a réussi"
    assert f"Votre contribution de 42,50{NBSP}€ y a participé" in text
    subject, text = mail("contribution_refunded", taken_back)
    assert subject == f"Votre contribution de 13{NBSP}€ vous est remboursée"
    subject, text = mail("contribution_confirmed", pledge)
    assert "ne sera débité que si la campagne atteint son objectif" in text
    assert "Contrepartie choisie : « Une fournée »." in text  # as on the thank-you page
    subject, text = mail("campaign_failed", pledge)
    assert subject == "La campagne « Un four à pain » n'a pas atteint son objectif"
    assert f"votre paiement de 25{NBSP}€ ne sera pas débité" in text
    # The refunded contribution had ended before the campaign succeeded: no outcome mail.
    assert f"campaign_succeeded:{taken_back['id']}" not in facts


def test_an_investment_and_its_withdrawal_each_make_one_mail_in_paris_time(platform):
    email, me = sign_up(platform, verify=True)
    ready_to_invest(platform, me)
    loan = live_campaign(platform, kind="loan", key_information=LOAN_SHEET,
                         goal_cents=2_000_000, title="Un prêt pour l'épicerie")
    offered = contribute(platform, loan["id"], 50_000, headers=me,
                         acknowledgements=ALL_ACKNOWLEDGED)
    assert offered.status_code == 201, offered.text
    pay(platform, offered.json())
    investment = wait_for_status(platform, offered.json()["id"], "authorized")
    ends = datetime.fromisoformat(investment["reflection_ends_at"]).astimezone(PARIS)

    received_key = f"investment_received:{investment['id']}"
    wait_until(lambda: received_key in platform.mail.by_fact(), timeout=30,
               message="the investment's mail")
    withdrawn = platform.request("POST", f"/contributions/{investment['id']}/withdraw",
                                 headers=me)
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "cancelled")
    withdrawal_key = f"withdrawal_confirmed:{investment['id']}"
    wait_until(lambda: withdrawal_key in platform.mail.by_fact(), timeout=30,
               message="the withdrawal's mail")
    time.sleep(2)  # several more sending rounds: nothing may come twice
    mine = about_money(platform.mail.by_fact(), email)
    # No reminder: the period ended with the withdrawal, before its reminder was due.
    assert {key: len(mails) for key, mails in mine.items()} == {received_key: 1,
                                                               withdrawal_key: 1}
    [received], [withdrawal] = mine[received_key], mine[withdrawal_key]
    assert received["Subject"] == f"Votre investissement de 500{NBSP}€ est enregistré"
    text = text_of(received)
    assert "« Un prêt pour l'épicerie »" in text
    assert (f"se termine le {ends.day}" in text and f"à {ends.hour}{NBSP}h{NBSP}"
            f"{ends.minute:02d} (heure de Paris)" in text)
    assert "« Mes contributions »" in text and "/mes-contributions" in text
    assert withdrawal["Subject"] == f"Vous avez renoncé à votre investissement de 500{NBSP}€"
    assert "Rien ne vous est débité" in text_of(withdrawal)


@pytest.fixture(autouse=True)
def _no_crash(platform):
    yield
    platform.processes.assert_running()


def test_a_projects_news_reaches_each_contributor_once_by_mail(platform):
    (twice, twice_headers), (once, once_headers) = sign_up(platform), sign_up(platform)
    campaign = live_campaign(platform, goal_cents=100_000, deadline=soon(3600),
                             title="Une épicerie ambulante")
    gifts = [given(platform, campaign["id"], 1500, headers=twice_headers),
             given(platform, campaign["id"], 2500, headers=twice_headers),
             given(platform, campaign["id"], 1000, headers=once_headers)]
    thanks = {f"contribution_confirmed:{gift['id']}" for gift in gifts}
    wait_until(lambda: thanks <= set(platform.mail.by_fact()), timeout=30,
               message="the thanks: notifications knows the contributors")

    project_id = campaign["project_id"]
    news = platform.post(f"/projects/{project_id}/news", {
        "title": "La tournée commence", "body": "Premier passage jeudi à Trévoux.",
        "visibility": "contributors"})
    assert news.status_code == 201, news.text
    expected = {f"project_news:{news.json()['id']}:{account}"
                for account in (account_of(platform, twice), account_of(platform, once))}
    wait_until(lambda: expected <= set(platform.mail.by_fact()), timeout=30,
               message="the news to its two contributors")
    time.sleep(2)  # several more sending rounds: nothing may come twice
    facts = platform.mail.by_fact()
    news_mails = {key: mails for key, mails in facts.items()
                  if key.startswith(f"project_news:{news.json()['id']}")}
    assert {key: len(mails) for key, mails in news_mails.items()} == {
        key: 1 for key in expected}
    assert sorted(mails[0]["X-RcptTo"] for mails in news_mails.values()) == sorted(
        [twice, once])
    for [mail] in news_mails.values():
        assert mail["Subject"] == "Des nouvelles du projet : La tournée commence"
        assert "Premier passage jeudi à Trévoux." in text_of(mail)


def account_of(platform, email):
    headers = {"Authorization": f"Bearer {platform.login(email)['access_token']}"}
    return platform.get("/me", **headers).json()["id"]
