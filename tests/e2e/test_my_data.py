""""Mes données" through the whole platform: a citizen signed in on the pages sees what is
held about them, downloads it as JSON (an operator reads the same of them), and erases it; the erasure reaches members,
funding (their contributions' and questions' names, their investor profile) and
notifications."""
import json
import uuid

from tests.e2e.test_password_reset import browser_at, post_page, shown
from tests.support.accounts import bearer, confirmation_links, sign_up, token_of
from tests.support.funding import live_campaign
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

PLATFORM_ENV = {"MAIL_SEND_SECONDS": "0.5", "RPC_TIMEOUT": "10"}


def test_a_citizen_sees_downloads_and_erases_what_is_held_about_them(platform):
    email = f"dominique-{uuid.uuid4().hex[:10]}@example.org"
    session = sign_up(platform, email, name="Dominique Garnier")
    account_id, token = session["account"]["id"], session["access_token"]
    simulated = platform.request("POST", "/investor/loss-simulation",
                                 {"net_worth_cents": 5_000_000},
                                 headers={"Authorization": f"Bearer {token}"})
    assert simulated.status_code == 200, simulated.text
    campaign = live_campaign(platform, title="Un four à pain")
    asked = platform.request("POST", f"/campaigns/{campaign['id']}/questions",
                             {"body": "Quand ouvrez-vous ?", "asker_name": "Dominique"},
                             headers=bearer(session))
    assert asked.status_code == 201, asked.text
    question = asked.json()
    answered = platform.post(f"/questions/{question['id']}/answer",
                             {"answer": "En mai, au marché."})  # the cluster's team
    assert answered.status_code == 200, answered.text
    # Who asked is mailed the answer, once, with a link to the campaign's page.
    wait_until(lambda: f"question_answered:{question['id']}" in platform.mail.by_fact(),
               timeout=30, message="the answer's mail")
    [mail] = platform.mail.by_fact()[f"question_answered:{question['id']}"]
    assert mail["X-RcptTo"] == email
    text = mail.get_body(("plain",)).get_content()
    assert "En mai, au marché." in text and "« Quand ouvrez-vous ? »" in text
    assert f"{platform.base_url}/campagnes/{campaign['id']}" in text
    # The link mailed at sign-up to confirm the address: personal, it is never exported.
    [link] = confirmation_links(platform, email)

    browser, _ = browser_at(platform, "/connexion")
    signed_in = post_page(platform, browser, "/connexion", email=email, password=PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    page = browser.get(platform.base_url + "/mes-donnees", timeout=15)
    assert page.status_code == 200
    assert "Dominique Garnier" in shown(page) and email in shown(page)
    assert "Un profil d'investisseur" in shown(page)
    assert "1 question posée sur des campagnes" in shown(page)
    assert 'href="/mes-donnees"' in page.text  # in the navigation, for any signed-in account
    assert "Messages que nous vous avons écrits" in shown(page)
    assert "Confirmer votre adresse électronique" in shown(page) and "envoyé le" in shown(page)
    assert token_of(link) not in page.text

    export = browser.get(platform.base_url + "/mes-donnees.json", timeout=15)
    assert export.status_code == 200 and export.headers["Content-Type"] == "application/json"
    assert "attachment" in export.headers["Content-Disposition"]
    held = json.loads(export.text)
    assert [a["email"] for a in held["personal_data"]["accounts"]] == [email]
    assert held["investor_profile"]["net_worth_cents"] == 5_000_000
    assert held["contributions"] == []
    [mine] = held["questions"]
    assert (mine["body"], mine["campaign_id"], mine["campaign_title"], mine["answer"]) == (
        "Quand ouvrez-vous ?", campaign["id"], "Un four à pain", "En mai, au marché.")
    assert mine["asked_at"] == question["asked_at"] and mine["answered_at"]
    # The mails written to them: what each was about and what became of it, not its text.
    assert [(m["kind"], m["subject"], m["status"]) for m in held["mails"]] == [
        ("email_confirmation", "Confirmer votre adresse électronique", "sent"),
        ("question_answered", mail["Subject"], "sent")]
    assert all(m["queued_at"] and m["sent_at"] for m in held["mails"])
    assert token_of(link) not in export.text and "/adresse/" not in export.text

    # An operator answering their request for access, by their address, reads the same:
    # every section, each as whole as the person's own export. No other role reads it.
    asked_for = f"/privacy/personal-data?email={email.upper()}"
    answer = platform.get(asked_for, as_="operator")
    assert answer.status_code == 200, answer.text
    assert answer.json() == held
    for refused in (platform.get(asked_for, as_="animator"),
                    platform.request("GET", asked_for, headers=bearer(session))):
        assert refused.status_code == 403, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"

    asked = browser.get(platform.base_url + "/mes-donnees/effacement", timeout=15)
    assert asked.status_code == 200 and "Cela ne peut pas être défait" in shown(asked)
    browser.csrf = asked.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    erased = post_page(platform, browser, "/mes-donnees/effacement")
    assert erased.status_code == 200 and "Vos données sont effacées" in shown(erased)

    # Signed out, and the account cannot sign in again.
    assert browser.get(platform.base_url + "/mes-donnees", timeout=15,
                       allow_redirects=False).status_code in (302, 303, 401)
    assert platform.post("/auth/login", {"email": email, "password": PASSWORD},
                         as_=None).status_code == 401
    # Members anonymised the account; funding forgot the investor profile.
    [(name, kept_email)] = platform.query(
        "members", "SELECT display_name, email FROM accounts WHERE id = :id", id=account_id)
    assert (name, kept_email) == ("Personne effacée", f"erased-{account_id}@invalid.example")
    # The link mailed at sign-up to confirm the address ends, and no address is kept there.
    assert platform.query("members", "SELECT 1 FROM email_tokens WHERE account_id = :id AND "
                          "(ended_at IS NULL OR new_email IS NOT NULL)", id=account_id) == []
    wait_until(lambda: not platform.query(
        "funding", "SELECT 1 FROM investor_profiles WHERE account_id = :id", id=account_id),
        timeout=30, message="funding erasing the investor profile")
    wait_until(lambda: platform.query(
        "notifications", "SELECT 1 FROM accounts WHERE id = :id AND erased_at IS NOT NULL",
        id=account_id), timeout=30, message="notifications hearing of the erasure")
    # Their question stays public with its answer, as their contributions stay counted,
    # but it names no one and is no longer tied to the account.
    wait_until(lambda: platform.query(
        "funding", "SELECT 1 FROM questions WHERE account_id = :id", id=account_id) == [],
        timeout=30, message="funding forgetting who asked")
    # Nothing is held of them by their address any more, their mails neither.
    after = platform.get(asked_for, as_="operator").json()
    assert (after["personal_data"]["accounts"], after["mails"]) == ([], [])
    assert platform.query("notifications", "SELECT count(*) FROM messages WHERE account_id = "
                          ":id AND subject <> ''", id=account_id) == [(0,)]
    listed = platform.get(f"/campaigns/{campaign['id']}/questions").json()["items"]
    assert [(q["asker_name"], q["body"], q["answer"]) for q in listed] == [
        (None, "Quand ouvrez-vous ?", "En mai, au marché.")]


def test_an_erased_animator_no_longer_animates_a_project(platform):
    email = f"animatrice-{uuid.uuid4().hex[:10]}@example.org"
    made = platform.post("/accounts", {"email": email, "password": PASSWORD,
                                       "display_name": "Claude", "roles": ["animator"]})
    assert made.status_code == 201, made.text
    project = platform.post("/projects", {
        "title": "Une ressourcerie", "summary": "Réemploi.", "field": "circular_economy",
        "commune": "Trévoux", "founders": "Lou et Sacha",
        "animator_account_id": made.json()["id"]})
    assert project.status_code == 201, project.text
    assert platform.post("/privacy/erasures", {"email": email},
                         as_="operator").json()["accounts"] == 1
    wait_until(lambda: platform.query(
        "projects", "SELECT animator_account_id FROM projects WHERE id = :id",
        id=project.json()["id"]) == [(None,)], timeout=30,
        message="projects forgetting the erased animator")
