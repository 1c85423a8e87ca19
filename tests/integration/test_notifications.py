"""Notifications with the real parts: RabbitMQ, PostgreSQL, members (for accounts and
addresses) and a real SMTP server (aiosmtpd). Funding's events are published by hand,
each exactly as funding publishes it, some twice."""
import json
import uuid
from datetime import datetime, timedelta, timezone

import kombu
import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.funding import schemas as funding
from services.members import schemas as members_events
from services.members.service import MembersService
from services.notifications import models
from services.notifications.service import NotificationsService
from services.projects import schemas as projects
from shared import topology
from shared.envelope import make_envelope
from tests.support.mail import MailCatcher, html_of, text_of
from tests.support.platform import Processes
from tests.support.waiting import wait_until

NBSP = "\u00a0"
PUBLIC_URL = "https://plateforme.dombinnov.test"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def catcher(tmp_path):
    """A real SMTP server; not started yet, so that a test may show it away first."""
    mail = MailCatcher(Processes({}, tmp_path))
    yield mail
    mail.stop()


@pytest.fixture
def services(container_factory, service_config, broker_uri, catcher):
    with kombu.Connection(broker_uri) as connection:
        topology.declare(connection)  # every queue, as a service process does first
    members = container_factory(MembersService, service_config(
        "members", PASSWORD_HASH_TIME_COST=1, PASSWORD_HASH_MEMORY_KIB=8192))
    notifications = container_factory(NotificationsService, service_config(
        "notifications", PUBLIC_URL=PUBLIC_URL,
        SMTP_HOST="127.0.0.1", SMTP_PORT=catcher.port))
    members.start()
    notifications.start()
    return members, notifications


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def citizen(members):
    email = f"camille-{uuid.uuid4().hex[:8]}@example.org"
    # Made as staff make it: a sign-up would mail a link to confirm the address too.
    account = call(members, "create_account", {"email": email, "password": PASSWORD,
                                               "display_name": "Camille",
                                               "roles": ["citizen"]})
    return account["id"], email


def publish(broker_uri, envelope):
    source, routing_key = envelope["type"].split(".")
    with kombu.Connection(broker_uri) as connection:
        connection.Producer().publish(
            json.dumps(envelope), exchange=topology.event_exchange(source),
            routing_key=routing_key, content_type="application/json",
            content_encoding="utf-8", message_id=envelope["event_id"])


def deliver(notifications, broker_uri, envelope):
    """Publish and wait for the handler: "applied", or "duplicate" for a redelivery."""
    with entrypoint_waiter(notifications, envelope["type"].split(".")[1]) as handled:
        publish(broker_uri, envelope)
    return handled.get()


def contribution_event(spec, contribution_id, campaign_id, account_id, amount_cents, status,
                       **extra):
    now = datetime.now(timezone.utc).isoformat()
    data = {"contribution_id": contribution_id, "campaign_id": campaign_id,
            "project_id": str(uuid.uuid4()), "kind": "donation", "model": "keep_it_all",
            "channel": "online", "amount_cents": amount_cents, "status": status, "at": now,
            "contributor_account_id": account_id, "reflection_ends_at": None, **extra}
    if spec is funding.CONTRIBUTION_CONFIRMED:
        data.update(matched_cents=0, confirmed_at=now)
    elif spec is not funding.CONTRIBUTION_AUTHORIZED:
        data.update(was_counted=True, matched_cents=0, reason=None)
    return make_envelope(spec, data, "corr-notifications")


def campaign_created(campaign_id, title, project_id=None):
    now = datetime.now(timezone.utc)
    return make_envelope(funding.CAMPAIGN_CREATED, {
        "campaign_id": campaign_id, "project_id": project_id or str(uuid.uuid4()),
        "kind": "donation", "model": "keep_it_all", "title": title, "goal_cents": 1000,
        "cap_cents": None, "people_goal": None, "matchfunder": None,
        "starts_at": now.isoformat(), "deadline": (now + timedelta(days=30)).isoformat()})


def campaign_edited(created, title, version):
    """The campaign of `created` as an edit made on version `version - 1` leaves it."""
    return make_envelope(funding.CAMPAIGN_EDITED,
                         {**created["data"], "title": title, "version": version})


