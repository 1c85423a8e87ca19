"""Notifications' rules, pure: which mails the facts known call for, what they say in
French (plain text and HTML), when a failed one is tried again."""
from datetime import datetime, timedelta, timezone

from services.notifications.domain import due, letters, retries
from services.notifications.postman import compose, message_id

NNBSP, NBSP = "\u202f", "\u00a0"
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
URL = "https://plateforme.dombinnov.fr"
CAMPAIGN = {"id": "camp-1", "title": "Un camion <frigorifique> & co", "outcome": None,
            "deadline": datetime(2026, 12, 31, 22, 0, tzinfo=timezone.utc),
            "raised_cents": None, "decided_at": None}


def contribution(**fields):
    return {"id": "c-1", "campaign_id": "camp-1", "account_id": "acc-1", "kind": "donation",
            "model": "keep_it_all", "amount_cents": 4250, "status_when_confirmed": None,
            "confirmed_at": None, "matched_cents": 0, "reflection_ends_at": None,
            "ended": None, "ended_reason": None, "ended_at": None, "receipt_number": None,
            **fields}


def keys(mails):
    return sorted(mail.key for mail in mails)


# --- which mails, under which key -------------------------------------------------------

def test_each_fact_of_a_contribution_has_its_own_key_and_goes_to_its_contributor():
    c = contribution(confirmed_at=NOW, status_when_confirmed="captured", ended="refunded",
                     receipt_number="2026-000007")
    mails = due.contribution_mails(c, CAMPAIGN, NOW)
    assert keys(mails) == ["contribution_confirmed:c-1", "contribution_refunded:c-1",
                           "receipt_issued:c-1"]
    assert {(mail.account_id, mail.not_before) for mail in mails} == {("acc-1", NOW)}
    assert due.contribution_mails(c, CAMPAIGN, NOW) == mails  # the same facts, the same keys


def test_nobody_is_written_to_for_money_recorded_by_hand():
    assert due.contribution_mails(contribution(account_id=None, confirmed_at=NOW),
                                  CAMPAIGN, NOW) == []


def test_the_outcome_reaches_contributions_that_counted_and_those_it_ended():
    decided = {**CAMPAIGN, "outcome": "failed", "decided_at": NOW}
    counted = contribution(confirmed_at=NOW, status_when_confirmed="authorized")
    released = {**counted, "ended": "cancelled", "ended_reason": "campaign_failed",
                "ended_at": NOW + timedelta(seconds=1)}
    never_counted = contribution(ended="cancelled", ended_reason="campaign_failed")
    assert "campaign_failed:c-1" in keys(due.contribution_mails(counted, decided, NOW))
    assert "campaign_failed:c-1" in keys(due.contribution_mails(released, decided, NOW))
    assert due.contribution_mails(never_counted, decided, NOW) == []
    assert "campaign_succeeded:c-1" in keys(due.contribution_mails(
        counted, {**decided, "outcome": "succeeded"}, NOW))


def test_a_contribution_refunded_before_the_outcome_does_not_hear_of_it_in_any_order():
    decided = {**CAMPAIGN, "outcome": "succeeded", "decided_at": NOW}
    refunded_before = contribution(confirmed_at=NOW - timedelta(days=2), ended="refunded",
                                   ended_at=NOW - timedelta(days=1))
    assert keys(due.contribution_mails(refunded_before, decided, NOW)) == [
        "contribution_confirmed:c-1", "contribution_refunded:c-1"]
    # The outcome came first here and its mail is not sent yet: it is called off.
    assert "campaign_succeeded:c-1" in due.contribution_moot(refunded_before, decided)
    refunded_after = {**refunded_before, "ended_at": NOW + timedelta(days=1)}
    assert "campaign_succeeded:c-1" in keys(due.contribution_mails(refunded_after, decided,
                                                                   NOW))
    assert due.contribution_moot(refunded_after, decided) == [
        "investment_received:c-1", "reflection_period_ending:c-1"]


