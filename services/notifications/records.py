"""What notifications learns from events, and the mails each fact calls for, written in
the event's own transaction (its inbox row's): a fact's mail is claimed once, by key.

Events about one contribution, or one organisation's membership and accounts, come on
separate queues and are handled concurrently. Each writer locks the parent row first
(the campaign; the organisation), then reads what is known: two events racing on one
campaign (its outcome, a contribution's confirmation) run one after the other, and the
second sees the first, so neither fact's mail is missed.
"""
import sqlalchemy as sa

from services.notifications import models
from services.notifications.domain import due, letters
from shared.database import insert_ignoring_duplicate, keep_newest, row_values, upsertable_insert
from shared.pagination import paginate

Message = models.Message


def upsert(session, model, key: dict, values: dict):
    """Insert the row, or set on it the values given; None leaves what is known."""
    given = {name: value for name, value in values.items() if value is not None}
    insert = upsertable_insert(session, model.__table__).values(**key, **given)
    update = {name: insert.excluded[name] for name in given if name not in key}
    session.execute(insert.on_conflict_do_update(index_elements=list(key), set_=update)
                    if update else insert.on_conflict_do_nothing())


def locked(session, model, key: str):
    """The row `key` of `model`, created bare if unknown, locked for this transaction."""
    insert_ignoring_duplicate(session, model.__table__, {"id": key})
    return session.get(model, key, with_for_update=True, populate_existing=True)


# --- contributions and campaigns -----------------------------------------------------

def campaign_heard(session, campaign_id, values, now, public_url):
    locked(session, models.Campaign, campaign_id)
    upsert(session, models.Campaign, {"id": campaign_id}, values)
    campaign = session.get(models.Campaign, campaign_id, populate_existing=True)
    if values.get("outcome"):
        for contribution in session.scalars(sa.select(models.Contribution).where(
                models.Contribution.campaign_id == campaign_id)).all():
            _contribution_mails(session, contribution, campaign, now, public_url)


def campaign_described(session, campaign_id, values, version=1):
    """Its title, project and deadline, from its creation (version 1) or an edit made
    while a draft or sent back: the greatest version's, whatever order they come in."""
    locked(session, models.Campaign, campaign_id)
    keep_newest(session, models.Campaign.__table__, {"id": campaign_id, **values}, version)


def contribution_heard(session, data, values, now, public_url):
    """`data`: the event's contribution fact; `values`: what this event adds."""
    campaign = locked(session, models.Campaign, str(data["campaign_id"]))
    contribution_id = str(data["contribution_id"])
    account = data.get("contributor_account_id")
    upsert(session, models.Contribution, {"id": contribution_id}, {
        "campaign_id": str(data["campaign_id"]), "kind": data["kind"],
        "model": data["model"], "amount_cents": data["amount_cents"],
        "account_id": str(account) if account else None, **values,
        **({"reward_title": data["reward_title"]} if data.get("reward_title") else {})})
    contribution = session.get(models.Contribution, contribution_id, populate_existing=True)
    _contribution_mails(session, contribution, campaign, now, public_url)


def receipt_heard(session, contribution_id, number, amount_cents, now, public_url):
    """The receipt event names only the contribution; funding emits it in the capture's
    transaction, so its contribution's other events may not be here yet: what is known
    is kept, and the mail is written by whichever of them comes last."""
    Contribution = models.Contribution
    campaign_id = session.scalar(sa.select(Contribution.campaign_id)
                                 .where(Contribution.id == contribution_id))
    if campaign_id:
        locked(session, models.Campaign, campaign_id)  # parent first, as everywhere
    upsert(session, Contribution, {"id": contribution_id},
           {"receipt_number": number, "amount_cents": amount_cents})
    contribution = session.get(Contribution, contribution_id, populate_existing=True)
    if contribution.campaign_id:
        campaign = locked(session, models.Campaign, contribution.campaign_id)
        _contribution_mails(session, contribution, campaign, now, public_url)


def _contribution_mails(session, contribution, campaign, now, public_url):
    c, known = row_values(contribution), row_values(campaign)
    cancel(session, due.contribution_moot(c, known))
    for mail in due.contribution_mails(c, known, now):
        write = getattr(letters, mail.kind)
        claim(session, mail, write(c, known, public_url), now)


def news_heard(session, news, now, public_url):
    """A project's news: a mail to each contributor of its campaigns known now."""
    project_id = str(news["project_id"])
    contributions = session.scalars(sa.select(models.Contribution).join(
        models.Campaign, models.Campaign.id == models.Contribution.campaign_id).where(
        models.Campaign.project_id == project_id)).all()
    letter = letters.project_news(news, f"{public_url.rstrip('/')}/projets/{project_id}")
    for mail in due.news_mails(str(news["post_id"]), [row_values(c) for c in contributions],
                               now):
        claim(session, mail, letter, now)


def question_answered_heard(session, question, now, public_url):
    """The answer, mailed once to who asked (none once they are erased: funding then
    says no account)."""
    account = question.get("account_id")
    if account is None:
        return
    campaign_url = f"{public_url.rstrip('/')}/campagnes/{question['campaign_id']}"
    claim(session, due.Due(f"question_answered:{question['question_id']}",
                           "question_answered", str(account), now),
          letters.question_answered(question, campaign_url), now)


# --- memberships and accounts --------------------------------------------------------