def campaign_decided(spec, campaign_id, raised_cents):
    """Decided now: after the contributions' events made before this call."""
    return make_envelope(spec, {
        "campaign_id": campaign_id, "project_id": str(uuid.uuid4()), "kind": "donation",
        "model": "keep_it_all", "goal_cents": 1000, "raised_cents": raised_cents,
        "matched_cents": 0, "contributions_count": 1, "new_members": 0,
        "decided_at": datetime.now(timezone.utc).isoformat()})


def send_due(notifications):
    return call(notifications, "send_due")


def rows(notifications, sql, **params):
    """Notifications' own tables, as the service left them."""
    engine = next(ext for ext in notifications.dependencies if ext.attr_name == "db").engine
    with engine.begin() as connection:
        return connection.execute(sa.text(sql), params).all()


def notifications_messages(notifications, column):
    engine = next(ext for ext in notifications.dependencies if ext.attr_name == "db").engine
    with engine.begin() as connection:
        return connection.scalars(sa.select(getattr(models.Message, column))).all()


def due_now(notifications):
    """Move time past every backoff (rather than wait for it)."""
    engine = next(ext for ext in notifications.dependencies if ext.attr_name == "db").engine
    with engine.begin() as connection:
        connection.execute(sa.update(models.Message).values(
            next_attempt_at=datetime.now(timezone.utc)))


def test_each_fact_is_mailed_once_to_its_contributor_however_often_its_events_come(
        services, catcher, broker_uri):
    members, notifications = services
    catcher.start()
    account, email = citizen(members)
    campaign, first, second = (str(uuid.uuid4()) for _ in range(3))
    created = campaign_created(campaign, "Un camion pour la Ressourcerie")
    confirmed = contribution_event(funding.CONTRIBUTION_CONFIRMED, first, campaign, account,
                                   4250, "captured")
    told_again = {**confirmed, "event_id": str(uuid.uuid4())}  # the same fact, a new event
    assert deliver(notifications, broker_uri, created) == "applied"
    assert deliver(notifications, broker_uri, confirmed) == "applied"
    assert deliver(notifications, broker_uri, confirmed) == "duplicate"  # redelivered
    assert deliver(notifications, broker_uri, told_again) == "applied"
    refunded = contribution_event(funding.CONTRIBUTION_REFUNDED, second, campaign, account,
                                  1300, "refunded")
    succeeded = campaign_decided(funding.CAMPAIGN_SUCCEEDED, campaign, raised_cents=4250)
    for envelope in (contribution_event(funding.CONTRIBUTION_CONFIRMED, second, campaign,
                                        account, 1300, "captured"), refunded, succeeded):
        assert deliver(notifications, broker_uri, envelope) == "applied"

    wait_until(lambda: send_due(notifications) is not None and len(catcher.messages()) >= 4,
               timeout=20, message="four mails")
    facts = catcher.by_fact()
    assert {key: len(mails) for key, mails in facts.items()} == {
        f"contribution_confirmed:{first}": 1, f"contribution_confirmed:{second}": 1,
        f"contribution_refunded:{second}": 1, f"campaign_succeeded:{first}": 1}
    for [mail] in facts.values():
        assert mail["X-RcptTo"] == email and mail["To"] == email
        assert mail["From"] == "Domb'Innov <ne-pas-repondre@dombinnov.fr>"
    [thanks] = facts[f"contribution_confirmed:{first}"]
    assert thanks["Subject"] == f"Votre contribution de 42,50{NBSP}€ est confirmée"
    assert "« Un camion pour la Ressourcerie »" in text_of(thanks)
    assert f"{PUBLIC_URL}/mes-contributions" in html_of(thanks)
    [refund] = facts[f"contribution_refunded:{second}"]
    assert refund["Subject"] == f"Votre contribution de 13{NBSP}€ vous est remboursée"
    [success] = facts[f"campaign_succeeded:{first}"]
    assert f"Votre contribution de 42,50{NBSP}€ y a participé" in text_of(success)

    # Delivered again after the mails went: nothing more is written, nothing more sent.
    assert deliver(notifications, broker_uri, refunded) == "duplicate"
    assert deliver(notifications, broker_uri, {**succeeded, "event_id": str(uuid.uuid4())}) \
        == "applied"
    assert send_due(notifications) == 0
    assert len(catcher.messages()) == 4
    assert call(notifications, "mail_counts")["sent"] == 4