def test_a_subscription_given_back_in_the_deciding_transaction_does_not_hear_of_the_outcome():
    """A share subscription the board had not approved in its time is given back at the
    decision's very moment, before the outcome: no "your contribution took part" mail."""
    decided = {**CAMPAIGN, "outcome": "succeeded", "decided_at": NOW}
    not_approved = contribution(kind="shares", confirmed_at=NOW - timedelta(days=3),
                                ended="refunded", ended_reason="not_approved", ended_at=NOW)
    assert keys(due.contribution_mails(not_approved, decided, NOW)) == [
        "contribution_confirmed:c-1", "contribution_refunded:c-1"]
    assert "campaign_succeeded:c-1" in due.contribution_moot(not_approved, decided)
    letter = letters.contribution_refunded(not_approved, decided, URL)
    assert "ne l'a pas acceptée dans le délai prévu" in letter.paragraphs[0]


def test_an_investor_is_told_at_once_and_reminded_a_day_before_the_reflection_period_ends():
    ends = NOW + timedelta(days=4)
    investment = contribution(kind="shares", reflection_ends_at=ends)
    received, reminder = due.contribution_mails(investment, CAMPAIGN, NOW)
    assert (received.key, received.not_before) == ("investment_received:c-1", NOW)
    assert (reminder.key, reminder.not_before) == ("reflection_period_ending:c-1",
                                                   ends - timedelta(days=1))
    late = NOW + timedelta(hours=5)  # less than a day left: at once
    assert due.contribution_mails({**investment, "reflection_ends_at": late}, CAMPAIGN,
                                  NOW)[1].not_before == NOW
    assert due.contribution_mails(investment, CAMPAIGN, ends) == []  # over: too late
    assert due.contribution_mails({**investment, "ended": "cancelled"}, CAMPAIGN, NOW) == []
    assert due.contribution_mails(contribution(reflection_ends_at=ends), CAMPAIGN, NOW) == []
    assert {"investment_received:c-1", "reflection_period_ending:c-1"} <= set(
        due.contribution_moot({**investment, "ended": "cancelled", "ended_reason": "withdrawn"},
                              CAMPAIGN))
    assert due.contribution_moot(investment, CAMPAIGN) == []
    # Counted already (its confirmation came first, after a backlog): neither is due.
    assert due.contribution_mails({**investment, "confirmed_at": NOW}, CAMPAIGN, NOW) == [
        due.Due("contribution_confirmed:c-1", "contribution_confirmed", "acc-1", NOW)]


def test_a_withdrawal_is_confirmed_once_and_only_a_withdrawal():
    ends = NOW + timedelta(days=4)
    withdrawn = contribution(kind="loan", reflection_ends_at=ends, ended="cancelled",
                             ended_reason="withdrawn", ended_at=NOW)
    assert keys(due.contribution_mails(withdrawn, CAMPAIGN, NOW)) == ["withdrawal_confirmed:c-1"]
    # Heard after the period's end (a backlog): still confirmed.
    assert keys(due.contribution_mails(withdrawn, CAMPAIGN, ends + timedelta(days=1))) == [
        "withdrawal_confirmed:c-1"]
    expired = {**withdrawn, "ended_reason": "expired"}
    assert due.contribution_mails(expired, CAMPAIGN, NOW) == []
    # Money taken then given back for the withdrawal: the refund's own mail says so.
    refunded = {**withdrawn, "ended": "refunded"}
    assert keys(due.contribution_mails(refunded, CAMPAIGN, NOW)) == ["contribution_refunded:c-1"]


MEMBERSHIP = {"id": "m-1", "organisation_id": "o-1", "year": 2027, "dues_cents": 15_000,
              "paid_cents": 0, "status": "active",
              "activated_at": datetime(2027, 1, 1, tzinfo=timezone.utc)}