def membership_heard(session, organisation_id, membership_id, values, now, grace,
                     paid_cents=0):
    locked(session, models.Organisation, organisation_id)
    heard_status = values.get("status")
    # The status is not written as heard: an approval heard before its application
    # would go back to "applied" (the furthest heard wins, below).
    upsert(session, models.Membership, {"id": membership_id},
           {"organisation_id": organisation_id,
            **{name: value for name, value in values.items() if name != "status"}})
    membership = session.get(models.Membership, membership_id, with_for_update=True,
                             populate_existing=True)
    membership.paid_cents = (membership.paid_cents or 0) + paid_cents
    if heard_status is not None:
        membership.status = due.next_membership_status(membership.status, heard_status)
    session.flush()
    _dues_mails(session, membership, now, grace)


def account_heard(session, account_id, organisation_id, roles, now, grace):
    if organisation_id:
        locked(session, models.Organisation, organisation_id)
    upsert(session, models.Account, {"id": account_id},
           {"organisation_id": organisation_id, "roles": roles})
    if organisation_id:
        for membership in session.scalars(sa.select(models.Membership).where(
                models.Membership.organisation_id == organisation_id)).all():
            _dues_mails(session, membership, now, grace)


def organisation_heard(session, organisation_id, name, version=1):
    """Its name, from its registration (version 1) or an edit: the greatest version's."""
    locked(session, models.Organisation, organisation_id)
    keep_newest(session, models.Organisation.__table__, {"id": organisation_id, "name": name},
                version)


def _dues_mails(session, membership, now, grace):
    m = row_values(membership)
    if not due.dues_owed(m):
        session.execute(sa.update(Message).where(
            Message.key.like(due.membership_dues_key(m["id"], "%")),
            Message.status == models.PENDING).values(status=models.CANCELLED))
        return
    admins = session.scalars(sa.select(models.Account.id).where(
        models.Account.organisation_id == m["organisation_id"],
        models.Account.erased_at.is_(None)).order_by(models.Account.id)).all()
    admins = [account for account in admins
              if "member_admin" in session.get(models.Account, account).roles]
    organisation = session.get(models.Organisation, m["organisation_id"])
    deadline = due.dues_deadline(m["year"], m["activated_at"], grace)
    for mail in due.dues_mails(m, admins, now, grace):
        claim(session, mail, letters.membership_dues_due(m, organisation.name, deadline), now)


# --- privacy, and the mails themselves --------------------------------------------------

def password_reset_heard(session, reset_id, account_id, expires_at, now):
    """A reset's mail, sent at once; its link is added when it goes (letters.SECRET_LINK)."""
    claim(session, due.Due(f"password_reset:{reset_id}", "password_reset", account_id, now),
          letters.password_reset(expires_at), now)


def email_confirmation_heard(session, token_id, account_id, purpose, expires_at, now):
    """A link to confirm an address, sent at once; the link and, for a move, the new
    address are asked of members when it goes (the key's prefix tells which mails)."""
    claim(session, due.Due(f"{EMAIL_CONFIRMATION}:{token_id}", EMAIL_CONFIRMATION,
                           account_id, now), letters.email_confirmation(purpose, expires_at),
          now)


def address_already_registered_heard(session, notice_id, account_id, public_url, now):
    claim(session, due.Due(f"address_registered:{notice_id}", "address_registered",
                           account_id, now), letters.address_already_registered(public_url),
          now)


def email_changed_heard(session, change_id, account_id, now):
    """The notice to the address left, which members gives when it goes."""
    claim(session, due.Due(f"{EMAIL_CHANGED}:{change_id}", EMAIL_CHANGED, account_id, now),
          letters.email_changed(), now)


EMAIL_CONFIRMATION, EMAIL_CHANGED = "email_confirmation", "email_changed"  # mails' kinds


def person_erased(session, account_ids, now):
    """No more mail to these accounts: those not sent are cancelled, and what every mail
    of theirs said is wiped (the rows stay, keys only, so that a late event about an old
    fact cannot write it again)."""
    for account_id in account_ids:
        upsert(session, models.Account, {"id": account_id}, {"erased_at": now})
    session.execute(sa.update(Message).where(
        Message.account_id.in_(account_ids), Message.status == models.PENDING)
        .values(status=models.CANCELLED))
    session.execute(sa.update(Message).where(Message.account_id.in_(account_ids))
                    .values(subject="", text_body="", html_body=""))


def mails_of(session, account_id, params, dump):
    """One page of the mails written to an account, oldest first; none to an erased one
    (what they said is wiped: only their keys are kept, see person_erased)."""
    erased = sa.select(models.Account.id).where(models.Account.id == account_id,
                                                models.Account.erased_at.is_not(None))
    return paginate(session, Message, {**params, "account_id": account_id},
                    created_at=Message.created_at, id_column=Message.key,
                    filters=("account_id",), where=(~erased.exists(),), dump=dump)


def claim(session, mail: due.Due, letter: letters.Letter, now) -> bool:
    """Write the mail of this fact unless its key is taken; nothing to an erased account."""
    account = session.get(models.Account, mail.account_id)
    if account is not None and account.erased_at is not None:
        return False
    return insert_ignoring_duplicate(session, Message.__table__, {
        "key": mail.key, "kind": mail.kind, "account_id": mail.account_id,
        "subject": letter.subject, "text_body": letter.text(), "html_body": letter.html(),
        "status": models.PENDING, "created_at": now, "next_attempt_at": mail.not_before,
        "attempts": 0})


def cancel(session, keys):
    if keys:
        session.execute(sa.update(Message).where(Message.key.in_(keys),
                                                 Message.status == models.PENDING)
                        .values(status=models.CANCELLED))