def test_a_mail_that_could_not_go_is_sent_once_when_the_server_is_back(
        services, catcher, broker_uri):
    members, notifications = services  # the SMTP server is not started
    account, email = citizen(members)
    contribution = str(uuid.uuid4())
    deliver(notifications, broker_uri, contribution_event(
        funding.CONTRIBUTION_CONFIRMED, contribution, str(uuid.uuid4()), account, 2000,
        "captured"))
    assert send_due(notifications) == 0
    [(status, attempts, error)] = rows(notifications,
                                       "SELECT status, attempts, last_error FROM messages")
    assert (status, attempts) == ("pending", 1) and "refused" in error.lower()
    [retry_at] = notifications_messages(notifications, "next_attempt_at")
    assert retry_at > datetime.now(timezone.utc) + timedelta(seconds=20)  # backoff: ~30 s

    catcher.start()
    assert send_due(notifications) == 0  # not due again yet
    due_now(notifications)
    # Sent by this call or by the timer, whichever takes it first: once either way.
    wait_until(lambda: send_due(notifications) is not None and catcher.messages(),
               timeout=20, message="the mail, once the server is back")
    assert send_due(notifications) == 0
    [mail] = catcher.messages()
    assert mail["X-RcptTo"] == email and f"20{NBSP}€" in mail["Subject"]
    assert rows(notifications, "SELECT status, attempts FROM messages") == [("sent", 2)]


def test_an_erased_person_gets_no_more_mail(services, catcher, broker_uri):
    members, notifications = services  # the SMTP server away: the mail stays pending
    account, email = citizen(members)
    campaign, contribution = str(uuid.uuid4()), str(uuid.uuid4())
    deliver(notifications, broker_uri, contribution_event(
        funding.CONTRIBUTION_CONFIRMED, contribution, campaign, account, 2000, "captured"))
    assert send_due(notifications) == 0

    with entrypoint_waiter(notifications, "person_erased"):
        assert call(members, "erase_person", {"email": email}) == {"accounts": 1,
                                                                   "contacts": 0}
    deliver(notifications, broker_uri, contribution_event(  # a later fact: no mail either
        funding.CONTRIBUTION_REFUNDED, contribution, campaign, account, 2000, "refunded"))
    catcher.start()
    due_now(notifications)
    assert send_due(notifications) == 0
    assert catcher.messages() == []
    assert rows(notifications, "SELECT key, status, subject, text_body FROM messages") == [
        (f"contribution_confirmed:{contribution}", "cancelled", "", "")]
    assert rows(notifications, "SELECT erased_at IS NOT NULL FROM accounts WHERE id = :id",
                id=account) == [(True,)]


def test_an_approved_membership_calls_its_dues_to_the_member_admins(services, catcher):
    members, notifications = services
    catcher.start()
    organisation = call(members, "register_organisation", {
        "name": "Recyclerie de la Dombes", "legal_form": "association",
        "postal_code": "01400", "commune": "Châtillon-sur-Chalaronne"})
    admin = f"tresorerie-{uuid.uuid4().hex[:8]}@example.org"
    call(members, "create_account", {"email": admin, "password": PASSWORD,
                                     "display_name": "Dominique", "roles": ["member_admin"],
                                     "organisation_id": organisation["id"]})
    year = datetime.now(timezone.utc).year
    membership = call(members, "apply_for_membership", organisation["id"],
                      {"year": year, "circle": "core"})
    call(members, "move_membership", membership["id"], {"status": "active"}, "animator-1")

    key = f"membership_dues_due:{membership['id']}:"
    mails = wait_until(lambda: [mail for mail in catcher.messages()
                                if mail["X-Dombinnov-Fact"].startswith(key)],
                       timeout=30, message="the dues mail (sent by the timer)")
    [mail] = mails
    owed = membership["dues_cents"] // 100
    assert mail["X-RcptTo"] == admin
    assert mail["Subject"].startswith(f"Cotisation {year} : {owed}{NBSP}€ à régler avant le ")
    assert "L'adhésion de Recyclerie de la Dombes à Domb'Innov" in text_of(mail)
    assert rows(notifications, "SELECT count(*) FROM messages") == [(1,)]
    assert models.SENT == rows(notifications, "SELECT status FROM messages")[0][0]