GRACE = timedelta(days=60)


def test_dues_are_called_to_each_member_admin_until_paid_or_late():
    now = datetime(2027, 1, 2, tzinfo=timezone.utc)
    mails = due.dues_mails(MEMBERSHIP, ["a-1", "a-2"], now, GRACE)
    assert keys(mails) == ["membership_dues_due:m-1:a-1", "membership_dues_due:m-1:a-2"]
    assert due.dues_mails({**MEMBERSHIP, "paid_cents": 15_000}, ["a-1"], now, GRACE) == []
    assert due.dues_mails({**MEMBERSHIP, "status": "applied"}, ["a-1"], now, GRACE) == []
    assert due.dues_mails(MEMBERSHIP, ["a-1"], now + GRACE, GRACE) == []


def test_a_membership_status_only_moves_forward_whatever_order_its_events_come_in():
    assert due.next_membership_status(None, "applied") == "applied"
    assert due.next_membership_status("applied", "active") == "active"
    assert due.next_membership_status("active", "applied") == "active"  # heard late
    assert due.next_membership_status("active", "resigned") == "resigned"
    assert due.next_membership_status("lapsed", "active") == "lapsed"  # stops for good


# --- what they say ---------------------------------------------------------------------

def test_a_confirmation_says_the_amount_and_the_campaign_in_french_with_a_link():
    letter = letters.contribution_confirmed(
        contribution(confirmed_at=NOW, status_when_confirmed="captured", matched_cents=4250),
        CAMPAIGN, URL)
    text = letter.text()
    assert letter.subject == f"Votre contribution de 42,50{NBSP}€ est confirmée"
    assert "« Un camion <frigorifique> & co »" in text
    assert "le 27 novembre 2026" in text and "a bien été débité" in text
    assert f"Grâce à l'abondement, 42,50{NBSP}€ de plus" in text
    assert f"{URL}/mes-contributions" in text
    html = letter.html()
    assert '<html lang="fr">' in html and "&lt;frigorifique&gt; &amp; co" in html
    assert "<frigorifique>" not in html
    assert f'<a href="{URL}/mes-contributions">' in html


def test_an_all_or_nothing_pledge_is_confirmed_as_authorized_not_taken():
    pledge = contribution(model="all_or_nothing", confirmed_at=NOW,
                          status_when_confirmed="authorized")
    text = letters.contribution_confirmed(pledge, CAMPAIGN, URL).text()
    assert "ne sera débité que si la campagne atteint son objectif" in text
    assert "Contrepartie" not in text
    rewarded = {**pledge, "reward_title": "Un panier de saison"}
    assert "Contrepartie choisie : « Un panier de saison »." in \
        letters.contribution_confirmed(rewarded, CAMPAIGN, URL).text()
    assert "le 31 décembre 2026" in text  # 23:00 in Paris, still the 31st
    # Keep-it-all gifts are confirmed once authorized too, and captured in the same move.
    gift = {**pledge, "model": "keep_it_all"}
    assert "a bien été débité" in letters.contribution_confirmed(gift, CAMPAIGN, URL).text()


def test_a_failed_campaign_says_what_becomes_of_the_money():
    decided = {**CAMPAIGN, "title": "Un camion", "outcome": "failed"}
    authorized = contribution(model="all_or_nothing", confirmed_at=NOW,
                              status_when_confirmed="authorized")
    letter = letters.campaign_failed(authorized, decided, URL)
    assert letter.subject == "La campagne « Un camion » n'a pas atteint son objectif"
    assert f"votre paiement de 42,50{NBSP}€ ne sera pas débité" in letter.text()
    captured = {**authorized, "status_when_confirmed": "captured"}
    assert "vous sera remboursée" in letters.campaign_failed(captured, decided, URL).text()
    kept = contribution(confirmed_at=NOW, status_when_confirmed="captured")
    assert "reste acquise au projet" in letters.campaign_failed(kept, decided, URL).text()