@pytest.mark.parametrize("order", ["applied-first", "approval-first"])
def test_a_membership_approved_calls_its_dues_whichever_of_its_events_comes_first(
        services, broker_uri, order):
    """The application and its approval come on separate queues: heard in either order,
    the membership is active and its dues are called. (Heard approval first, it went
    back to "applied" and no dues were called: a CI run timed out on the dues mail.)"""
    _, notifications = services
    organisation, membership, admin = (str(uuid.uuid4()) for _ in range(3))
    year, now = datetime.now(timezone.utc).year, datetime.now(timezone.utc)
    assert deliver(notifications, broker_uri, make_envelope(members_events.ACCOUNT_CREATED, {
        "account_id": admin, "roles": ["member_admin"],
        "organisation_id": organisation})) == "applied"
    applied = make_envelope(members_events.MEMBERSHIP_APPLIED, {
        "membership_id": membership, "organisation_id": organisation, "year": year,
        "circle": "core", "dues_cents": 5_000})
    approved = make_envelope(members_events.MEMBERSHIP_STATUS_CHANGED, {
        "membership_id": membership, "organisation_id": organisation, "year": year,
        "circle": "core", "from_status": "applied", "to_status": "active",
        "changed_at": now.isoformat(), "by": "animator-1"})
    for envelope in (applied, approved) if order == "applied-first" else (approved, applied):
        assert deliver(notifications, broker_uri, envelope) == "applied"
    assert rows(notifications, "SELECT status, dues_cents FROM memberships WHERE id = :id",
                id=membership) == [("active", 5_000)]
    assert rows(notifications, "SELECT key FROM messages WHERE key LIKE :k",
                k=f"membership_dues_due:{membership}:%") == [
        (f"membership_dues_due:{membership}:{admin}",)]


def test_a_refund_heard_after_the_outcome_it_preceded_calls_the_outcome_mail_off(
        services, catcher, broker_uri):
    members, notifications = services  # the SMTP server away: mails wait, as in a backlog
    account, email = citizen(members)
    campaign, contribution = str(uuid.uuid4()), str(uuid.uuid4())
    confirmed = contribution_event(funding.CONTRIBUTION_CONFIRMED, contribution, campaign,
                                   account, 1500, "captured")
    refunded = contribution_event(funding.CONTRIBUTION_REFUNDED, contribution, campaign,
                                  account, 1500, "refunded")  # refunded, then decided:
    succeeded = campaign_decided(funding.CAMPAIGN_SUCCEEDED, campaign, raised_cents=0)
    for envelope in (confirmed, succeeded, refunded):  # ...but heard in this order here
        assert deliver(notifications, broker_uri, envelope) == "applied"
    assert dict(rows(notifications, "SELECT key, status FROM messages")) == {
        f"contribution_confirmed:{contribution}": "pending",
        f"campaign_succeeded:{contribution}": "cancelled",
        f"contribution_refunded:{contribution}": "pending"}

    catcher.start()
    due_now(notifications)
    wait_until(lambda: send_due(notifications) is not None and len(catcher.messages()) >= 2,
               timeout=20, message="two mails")
    assert sorted(catcher.by_fact()) == [f"contribution_confirmed:{contribution}",
                                         f"contribution_refunded:{contribution}"]


def news_published(project_id, post_id, title, body, visibility="contributors"):
    return make_envelope(projects.NEWS_PUBLISHED, {
        "post_id": post_id, "project_id": project_id, "title": title, "body": body,
        "visibility": visibility, "published_at": datetime.now(timezone.utc).isoformat()})


def test_a_projects_news_is_mailed_once_to_each_contributor_of_its_campaigns(
        services, catcher, broker_uri):
    members, notifications = services
    catcher.start()
    (twice, twice_email), (once, once_email), (pending, _), (elsewhere, _) = (
        citizen(members) for _ in range(4))
    project, other_project, post = (str(uuid.uuid4()) for _ in range(3))
    first, second, other = (str(uuid.uuid4()) for _ in range(3))
    for campaign, of_project in ((first, project), (second, project), (other, other_project)):
        created = campaign_created(campaign, "Un four à pain")
        created["data"]["project_id"] = of_project
        deliver(notifications, broker_uri, created)
    for campaign, account, spec in (
            (first, twice, funding.CONTRIBUTION_CONFIRMED),
            (second, twice, funding.CONTRIBUTION_CONFIRMED),
            (second, once, funding.CONTRIBUTION_CONFIRMED),
            (first, pending, funding.CONTRIBUTION_AUTHORIZED),  # not a contributor yet
            (other, elsewhere, funding.CONTRIBUTION_CONFIRMED)):  # another project's
        deliver(notifications, broker_uri, contribution_event(
            spec, str(uuid.uuid4()), campaign, account, 2000,
            "captured" if spec is funding.CONTRIBUTION_CONFIRMED else "authorized"))
    wait_until(lambda: send_due(notifications) is not None and len(catcher.messages()) >= 4,
               timeout=20, message="the four thanks")

    news = news_published(project, post, "Le four est livré",
                          "Il cuit ses premières fournées.\n\nMerci à vous <3")
    assert deliver(notifications, broker_uri, news) == "applied"
    assert deliver(notifications, broker_uri, news) == "duplicate"
    assert deliver(notifications, broker_uri, {**news, "event_id": str(uuid.uuid4())}) \
        == "applied"  # the same news told again
    wait_until(lambda: send_due(notifications) is not None and len(catcher.messages()) >= 6,
               timeout=20, message="the news to its two contributors")
    facts = catcher.by_fact()
    news_mails = {key: mails for key, mails in facts.items() if key.startswith("project_news")}
    assert sorted(news_mails) == sorted([f"project_news:{post}:{twice}",
                                         f"project_news:{post}:{once}"])
    assert sorted(mail["X-RcptTo"] for [mail] in news_mails.values()) == sorted(
        [twice_email, once_email])
    [mail] = news_mails[f"project_news:{post}:{once}"]
    assert mail["Subject"] == "Des nouvelles du projet : Le four est livré"
    assert "Il cuit ses premières fournées." in text_of(mail)
    assert "Merci à vous &lt;3" in html_of(mail)
    assert f"{PUBLIC_URL}/projets/{project}" in html_of(mail)
    assert send_due(notifications) == 0 and len(catcher.messages()) == 6


def question_answered(question_id, campaign_id, account_id, version=2):
    """As funding emits it; version 1 carried no text."""
    data = {"question_id": question_id, "campaign_id": campaign_id, "account_id": account_id,
            "answered_by": "carrier", "answered_at": datetime.now(timezone.utc).isoformat(),
            "campaign_title": "Un four à pain", "question": "Quand ouvrez-vous ?",
            "answer": "En mai, au marché.\n\nVenez goûter <3"}
    envelope = make_envelope(funding.QUESTION_ANSWERED, data, "corr-notifications")
    if version == 1:
        envelope["version"] = 1
        for name in ("campaign_title", "question", "answer"):
            del envelope["data"][name]
    return envelope


def test_an_answered_question_is_mailed_once_to_who_asked_it(services, catcher, broker_uri):
    members, notifications = services
    catcher.start()
    (asker, asker_email), (erased, _) = citizen(members), citizen(members)
    campaign, question = str(uuid.uuid4()), str(uuid.uuid4())
    answered = question_answered(question, campaign, asker)
    assert deliver(notifications, broker_uri, answered) == "applied"
    assert deliver(notifications, broker_uri, answered) == "duplicate"
    assert deliver(notifications, broker_uri, {**answered, "event_id": str(uuid.uuid4())}) \
        == "applied"  # the same answer told again
    for envelope in (question_answered(str(uuid.uuid4()), campaign, None),  # asker erased
                     question_answered(str(uuid.uuid4()), campaign, erased, version=1)):
        assert deliver(notifications, broker_uri, envelope) == "applied"
    wait_until(lambda: send_due(notifications) is not None and len(catcher.messages()) >= 1,
               timeout=20, message="the answer's mail")
    assert send_due(notifications) == 0
    [mail] = catcher.messages()
    assert mail["X-Dombinnov-Fact"] == f"question_answered:{question}"
    assert mail["X-RcptTo"] == asker_email
    assert mail["Subject"] == "Réponse à votre question sur la campagne « Un four à pain »"
    text = text_of(mail)
    assert "le porteur du projet y a répondu" in text
    assert "Votre question : « Quand ouvrez-vous ? »" in text
    assert "En mai, au marché." in text and "Venez goûter <3" in text
    assert "Venez goûter &lt;3" in html_of(mail)
    assert f"{PUBLIC_URL}/campagnes/{campaign}" in html_of(mail)