def test_a_success_tells_the_total_and_a_refund_tells_why():
    success = letters.campaign_succeeded(
        contribution(model="all_or_nothing", confirmed_at=NOW,
                     status_when_confirmed="authorized"),
        {**CAMPAIGN, "title": "Un camion", "raised_cents": 1_234_500}, URL)
    assert success.subject == "La campagne « Un camion » a réussi"
    assert f"avec 12{NNBSP}345{NBSP}€ collectés" in success.text()
    assert "va maintenant être débité" in success.text()
    refund = letters.contribution_refunded(
        contribution(ended="refunded", ended_reason="campaign_failed"), CAMPAIGN, URL)
    assert refund.subject == f"Votre contribution de 42,50{NBSP}€ vous est remboursée"
    assert "parce que la campagne n'a pas atteint son objectif" in refund.text()
    assert "reçu fiscal" not in refund.text()
    receipted = letters.contribution_refunded(
        contribution(ended="refunded", receipt_number="2026-000007"), CAMPAIGN, URL)
    assert "Le reçu fiscal n° 2026-000007 de ce don est annulé" in receipted.text()


def test_the_receipt_the_reflection_period_and_the_dues_in_french_dates():
    receipt = letters.receipt_issued(contribution(receipt_number="2026-000007"), CAMPAIGN, URL)
    assert receipt.subject == "Votre reçu fiscal n° 2026-000007 est disponible"
    ends = datetime(2026, 12, 1, 13, 5, tzinfo=timezone.utc)
    reminder = letters.reflection_period_ending(
        contribution(kind="loan", reflection_ends_at=ends), CAMPAIGN, URL)
    assert reminder.subject == "Votre délai de réflexion se termine le 1er décembre 2026"
    assert f"le 1er décembre 2026 à 14{NBSP}h{NBSP}05" in reminder.text()
    # 23:30 UTC on 4 December is 00:30 on the 5th in Paris.
    ends = datetime(2026, 12, 4, 23, 30, tzinfo=timezone.utc)
    received = letters.investment_received(
        contribution(kind="loan", amount_cents=50_000, reflection_ends_at=ends), CAMPAIGN, URL)
    assert received.subject == f"Votre investissement de 500{NBSP}€ est enregistré"
    text = received.text()
    assert "« Un camion <frigorifique> & co »" in text
    assert f"se termine le 5 décembre 2026 à 0{NBSP}h{NBSP}30 (heure de Paris)" in text
    assert "« Mes contributions »" in text and "Renoncer à cet investissement" in text
    assert f"{URL}/mes-contributions" in text
    assert "&lt;frigorifique&gt; &amp; co" in received.html()
    withdrawal = letters.withdrawal_confirmed(
        contribution(kind="loan", amount_cents=50_000, ended="cancelled",
                     ended_reason="withdrawn", ended_at=ends), CAMPAIGN, URL)
    assert withdrawal.subject == f"Vous avez renoncé à votre investissement de 500{NBSP}€"
    assert f"le 5 décembre 2026 à 0{NBSP}h{NBSP}30 (heure de Paris)" in withdrawal.text()
    assert "Rien ne vous est débité" in withdrawal.text()
    dues = letters.membership_dues_due(MEMBERSHIP, "Recyclerie de la Dombes",
                                       datetime(2027, 3, 2, tzinfo=timezone.utc))
    assert dues.subject == f"Cotisation 2027 : 150{NBSP}€ à régler avant le 2 mars 2027"
    assert "L'adhésion de Recyclerie de la Dombes à Domb'Innov pour 2027" in dues.text()


# --- the mail, and its retries ------------------------------------------------------------