def test_a_campaign_renamed_before_it_is_published_is_mailed_under_its_newest_title(
        services, catcher, broker_uri):
    members, notifications = services
    catcher.start()
    account, email = citizen(members)
    campaign, contribution = str(uuid.uuid4()), str(uuid.uuid4())
    created = campaign_created(campaign, "Un four")
    renamed = campaign_edited(created, "Un four à pain", version=2)
    renamed_again = campaign_edited(created, "Un four à pain pour le village", version=3)
    assert deliver(notifications, broker_uri, created) == "applied"
    assert deliver(notifications, broker_uri, renamed) == "applied"
    assert rows(notifications, "SELECT title, version FROM campaigns WHERE id = :id",
                id=campaign) == [("Un four à pain", 2)]
    assert deliver(notifications, broker_uri, renamed_again) == "applied"
    # Redelivered, told again late, or overtaken: no older title comes back.
    assert deliver(notifications, broker_uri, renamed) == "duplicate"
    for late in (renamed, created):
        assert deliver(notifications, broker_uri,
                       {**late, "event_id": str(uuid.uuid4())}) == "applied"
    assert rows(notifications, "SELECT title, version FROM campaigns WHERE id = :id",
                id=campaign) == [("Un four à pain pour le village", 3)]

    confirmed = contribution_event(funding.CONTRIBUTION_CONFIRMED, contribution, campaign,
                                   account, 2000, "captured")
    assert deliver(notifications, broker_uri, confirmed) == "applied"
    wait_until(lambda: send_due(notifications) is not None and len(catcher.messages()) >= 1,
               timeout=20, message="the thanks")
    [thanks] = catcher.messages()
    assert thanks["X-RcptTo"] == email
    assert "« Un four à pain pour le village »" in text_of(thanks)


def test_an_edit_heard_before_its_campaigns_creation_is_kept(services, broker_uri):
    _, notifications = services
    campaign, project = str(uuid.uuid4()), str(uuid.uuid4())
    created = campaign_created(campaign, "Un four", project_id=project)
    assert deliver(notifications, broker_uri,
                   campaign_edited(created, "Un four à pain", version=2)) == "applied"
    assert deliver(notifications, broker_uri, created) == "applied"
    assert rows(notifications, "SELECT title, project_id, version FROM campaigns "
                "WHERE id = :id", id=campaign) == [("Un four à pain", project, 2)]


def test_the_mails_of_an_account_are_listed_without_their_secret_links_until_erasure(
        services, catcher, broker_uri):
    members, notifications = services
    catcher.start()
    account, email = citizen(members)
    other, _ = citizen(members)
    campaign, contribution = str(uuid.uuid4()), str(uuid.uuid4())
    deliver(notifications, broker_uri, contribution_event(
        funding.CONTRIBUTION_CONFIRMED, contribution, campaign, account, 2000, "captured"))
    deliver(notifications, broker_uri, contribution_event(
        funding.CONTRIBUTION_CONFIRMED, str(uuid.uuid4()), campaign, other, 500, "captured"))
    with entrypoint_waiter(notifications, "password_reset_requested"):
        call(members, "request_password_reset", {"email": email}, "127.0.0.1")
    assert send_due(notifications) == 3
    [reset_mail] = [m for m in catcher.messages() if m["X-RcptTo"] == email
                    and "mot de passe" in m["Subject"]]
    token = text_of(reset_mail).split("/mot-de-passe/", 1)[1].split()[0]

    listed = call(notifications, "list_account_mails", account, {})
    assert listed["next_cursor"] is None
    assert [(m["kind"], m["subject"], m["status"]) for m in listed["items"]] == [
        ("contribution_confirmed", listed["items"][0]["subject"], "sent"),
        ("password_reset", "Choisir un nouveau mot de passe", "sent")]
    assert all(m["queued_at"] and m["sent_at"] for m in listed["items"])
    assert set(listed["items"][0]) == {"kind", "subject", "status", "queued_at", "sent_at"}
    assert token not in json.dumps(listed)
    # Page by page, as the gateway reads them all.
    first = call(notifications, "list_account_mails", account, {"limit": "1"})
    rest = call(notifications, "list_account_mails", account,
                {"limit": "1", "cursor": first["next_cursor"]})
    assert first["items"] + rest["items"] == listed["items"] and rest["next_cursor"] is None

    with entrypoint_waiter(notifications, "person_erased"):
        call(members, "erase_person", {"email": email})
    assert call(notifications, "list_account_mails", account, {}) == {
        "items": [], "next_cursor": None}
    assert len(call(notifications, "list_account_mails", other, {})["items"]) == 1