def test_a_mail_has_a_plain_text_part_an_html_alternative_and_a_stable_id():
    letter = letters.contribution_refunded(contribution(ended="refunded"), CAMPAIGN, URL)
    mail = {"key": "contribution_refunded:c-1", "subject": letter.subject,
            "text_body": letter.text(), "html_body": letter.html()}
    sender = "Domb'Innov <ne-pas-repondre@dombinnov.fr>"
    message = compose(mail, sender, "camille@example.org")
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert f"42,50{NBSP}€" in plain.get_content()
    assert message["To"] == "camille@example.org" and message["Content-Language"] == "fr"
    assert message["Message-ID"] == message_id("contribution_refunded:c-1", sender)
    assert message["Message-ID"].endswith("@dombinnov.fr>")
    assert message_id("contribution_refunded:c-2", sender) != message["Message-ID"]


def test_a_failed_send_is_tried_again_later_and_later_then_given_up():
    waits = [retries.next_attempt(attempt, NOW) - NOW for attempt in range(1, 11)]
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert max(waits) == retries.LONGEST_WAIT
    assert not retries.gives_up(9) and retries.gives_up(10)


# --- a project's news ------------------------------------------------------------------

def test_a_projects_news_goes_once_to_each_contributor_who_gave():
    contributions = [
        contribution(id="c-1", account_id="acc-1", confirmed_at=NOW),
        contribution(id="c-2", account_id="acc-1", confirmed_at=NOW, campaign_id="camp-2"),
        contribution(id="c-3", account_id="acc-2", confirmed_at=NOW, ended="refunded"),
        contribution(id="c-4", account_id="acc-3"),  # authorized, not confirmed
        contribution(id="c-5", account_id="acc-4", confirmed_at=NOW, ended="cancelled"),
        contribution(id="c-6", account_id=None, confirmed_at=NOW),  # a cheque: nobody
    ]
    mails = due.news_mails("post-1", contributions, NOW)
    assert [(mail.key, mail.kind, mail.account_id, mail.not_before) for mail in mails] == [
        ("project_news:post-1:acc-1", "project_news", "acc-1", NOW),
        ("project_news:post-1:acc-2", "project_news", "acc-2", NOW)]


def test_a_projects_news_is_told_whole_in_french_text_and_html():
    letter = letters.project_news({"title": "Le four <est> livré",
                                   "body": "Premières fournées.\n\n  Merci & à bientôt  "},
                                  f"{URL}/projets/p-1")
    assert letter.subject == "Des nouvelles du projet : Le four <est> livré"
    text = letter.text()
    assert "Vous avez soutenu une campagne de ce projet" in text
    assert "Premières fournées.\n\nMerci & à bientôt\n\n" in text
    assert f"Voir la page du projet : {URL}/projets/p-1" in text
    assert "« Le four &lt;est&gt; livré »" in letter.html()
    assert "<p>Merci &amp; à bientôt</p>" in letter.html()


def test_an_answer_tells_who_answered_the_question_and_the_answer_whole():
    question = {"question_id": "q-1", "campaign_id": "camp-1", "answered_by": "team",
                "campaign_title": "Un camion <frigorifique> & co",
                "question": "Livrez-vous à Trévoux ?",
                "answer": "Oui, le mardi.\n\n  Et à Jassans le jeudi. "}
    letter = letters.question_answered(question, f"{URL}/campagnes/camp-1")
    assert letter.subject == ("Réponse à votre question sur la campagne « Un camion "
                              "<frigorifique> & co »")
    text = letter.text()
    assert "l'équipe de Domb'Innov y a répondu" in text
    assert "Votre question : « Livrez-vous à Trévoux ? »" in text
    assert "Oui, le mardi.\n\nEt à Jassans le jeudi.\n\n" in text
    assert f"Voir la campagne : {URL}/campagnes/camp-1" in text
    assert "&lt;frigorifique&gt; &amp; co" in letter.html()
    carrier = letters.question_answered({**question, "answered_by": "carrier"}, URL)
    assert "le porteur du projet y a répondu" in carrier.text()
