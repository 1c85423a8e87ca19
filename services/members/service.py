"""Members: the register of organisations, their memberships and dues, the mutualised
services they share, and the accounts that sign in."""
import base64
import binascii
import json
import uuid
from datetime import timedelta
from functools import lru_cache

import argon2
import sqlalchemy as sa
from eventlet import tpool
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from services.members import models, schemas
from services.members.domain import (
    accounts,
    memberships,
    mutualisation,
    organisations,
    spreadsheets,
)
from shared.config import Settings
from shared.database import (
    get_or_not_found,
    insert_ignoring_duplicate,
    row_values,
    update_versioned,
    upsertable_insert,
)
from shared.errors import (
    TOO_MANY_REQUESTS,
    UNAUTHENTICATED,
    DomainError,
    check_done_by,
    conflict,
    invalid,
    not_found,
)
from shared.french import local_date
from shared.pagination import Order, paginate
from shared.rpc import rpc
from shared.schemas import load, load_patch
from shared.service import Database, ServiceBase
from shared.sqltypes import utcnow

INVALID_CREDENTIALS = DomainError(UNAUTHENTICATED, "invalid_credentials",
                                  "The email or the password is wrong.")
INVALID_REFRESH_TOKEN = DomainError(UNAUTHENTICATED, "invalid_refresh_token",
                                    "This refresh token is unknown, expired or revoked.")
INVALID_RESET_TOKEN = DomainError(UNAUTHENTICATED, "invalid_password_reset_token",
                                  "This password reset link is unknown, used or expired.")
INVALID_EMAIL_TOKEN = DomainError(UNAUTHENTICATED, "invalid_email_token",
                                  "This link to confirm an address is unknown, used or "
                                  "expired.")
SIGN_UP_ANSWER = ("Unless this address has an account already, the account is made; either "
                  "way a mail has been sent to it: a link to confirm the address, or a "
                  "notice to its owner.")
EMAIL_CHANGE_ANSWER = ("A link to confirm the new address has been mailed to it; the "
                       "account moves there once it is followed.")
PASSWORD_RESET_ANSWER = ("If an account has this address, a link to set a new password "
                         "has been mailed to it; it works once, within the hour.")
CALENDAR = "calendar"  # who moves a membership when no one does
ERASED_NAME = "Personne effacée"


class MembersService(ServiceBase):
    name = "members"
    db = Database(models.messaging)

    # --- organisations -----------------------------------------------------------------

    @rpc
    def register_organisation(self, payload):
        values = organisations.new_organisation(load(schemas.RegisterOrganisation(), payload))
        with _siret_guard(values["siret"]):
            with self.db() as uow:
                if values["siret"] and _siret_registered(uow.session, [values["siret"]]):
                    raise _siret_taken(values["siret"])
                if not values["siret"] and _names_registered(uow.session, [values]):
                    raise conflict("organisation_already_registered",
                                   "An organisation with this name is registered at this "
                                   "postal code; give its SIRET if it is another one.")
                organisation = _register(uow, values)
        return schemas.Organisation().dump(organisation)

    @rpc
    def get_organisation(self, organisation_id):
        with self.db.read() as session:
            return schemas.Organisation().dump(
                get_or_not_found(session, models.Organisation, organisation_id, "organisation"))

    @rpc
    def update_organisation(self, organisation_id, payload):
        """Edit an organisation as of the version the editor read; say what changed."""
        version, data = load_patch(schemas.EditOrganisation(), payload)
        try:
            with self.db() as uow:
                current = get_or_not_found(uow.session, models.Organisation, organisation_id,
                                           "organisation", for_update=True)
                changes = organisations.edit_organisation(row_values(current), data)
                if changes.get("siret") and _siret_registered(uow.session, [changes["siret"]]):
                    raise _siret_taken(changes["siret"])
                organisation = update_versioned(uow.session, models.Organisation,
                                                organisation_id, "organisation", version, changes)
                uow.session.flush()
                uow.emit(schemas.ORGANISATION_UPDATED, {
                    **_organisation_event(organisation), "version": organisation.version,
                    "changed": sorted(changes)})
        except IntegrityError:
            raise _siret_taken(data["siret"]) from None
        return schemas.Organisation().dump(organisation)

    @rpc
    def list_organisations(self, query):
        params = load(schemas.ListOrganisations(), query)
        with self.db.read() as session:
            return paginate(session, models.Organisation, params,
                            created_at=models.Organisation.registered_at,
                            filters=("legal_form", "territory", "commune"),
                            dump=schemas.Organisation().dump)

    @rpc
    def import_organisations(self, csv_base64, query):
        """Register the organisations of a spreadsheet. Every row is checked first; then
        either every valid row is registered (mode valid_rows) or, if any row is invalid,
        none is (mode all_or_nothing). Either way each row is reported."""
        mode = load(schemas.ImportQuery(), query)["mode"]
        rows, warnings = spreadsheets.read_rows(_decode_file(csv_base64))
        with self.db.read() as session:
            checked = _check_rows(session, rows)
        valid = [(values, contact) for _, values, contact, errors in checked if not errors]
        commit = len(valid) == len(checked) or mode == "valid_rows"
        if commit and valid:
            with _siret_guard("in this file"):
                with self.db() as uow:
                    for values, contact in valid:
                        _register(uow, values)
                        if contact:
                            _add_contact(uow, values["id"], contact)
        report = [{"line": line,
                   "organisation_id": values["id"] if commit and not errors else None,
                   "status": "invalid" if errors else ("imported" if commit else "not_imported"),
                   "errors": errors}
                  for line, values, _, errors in checked]
        imported = len(valid) if commit else 0
        return schemas.ImportReport().dump({
            "mode": mode, "committed": commit, "imported": imported,
            "rejected": len(checked) - len(valid), "warnings": warnings, "rows": report})

    @rpc
    def export_organisations(self):
        """The register as CSV for a French spreadsheet, base64-encoded for the wire."""
        with self.db.read() as session:
            rows = session.scalars(sa.select(models.Organisation)
                                   .order_by(models.Organisation.name)).all()
            dumped = schemas.Organisation().dump(rows, many=True)
        return base64.b64encode(spreadsheets.export(dumped)).decode()

    @rpc
    def add_contact(self, organisation_id, payload):
        data = load(schemas.AddContact(), payload)
        with self.db() as uow:
            get_or_not_found(uow.session, models.Organisation, organisation_id, "organisation")
            contact = _add_contact(uow, str(organisation_id), data)
        return schemas.Contact().dump(contact)

    @rpc
    def list_contacts(self, organisation_id):
        with self.db.read() as session:
            get_or_not_found(session, models.Organisation, organisation_id, "organisation")
            contacts = session.scalars(
                sa.select(models.Contact)
                .where(models.Contact.organisation_id == str(organisation_id),
                       models.Contact.erased_at.is_(None))
                .order_by(models.Contact.created_at)).all()
            return {"items": schemas.Contact().dump(contacts, many=True)}

    # --- memberships -------------------------------------------------------------------

    @rpc
    def apply_for_membership(self, organisation_id, payload):
        data = load(schemas.ApplyForMembership(), payload)
        memberships.check_circle(data["circle"], self.config["MEMBERSHIP_CIRCLES"])
        try:
            with self.db() as uow:
                organisation = get_or_not_found(uow.session, models.Organisation,
                                                organisation_id, "organisation")
                membership = models.Membership(**memberships.new_membership(
                    row_values(organisation), data["year"], data["circle"], "applied",
                    self._dues_scale()))
                uow.session.add(membership)
                uow.session.flush()
                uow.emit(schemas.MEMBERSHIP_APPLIED, _membership_event(membership))
        except IntegrityError:
            raise conflict("membership_exists",
                           f"This organisation already has a membership for {data['year']}.",
                           year=data["year"]) from None
        return schemas.Membership().dump(membership)

    @rpc
    def organisation_memberships(self, organisation_id):
        with self.db.read() as session:
            get_or_not_found(session, models.Organisation, organisation_id, "organisation")
            rows = session.scalars(sa.select(models.Membership)
                                   .where(models.Membership.organisation_id == str(organisation_id))
                                   .order_by(models.Membership.year)).all()
            return {"items": schemas.Membership().dump(rows, many=True)}

    @rpc
    def organisation_dues_payments(self, organisation_id):
        """Every payment of dues of an organisation, newest first."""
        with self.db.read() as session:
            get_or_not_found(session, models.Organisation, organisation_id, "organisation")
            rows = session.execute(
                sa.select(models.DuesPayment, models.Membership.year)
                .join(models.Membership, models.Membership.id == models.DuesPayment.membership_id)
                .where(models.Membership.organisation_id == str(organisation_id))
                .order_by(models.DuesPayment.paid_on.desc(), models.DuesPayment.recorded_at.desc())
            ).all()
            return {"items": [schemas.OrganisationDuesPayment().dump(
                {**row_values(payment), "year": year}) for payment, year in rows]}

    @rpc
    def organisation_subscriptions(self, organisation_id):
        """An organisation's subscriptions to mutualised services, current ones first."""
        with self.db.read() as session:
            get_or_not_found(session, models.Organisation, organisation_id, "organisation")
            rows = session.execute(
                sa.select(models.Subscription, models.MutualisedService)
                .join(models.MutualisedService,
                      models.MutualisedService.id == models.Subscription.service_id)
                .where(models.Subscription.organisation_id == str(organisation_id))
                .order_by(models.Subscription.ends_on.is_not(None),
                          models.Subscription.starts_on.desc())).all()
            return {"items": [schemas.OrganisationSubscription().dump(
                {**row_values(subscription), "service_name": service.name,
                 "pricing": service.pricing, "price_cents": service.price_cents})
                for subscription, service in rows]}

    @rpc
    def list_memberships(self, query):
        params = load(schemas.ListMemberships(), query)
        with self.db.read() as session:
            return paginate(session, models.Membership, params,
                            created_at=models.Membership.created_at,
                            filters=("year", "circle", "status"),
                            dump=schemas.Membership().dump)

    @rpc
    def move_membership(self, membership_id, payload, by):
        """An animator's move: approve, resign, or bring back a lapsed membership."""
        data = load(schemas.MoveMembership(), payload)
        with self.db() as uow:
            membership = get_or_not_found(uow.session, models.Membership, membership_id,
                                          "membership", for_update=True)
            memberships.check_move(membership.status, data["status"])
            _move(uow, membership, data["status"], by, data["reason"])
        return self._with_moves(membership_id)

    @rpc
    def get_membership(self, membership_id):
        return self._with_moves(membership_id)

    @rpc
    def pay_dues(self, membership_id, payload, idempotency_key, by):
        """Record a payment of dues; a lapsed membership paid in full is active again."""
        def record(uow, data):
            membership = get_or_not_found(uow.session, models.Membership, membership_id,
                                          "membership", for_update=True)
            if membership.status in ("applied", "resigned"):
                raise conflict("membership_not_payable",
                               f"A membership that is {membership.status} takes no dues.")
            memberships.check_payment(data["amount_cents"], membership.dues_cents,
                                      membership.paid_cents)
            payment = _record_payment(uow, models.DuesPayment, data, by,
                                      membership_id=membership.id)
            membership.paid_cents += payment.amount_cents
            uow.emit(schemas.DUES_PAID, {
                "payment_id": payment.id, "membership_id": membership.id,
                "organisation_id": membership.organisation_id, "year": membership.year,
                "amount_cents": payment.amount_cents, "paid_on": payment.paid_on.isoformat()})
            status = memberships.after_payment(membership.status, membership.dues_cents,
                                               membership.paid_cents)
            if status != membership.status:
                _move(uow, membership, status, by, "dues paid")
            return schemas.DuesPayment().dump(payment)
        return self._pay_once("pay_dues", {"membership_id": str(membership_id)},
                              schemas.PayDues(), payload, idempotency_key, by, record)

    def _pay_once(self, kind, owner, schema, payload, idempotency_key, by, record):
        """A payment recorded by staff, once per Idempotency-Key: `owner` names what is
        paid; `record(uow, data)` locks it, records the payment and answers its view."""
        data = load(schema, payload)
        check_done_by("paid_on", data["paid_on"], local_date(utcnow()))
        with self.db() as uow:
            replay = uow.replay_or_claim(f"{kind}:{by}", idempotency_key, {**owner, **payload})
            if replay is not None:
                return {"replayed": True, "payment": replay}
            answer = uow.remember(record(uow, data))
        return {"replayed": False, "payment": answer}

    @rpc
    def renew_memberships(self, payload, by):
        """Carry every active membership of a year into the next, in one action."""
        year = load(schemas.Renewal(), payload)["year"]
        return {"from_year": year, "year": year + 1, "renewed": self._renew(year)}

    @timer(interval=Settings().calendar_seconds)
    def calendar(self):
        """Lapse memberships whose dues are overdue and renew those whose year is ending.
        Every replica runs it: rows are claimed with SKIP LOCKED and renewals are unique
        per organisation and year, so each change happens once."""
        self._lapse_overdue()
        now = utcnow()
        for year in memberships.years_to_renew(now, self._renewal_opens_on()):
            self._renew(year)

    def _lapse_overdue(self):
        now = utcnow()
        grace = timedelta(days=self.config["DUES_GRACE_DAYS"])
        Membership = models.Membership
        with self.db() as uow:
            candidates = uow.session.scalars(
                sa.select(Membership)
                .where(Membership.status == "active",
                       Membership.paid_cents < Membership.dues_cents,
                       Membership.activated_at <= now - grace,
                       Membership.year <= (now - grace).year)
                .order_by(Membership.id).limit(500).with_for_update(skip_locked=True)).all()
            for membership in candidates:
                if memberships.lapses(membership.status, membership.dues_cents,
                                      membership.paid_cents, membership.year,
                                      membership.activated_at, now, grace):
                    _move(uow, membership, "lapsed", CALENDAR, "dues unpaid after the grace period")

    def _renew(self, year):
        renewed = 0
        Membership = models.Membership
        with self.db() as uow:
            actives = uow.session.scalars(
                sa.select(Membership).where(Membership.year == year, Membership.status == "active")
                .order_by(Membership.id).with_for_update(skip_locked=True)).all()
            for previous in actives:
                organisation = uow.session.get(models.Organisation, previous.organisation_id)
                values = memberships.new_membership(row_values(organisation), year + 1,
                                                    previous.circle, "active", self._dues_scale())
                values["activated_at"] = memberships.renewal_start(year + 1)
                values["created_at"] = utcnow()
                if not insert_ignoring_duplicate(uow.session, Membership.__table__, values):
                    continue  # renewed already, here or by another replica
                renewed += 1
                uow.emit(schemas.MEMBERSHIP_RENEWED, {
                    **_membership_event(Membership(**values)),
                    "previous_membership_id": previous.id})
        return renewed

    def _with_moves(self, membership_id):
        with self.db.read() as session:
            membership = get_or_not_found(session, models.Membership, membership_id,
                                          "membership")
            moves = session.scalars(sa.select(models.MembershipMove)
                                    .where(models.MembershipMove.membership_id == membership.id)
                                    .order_by(models.MembershipMove.at)).all()
            return schemas.MembershipWithMoves().dump({**row_values(membership), "moves": moves})

    def _dues_scale(self):
        return _dues_scale(self.config.get("DUES_SCALE_JSON") or "")

    def _renewal_opens_on(self):
        month, day = self.config["RENEWAL_OPENS_ON"].split("-")
        return int(month), int(day)

    # --- mutualised services -----------------------------------------------------------

    @rpc
    def add_mutualised_service(self, payload):
        data = load(schemas.AddMutualisedService(), payload)
        try:
            with self.db() as uow:
                service = models.MutualisedService(**mutualisation.new_service(data))
                uow.session.add(service)
                uow.session.flush()
                uow.emit(schemas.MUTUALISED_SERVICE_ADDED, {
                    "service_id": service.id, "name": service.name,
                    "fte_carried": service.fte_carried_hundredths / 100,
                    "pricing": service.pricing, "price_cents": service.price_cents})
        except IntegrityError:
            raise conflict("service_exists", "A mutualised service has this name.") from None
        return schemas.MutualisedService().dump(service)

    @rpc
    def list_mutualised_services(self):
        with self.db.read() as session:
            services = session.scalars(sa.select(models.MutualisedService)
                                       .order_by(models.MutualisedService.name)).all()
            return {"items": schemas.MutualisedService().dump(services, many=True)}

    @rpc
    def subscribe(self, organisation_id, payload):
        data = load(schemas.Subscribe(), payload)
        with self.db() as uow:
            get_or_not_found(uow.session, models.Organisation, organisation_id, "organisation")
            service = uow.session.get(models.MutualisedService, str(data["service_id"]))
            if service is None:
                raise invalid({"service_id": ["No mutualised service with this id."]})
            subscription = models.Subscription(**mutualisation.new_subscription(
                str(organisation_id), row_values(service), data))
            uow.session.add(subscription)
            uow.session.flush()
            uow.emit(schemas.SUBSCRIPTION_STARTED, {
                "subscription_id": subscription.id,
                "organisation_id": subscription.organisation_id,
                "service_id": subscription.service_id,
                "hours_per_month": _hundredths_to_number(subscription.hours_per_month_hundredths),
                "starts_on": subscription.starts_on.isoformat(),
                "ends_on": subscription.ends_on and subscription.ends_on.isoformat()})
        return schemas.Subscription().dump(subscription)

    @rpc
    def end_subscription(self, subscription_id, payload):
        ends_on = load(schemas.EndSubscription(), payload)["ends_on"]
        with self.db() as uow:
            subscription = get_or_not_found(uow.session, models.Subscription, subscription_id,
                                            "subscription", for_update=True)
            if ends_on < subscription.starts_on:
                raise invalid({"ends_on": ["A subscription ends after it starts."]})
            subscription.ends_on = ends_on
            uow.emit(schemas.SUBSCRIPTION_ENDED, {
                "subscription_id": subscription.id,
                "organisation_id": subscription.organisation_id,
                "service_id": subscription.service_id, "ends_on": ends_on.isoformat()})
        return schemas.Subscription().dump(subscription)

    @rpc
    def invoice_month(self, payload, idempotency_key, by):
        """Invoice a month's mutualisation fees to every subscriber; a month is invoiced
        once per organisation, whoever asks and however often."""
        data = load(schemas.InvoiceMonth(), payload)
        year, month = data["year"], data["month"]
        with self.db() as uow:
            replay = uow.replay_or_claim(f"invoice_month:{by}", idempotency_key, payload)
            if replay is not None:
                return {"replayed": True, "invoices": replay}
            lines_by_organisation = {}
            for line, organisation_id in _invoice_lines(uow.session, year, month):
                lines_by_organisation.setdefault(organisation_id, []).append(line)
            for organisation_id, lines in lines_by_organisation.items():
                values = {"id": str(uuid.uuid4()), "organisation_id": organisation_id,
                          "year": year, "month": month,
                          "total_cents": sum(line["amount_cents"] for line in lines),
                          "lines": json.dumps(lines), "issued_at": utcnow()}
                if insert_ignoring_duplicate(uow.session, models.Invoice.__table__, values):
                    uow.emit(schemas.MUTUALISATION_INVOICED, {
                        key: values[key] for key in
                        ("organisation_id", "year", "month", "total_cents")} | {
                        "invoice_id": values["id"]})
            invoices = uow.session.scalars(
                sa.select(models.Invoice).where(models.Invoice.year == year,
                                                models.Invoice.month == month)
                .order_by(models.Invoice.organisation_id)).all()
            answer = uow.remember([_invoice_view(invoice) for invoice in invoices])
        return {"replayed": False, "invoices": answer}

    @rpc
    def list_invoices(self, query):
        """Invoices issued, newest first, by organisation and month (`query`: the
        gateway confines a member admin to its own organisation)."""
        params = load(schemas.ListInvoices(), query)
        with self.db.read() as session:
            return paginate(session, models.Invoice, params, created_at=None,
                            order=Order(models.Invoice.issued_at, descending=True),
                            filters=("organisation_id", "year", "month"), dump=_invoice_view)

    @rpc
    def pay_invoice(self, invoice_id, payload, idempotency_key, by):
        """Record a payment of a mutualisation invoice; the invoice's row is locked, so
        payments sent together never take it beyond its total."""
        def record(uow, data):
            invoice = get_or_not_found(uow.session, models.Invoice, invoice_id, "invoice",
                                       for_update=True)
            mutualisation.check_invoice_payment(data["amount_cents"], invoice.total_cents,
                                                invoice.paid_cents)
            payment = _record_payment(uow, models.InvoicePayment, data, by,
                                      invoice_id=invoice.id)
            invoice.paid_cents += payment.amount_cents
            uow.emit(schemas.INVOICE_PAID, {
                "payment_id": payment.id, "invoice_id": invoice.id,
                "organisation_id": invoice.organisation_id, "year": invoice.year,
                "month": invoice.month, "amount_cents": payment.amount_cents,
                "paid_on": payment.paid_on.isoformat(),
                "left_cents": mutualisation.left_to_pay(invoice.total_cents,
                                                        invoice.paid_cents)})
            return schemas.InvoicePayment().dump(payment)
        return self._pay_once("pay_invoice", {"invoice_id": str(invoice_id)},
                              schemas.PayInvoice(), payload, idempotency_key, by, record)

    @rpc
    def mutualisation_summary(self):
        """Today's picture: how many services, how many organisations subscribe, and the
        jobs (FTE) the services carry."""
        today = utcnow().date()
        with self.db.read() as session:
            services = session.scalars(sa.select(models.MutualisedService)).all()
            running = [sub for sub in session.scalars(sa.select(models.Subscription)).all()
                       if mutualisation.runs_during(sub.starts_on, sub.ends_on, today, today)]
        subscribed = {sub.service_id for sub in running}
        return schemas.MutualisationSummary().dump({
            "on": today, "services": len(services),
            "subscribers": len({sub.organisation_id for sub in running}),
            "fte_carried": sum(s.fte_carried_hundredths for s in services),
            "subscribed_fte_carried": sum(s.fte_carried_hundredths for s in services
                                          if s.id in subscribed)})

    # --- privacy -----------------------------------------------------------------------

    @rpc
    def personal_data(self, query):
        """Everything held here about the person with this email (right of access)."""
        email = accounts.normalise_email(load(schemas.PersonQuery(), query)["email"])
        with self.db.read() as session:
            return schemas.PersonalData().dump({
                "email": email,
                "accounts": session.scalars(sa.select(models.Account)
                                            .where(models.Account.email == email)).all(),
                "contacts": session.scalars(sa.select(models.Contact)
                                            .where(models.Contact.email == email)).all()})

    @rpc
    def erase_person(self, payload):
        """Anonymise the person here, and tell every other service to (person_erased)."""
        email = accounts.normalise_email(load(schemas.Erasure(), payload)["email"])
        now = utcnow()
        with self.db() as uow:
            found = uow.session.scalars(sa.select(models.Account)
                                        .where(models.Account.email == email)).all()
            contacts = uow.session.scalars(sa.select(models.Contact)
                                           .where(models.Contact.email == email)).all()
            for account in found:
                account.email = f"erased-{account.id}@invalid.example"
                account.display_name = ERASED_NAME
                account.password_hash = "!"  # matches no password
                _revoke(uow.session, models.RefreshToken.account_id == account.id, now)
                _end_resets(uow.session, account.id, now)
                _end_email_tokens(uow.session, account.id, now, forget=True)
            for contact in contacts:
                contact.name, contact.email, contact.phone = ERASED_NAME, None, None
                contact.role, contact.consent_to_contact = None, False
                contact.erased_at = now
            if found or contacts:
                uow.emit(schemas.PERSON_ERASED, {
                    "account_ids": [account.id for account in found],
                    "contact_ids": [contact.id for contact in contacts]})
        return {"accounts": len(found), "contacts": len(contacts)}

    # --- accounts ----------------------------------------------------------------------

    @rpc
    def sign_up(self, payload):
        """A citizen's own account: the only role one may give oneself. The answer is the
        same whether or not the address has an account (no one learns who has one): a new
        account gets a link to confirm its address; the owner of an existing one gets a
        notice instead. The password is hashed either way, so the time is the same too."""
        data = load(schemas.SignUp(), payload)
        email = accounts.normalise_email(data["email"])
        accounts.check_password(data["password"], email)
        values = accounts.new_account(data, ["citizen"], None, self._hash(data["password"]))
        now = utcnow()
        try:
            with self.db() as uow:
                existing = uow.session.scalar(sa.select(models.Account.id)
                                              .where(models.Account.email == email))
                if existing is None:
                    account = models.Account(**values)
                    uow.session.add(account)
                    uow.session.flush()
                    _emit_account_created(uow, account)
                    _ask_confirmation(uow, account.id, accounts.VERIFY, None, now)
                else:
                    _tell_owner(uow, existing, now)
        except IntegrityError:  # a concurrent sign-up with the same address won: its mail
            pass  # is on its way, as this one's would have been
        return {"message": SIGN_UP_ANSWER}

    @rpc
    def request_email_verification(self, account_id):
        """Mail the account's address a new link to confirm it (older ones end)."""
        now = utcnow()
        with self.db() as uow:
            account = get_or_not_found(uow.session, models.Account, account_id, "account")
            if account.email_verified_at is not None:
                raise conflict("email_already_verified", "This address is confirmed already.")
            _count_address_mail(uow.session, f"confirm:{account.id}", now)
            _ask_confirmation(uow, account.id, accounts.VERIFY, None, now)
        return {"message": "A link to confirm the address has been mailed to it."}

    @rpc
    def request_email_change(self, account_id, payload):
        """Move the account to a new address once a link mailed there is followed; the
        current password is asked (a session left open must not give the account away).
        If the new address has an account, its owner is told instead, and the answer is
        the same."""
        data = load(schemas.EmailChangeRequest(), payload)
        with self.db.read() as session:
            account = get_or_not_found(session, models.Account, account_id, "account")
        if not self._verify(account.password_hash, data["password"]):
            raise invalid({"password": ["This is not the current password."]})
        new_email = accounts.check_new_email(data["new_email"], account.email)
        now = utcnow()
        with self.db() as uow:
            _count_address_mail(uow.session, f"confirm:{account.id}", now)
            owner = uow.session.scalar(sa.select(models.Account.id)
                                       .where(models.Account.email == new_email))
            if owner is None:
                _ask_confirmation(uow, account.id, accounts.CHANGE, new_email, now)
            else:
                _tell_owner(uow, owner, now)
        return {"message": EMAIL_CHANGE_ANSWER}

    @rpc
    def email_token_link(self, token_id):
        """For notifications, sending a confirmation link's mail: a new token (its digest
        kept here, as password_reset_link) and the address to send it to (the new one for
        a change). Not found once the link ended."""
        with self.db() as uow:
            token, secret = _renewed_link(uow.session, models.EmailToken, token_id,
                                          "email_token")
            account = uow.session.get(models.Account, token.account_id)
            return {"token": secret, "purpose": token.purpose,
                    "to": token.new_email or account.email}

    @rpc
    def email_change_notice(self, change_id):
        """For notifications: the address an account left, to tell it (not found once an
        erasure wiped it)."""
        with self.db.read() as session:
            token = session.get(models.EmailToken, change_id)
            if token is None or token.old_email is None:
                raise not_found("email_change", change_id)
            return {"to": token.old_email}

    @rpc
    def email_token_purpose(self, token):
        """What a link still usable is for ("verify" or "change"); None if it is not."""
        with self.db.read() as session:
            found = _email_token_of(session, token)
            if found is None or not accounts.reset_usable(found.expires_at, found.ended_at,
                                                          utcnow()):
                return None
            return found.purpose

    @rpc
    def confirm_email(self, payload):
        """Follow a mailed link: the address is confirmed, or the account moves to the new
        one (confirmed by this very link) and the old address gets a notice. Once."""
        secret = load(schemas.EmailTokenInput(), payload)["token"]
        now = utcnow()
        try:
            with self.db() as uow:
                token = _email_token_of(uow.session, secret, for_update=True)
                if token is None or not accounts.reset_usable(token.expires_at,
                                                              token.ended_at, now):
                    raise INVALID_EMAIL_TOKEN
                token.ended_at = now
                account = uow.session.get(models.Account, token.account_id,
                                          with_for_update=True)
                if token.purpose == accounts.CHANGE:
                    token.old_email, account.email = account.email, token.new_email
                    uow.session.flush()  # a taken address fails here, with its unique index
                    _end_email_tokens(uow.session, account.id, now)
                    uow.emit(schemas.EMAIL_CHANGED, {"change_id": token.id,
                                                     "account_id": account.id})
                account.email_verified_at = account.email_verified_at or now
        except IntegrityError:
            raise _email_taken() from None
        return schemas.Account().dump(account)

    @rpc
    def create_account(self, payload):
        """An account with roles, made by an animator or operator (the gateway checks)."""
        data = load(schemas.CreateAccount(), payload)
        organisation_id = str(data["organisation_id"]) if data["organisation_id"] else None
        if organisation_id:
            with self.db.read() as session:
                if session.get(models.Organisation, organisation_id) is None:
                    raise invalid({"organisation_id": ["No organisation with this id."]})
        return self._create_account(data, data["roles"], organisation_id)

    @rpc
    def get_account(self, account_id):
        with self.db.read() as session:
            return schemas.Account().dump(
                get_or_not_found(session, models.Account, account_id, "account"))

    @rpc
    def authenticate(self, payload, client):
        """Check an email and password; on success open a session (a refresh token).
        Failures are counted per email and per client, here, so that the limits hold
        across gateway replicas and restarts. An account locks after its failures; an
        address is only slowed: a right password from it always signs in."""
        data = load(schemas.Login(), payload)
        email = accounts.normalise_email(data["email"])
        email_key, client_key = f"email:{email}", f"client:{client}"
        throttle, slowdown = accounts.THROTTLES["email"], accounts.ADDRESS_SLOWDOWN
        now = utcnow()
        with self.db.read() as session:
            _refuse_if_throttled(session, email_key, throttle, now, "too_many_login_attempts",
                                 "Too many failed logins to this account: wait before "
                                 "trying again.")
            account = session.scalar(sa.select(models.Account).where(models.Account.email == email))
        verified = self._verify(account.password_hash if account else None, data["password"])
        with self.db() as uow:
            if not verified:
                _count_failure(uow.session, email_key, now, throttle.window)
                failures = _count_failure(uow.session, client_key, now, slowdown.window,
                                          most=slowdown.counted)
            else:
                uow.session.execute(sa.delete(models.LoginFailure).where(
                    models.LoginFailure.key == email_key))
                token = _open_session(uow.session, account.id, family_id=None, now=now)
        if not verified:
            delay = accounts.address_delay(failures, slowdown)
            if delay:
                raise DomainError(TOO_MANY_REQUESTS, "too_many_login_attempts",
                                  "Too many failed logins from this address: wait before "
                                  "trying again.", {"retry_after": delay})
            raise INVALID_CREDENTIALS
        return {"account": schemas.Account().dump(account), "refresh_token": token}

    @rpc
    def refresh(self, payload):
        """Trade a refresh token for a new one (rotation). A token used twice means it was
        stolen: the whole session is revoked."""
        data = load(schemas.RefreshTokenInput(), payload)
        now = utcnow()
        with self.db() as uow:
            session = uow.session
            current = session.scalar(
                sa.select(models.RefreshToken).with_for_update()
                .where(models.RefreshToken.token_digest
                       == accounts.refresh_token_digest(data["refresh_token"])))
            reused = current is not None and current.revoked_at is not None
            if reused:
                _revoke(session, models.RefreshToken.family_id == current.family_id, now)
            elif current is not None and current.expires_at > now:
                current.revoked_at = now
                token = _open_session(session, current.account_id, current.family_id, now)
                account = session.get(models.Account, current.account_id)
        if current is None or reused or current.expires_at <= now:
            raise INVALID_REFRESH_TOKEN
        return {"account": schemas.Account().dump(account), "refresh_token": token}

    @rpc
    def revoke(self, account_id, payload):
        """Log out: the refresh token, if it is this account's, can't be used any more."""
        data = load(schemas.RefreshTokenInput(), payload)
        with self.db() as uow:
            _revoke(uow.session, sa.and_(
                models.RefreshToken.account_id == account_id,
                models.RefreshToken.token_digest
                == accounts.refresh_token_digest(data["refresh_token"])), utcnow())
        return {"revoked": True}

    @rpc
    def change_password(self, account_id, payload):
        """A new password closes every session of the account."""
        data = load(schemas.ChangePassword(), payload)
        with self.db.read() as session:
            account = get_or_not_found(session, models.Account, account_id, "account")
        if not self._verify(account.password_hash, data["current_password"]):
            raise invalid({"current_password": ["This is not the current password."]})
        accounts.check_password(data["new_password"], account.email, field="new_password")
        new_hash = self._hash(data["new_password"])
        now = utcnow()
        with self.db() as uow:
            account = uow.session.get(models.Account, account_id, with_for_update=True)
            account.password_hash = new_hash
            account.password_changed_at = now
            _revoke(uow.session, models.RefreshToken.account_id == account_id, now)
        return schemas.Account().dump(account)

    @rpc
    def request_password_reset(self, payload, client):
        """Mail a link to set a new password, if an account has this address. The answer
        is the same either way (no one learns who has an account), and so are the limits:
        they count requests per address typed and per client, account or not."""
        email = accounts.normalise_email(load(schemas.PasswordResetRequest(), payload)["email"])
        now = utcnow()
        keys = {"email": f"reset-email:{email}", "client": f"reset-client:{client}"}
        with self.db() as uow:
            for kind, key in keys.items():
                _refuse_if_throttled(uow.session, key, accounts.RESET_THROTTLES[kind], now,
                                     "too_many_password_resets", "Too many password resets "
                                     "asked: wait before asking again.")
            for kind, key in keys.items():
                _count_failure(uow.session, key, now, accounts.RESET_THROTTLES[kind].window)
            account = uow.session.scalar(sa.select(models.Account)
                                         .where(models.Account.email == email))
            if account is not None:
                _end_resets(uow.session, account.id, now)  # a new one ends older ones
                reset = models.PasswordReset(
                    id=str(uuid.uuid4()), account_id=account.id, requested_at=now,
                    expires_at=accounts.reset_expires_at(now))
                uow.session.add(reset)
                uow.emit(schemas.PASSWORD_RESET_REQUESTED, {
                    "reset_id": reset.id, "account_id": account.id,
                    "expires_at": reset.expires_at.isoformat()})
        return {"message": PASSWORD_RESET_ANSWER}

    @rpc
    def password_reset_link(self, reset_id):
        """The token of a reset's link, made now, for notifications to put in the mail it
        is sending (an RPC reply: never an event, never archived). Asked again (a mail
        sent again), a new token replaces the old one. Not found once the reset ended."""
        with self.db() as uow:
            _, token = _renewed_link(uow.session, models.PasswordReset, reset_id,
                                     "password_reset")
        return {"token": token}

    @rpc
    def password_reset_valid(self, token):
        """Whether this link may still set a password (the page shows its form or not)."""
        with self.db.read() as session:
            reset = _reset_of(session, token)
            return reset is not None and accounts.reset_usable(reset.expires_at,
                                                               reset.ended_at, utcnow())

    @rpc
    def reset_password(self, payload):
        """Set a new password with a mailed link: the link ends, as does every session."""
        data = load(schemas.PasswordResetConfirm(), payload)
        with self.db.read() as session:
            reset = _reset_of(session, data["token"])
            account = reset and session.get(models.Account, reset.account_id)
        if reset is None or account is None:
            raise INVALID_RESET_TOKEN
        accounts.check_password(data["new_password"], account.email, field="new_password")
        new_hash = self._hash(data["new_password"])
        now = utcnow()
        with self.db() as uow:
            reset = uow.session.get(models.PasswordReset, reset.id, with_for_update=True,
                                    populate_existing=True)
            if not accounts.reset_usable(reset.expires_at, reset.ended_at, now):
                raise INVALID_RESET_TOKEN
            reset.ended_at = now
            account = uow.session.get(models.Account, reset.account_id, with_for_update=True)
            account.password_hash = new_hash
            account.password_changed_at = now
            _revoke(uow.session, models.RefreshToken.account_id == account.id, now)
        return schemas.Account().dump(account)

    def _create_account(self, data, roles, organisation_id):
        email = accounts.normalise_email(data["email"])
        accounts.check_password(data["password"], email)
        values = accounts.new_account(data, roles, organisation_id, self._hash(data["password"]))
        try:
            with self.db() as uow:
                taken = sa.select(models.Account.id).where(models.Account.email == email)
                if uow.session.scalar(taken):
                    raise _email_taken()
                # Staff typed the address and hand the account over: it counts as
                # confirmed (a sign-up's is confirmed by its link, see sign_up).
                account = models.Account(**values, email_verified_at=utcnow())
                uow.session.add(account)
                uow.session.flush()
                _emit_account_created(uow, account)
        except IntegrityError:  # a concurrent sign-up with the same email won
            raise _email_taken() from None
        return schemas.Account().dump(account)

    # argon2 takes tens of milliseconds of CPU: it runs on a real thread (eventlet's
    # tpool) so that the service's other green threads keep running meanwhile.
    def _hash(self, password):
        return tpool.execute(self._hasher().hash, password)

    def _verify(self, password_hash, password):
        """Whether `password` matches; with no account, a dummy hash is checked anyway so
        that an unknown email takes as long to refuse as a wrong password."""
        hasher = self._hasher()
        try:
            tpool.execute(hasher.verify, password_hash or _dummy_hash(hasher), password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False
        return password_hash is not None

    def _hasher(self):
        return _password_hasher(self.config["PASSWORD_HASH_TIME_COST"],
                                self.config["PASSWORD_HASH_MEMORY_KIB"])


@lru_cache(maxsize=4)
def _password_hasher(time_cost, memory_kib):
    return argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


@lru_cache(maxsize=4)
def _dummy_hash(hasher):
    return hasher.hash("not a password anyone has")


def _open_session(session, account_id, family_id, now):
    token, digest, expires_at = accounts.new_refresh_token(now)
    session.add(models.RefreshToken(
        id=str(uuid.uuid4()), account_id=account_id, family_id=family_id or str(uuid.uuid4()),
        token_digest=digest, issued_at=now, expires_at=expires_at))
    return token


def _revoke(session, which, now):
    session.execute(sa.update(models.RefreshToken)
                    .where(which, models.RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=now))


def _renewed_link(session, model, row_id, kind):
    """A mailed link's row (a reset, an email token) still usable, with a new token made
    now: its digest is kept, the token itself returned once (to the mail being sent)."""
    row = session.get(model, row_id, with_for_update=True)
    if row is None or not accounts.reset_usable(row.expires_at, row.ended_at, utcnow()):
        raise not_found(kind, row_id)
    token, row.token_digest = accounts.new_reset_token()
    return row, token


def _end_resets(session, account_id, now):
    session.execute(sa.update(models.PasswordReset)
                    .where(models.PasswordReset.account_id == account_id,
                           models.PasswordReset.ended_at.is_(None))
                    .values(ended_at=now))


def _emit_account_created(uow, account):
    uow.emit(schemas.ACCOUNT_CREATED, {"account_id": account.id, "roles": account.roles,
                                       "organisation_id": account.organisation_id})


def _ask_confirmation(uow, account_id, purpose, new_email, now):
    """A new link to confirm an address (older ones of this purpose end), to be mailed."""
    _end_email_tokens(uow.session, account_id, now, purpose=purpose)
    token = models.EmailToken(id=str(uuid.uuid4()), account_id=account_id, purpose=purpose,
                              new_email=new_email, requested_at=now,
                              expires_at=accounts.email_token_expires_at(now))
    uow.session.add(token)
    uow.emit(schemas.EMAIL_CONFIRMATION_REQUESTED, {
        "token_id": token.id, "account_id": account_id, "purpose": purpose,
        "expires_at": token.expires_at.isoformat()})


def _tell_owner(uow, account_id, now):
    """Someone gave this account's address (a sign-up, a change): its owner is told, a
    few times an hour at most (no one fills a mailbox by signing up again and again)."""
    key, throttle = f"notice:{account_id}", accounts.ADDRESS_MAIL_THROTTLE
    known = uow.session.get(models.LoginFailure, key)
    if known and accounts.login_refused_for(known.failures, known.window_started_at, now,
                                            throttle):
        return
    _count_failure(uow.session, key, now, throttle.window)
    uow.emit(schemas.ADDRESS_ALREADY_REGISTERED, {"notice_id": str(uuid.uuid4()),
                                                  "account_id": account_id})


def _count_address_mail(session, key, now):
    """One more link mailed by the account's owner; 429 past the limit."""
    _refuse_if_throttled(session, key, accounts.ADDRESS_MAIL_THROTTLE, now,
                         "too_many_address_mails", "Too many links asked for this account's "
                         "address: wait before asking again.")
    _count_failure(session, key, now, accounts.ADDRESS_MAIL_THROTTLE.window)


def _end_email_tokens(session, account_id, now, purpose=None, forget=False):
    """End the account's links (of one purpose, or all); `forget` also wipes the
    addresses they hold (an erasure)."""
    which = [models.EmailToken.account_id == account_id]
    if purpose is not None:
        which.append(models.EmailToken.purpose == purpose)
    session.execute(sa.update(models.EmailToken)
                    .where(*which, models.EmailToken.ended_at.is_(None)).values(ended_at=now))
    if forget:
        session.execute(sa.update(models.EmailToken).where(*which)
                        .values(new_email=None, old_email=None))


def _email_token_of(session, secret, for_update=False):
    query = sa.select(models.EmailToken).where(
        models.EmailToken.token_digest == accounts.refresh_token_digest(secret))
    return session.scalar(query.with_for_update() if for_update else query)


def _reset_of(session, token):
    return session.scalar(sa.select(models.PasswordReset).where(
        models.PasswordReset.token_digest == accounts.refresh_token_digest(token)))


def _refuse_if_throttled(session, key, throttle, now, code, message):
    """A 429 with the seconds to wait, if `key` has had its `throttle`'s worth."""
    known = session.get(models.LoginFailure, key)
    wait = known and accounts.login_refused_for(known.failures, known.window_started_at,
                                                now, throttle)
    if wait:
        raise DomainError(TOO_MANY_REQUESTS, code, message, {"retry_after": wait})


def _count_failure(session, key, now, window, most=None):
    """One more failure for `key` in its window (a new window once it has passed),
    counted up to `most`; the count it now has."""
    table = models.LoginFailure.__table__
    expired = table.c.window_started_at <= now - window
    more = table.c.failures + 1
    if most is not None:
        more = sa.case((table.c.failures >= most, most), else_=more)
    insert = upsertable_insert(session, table).values(key=key, failures=1, window_started_at=now)
    session.execute(insert.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": sa.case((expired, 1), else_=more),
        "window_started_at": sa.case((expired, now), else_=table.c.window_started_at),
    }))
    return session.scalar(sa.select(table.c.failures).where(table.c.key == key))


def _siret_taken(siret):
    return conflict("siret_already_registered",
                    f"An organisation with SIRET {siret} is already registered.", siret=siret)


def _email_taken():
    return conflict("email_already_registered", "An account with this email already exists.")


def _hundredths_to_number(value):
    return None if value is None else value / 100


def _register(uow, values):
    organisation = models.Organisation(**values, registered_at=utcnow())
    uow.session.add(organisation)
    uow.session.flush()
    uow.emit(schemas.ORGANISATION_REGISTERED, _organisation_event(organisation))
    return organisation


def _organisation_event(organisation):
    """An organisation's fields as its events carry them."""
    return {
        "organisation_id": organisation.id, "name": organisation.name,
        "legal_form": organisation.legal_form, "siret": organisation.siret,
        "siren": organisation.siren, "postal_code": organisation.postal_code,
        "commune": organisation.commune, "territory": organisation.territory,
        "sector": organisation.sector,
        "headcount_fte": organisation.headcount_fte_hundredths / 100}


def _add_contact(uow, organisation_id, data):
    """Record a person to contact at an organisation (validated input), and say so."""
    contact = models.Contact(**organisations.new_contact(organisation_id, data, utcnow()))
    uow.session.add(contact)
    uow.session.flush()
    uow.emit(schemas.CONTACT_ADDED, {"contact_id": contact.id,
                                     "organisation_id": contact.organisation_id,
                                     "consent_to_contact": contact.consent_to_contact})
    return contact


def _names_registered(session, candidates):
    """The name keys among `candidates` (values without SIRET) already registered."""
    keys = {organisations.name_key(c["name"], c["postal_code"]) for c in candidates}
    postal_codes = {c["postal_code"] for c in candidates}
    rows = session.execute(sa.select(models.Organisation.name, models.Organisation.postal_code)
                           .where(models.Organisation.postal_code.in_(postal_codes))).all()
    return keys & {organisations.name_key(name, postal_code) for name, postal_code in rows}


def _siret_registered(session, sirets):
    return set(session.scalars(sa.select(models.Organisation.siret)
                               .where(models.Organisation.siret.in_(sirets))).all())


class _siret_guard:
    """A concurrent registration of the same SIRET loses to the unique index: a 409."""

    def __init__(self, siret):
        self.siret = siret

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, IntegrityError):
            raise _siret_taken(self.siret) from None
        return False


def _decode_file(csv_base64):
    try:
        return base64.b64decode(csv_base64, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise invalid({"file": ["The file did not arrive intact."]}) from None


def _check_rows(session, rows):
    """Each row as (line, values, contact, errors): if errors is empty, the values to
    register and the contact to add with them (or None)."""
    checked, first_line_of = [], {}
    for line, row, ragged in rows:
        errors, values = {}, {}
        if ragged:
            errors["_row"] = ["This line has more or fewer cells than the header."]
        payload, contact = spreadsheets.split_contact(spreadsheets.to_payload(row))
        try:
            values = organisations.new_organisation(load(schemas.RegisterOrganisation(),
                                                         payload))
        except DomainError as exc:
            errors.update(exc.details.get("fields", {"_row": [exc.message]}))
        if contact:
            contact, contact_errors = _checked_contact(contact, "contact_name" in row)
            errors.update(contact_errors)
        # Without a SIRET, the name at a postal code tells one organisation from another.
        key = values and (values["siret"] or organisations.name_key(values["name"],
                                                                    values["postal_code"]))
        field = "siret" if values and values["siret"] else "name"
        if key and key in first_line_of:
            errors[field] = [f"The same organisation is already on line {first_line_of[key]}."]
        elif key:
            first_line_of[key] = line
        checked.append((line, values, contact, errors))
    valid = [values for _, values, _, errors in checked if not errors]
    sirets = _siret_registered(session, [v["siret"] for v in valid if v["siret"]])
    names = _names_registered(session, [v for v in valid if not v["siret"]]) if valid else set()
    for _, values, _, errors in checked:
        if errors:
            continue
        if values["siret"] in sirets:
            errors["siret"] = ["An organisation with this SIRET is already registered."]
        elif not values["siret"] and organisations.name_key(values["name"],
                                                            values["postal_code"]) in names:
            errors["name"] = ["An organisation with this name is already registered at this "
                              "postal code."]
    return checked


def _checked_contact(contact, named_in_row):
    """A row's contact, validated as one added by hand, and its errors under the row's
    field names. Without a contact column its name is the organisation's, whose own
    errors already say what is wrong with it."""
    try:
        return load(schemas.AddContact(), contact), {}
    except DomainError as exc:
        fields = exc.details.get("fields", {"_row": [exc.message]})
        row_field = {name: field for field, name in spreadsheets.CONTACT_FIELDS.items()}
        return None, {row_field.get(name, name): messages for name, messages in fields.items()
                      if name != "name" or named_in_row}


def _membership_event(membership):
    return {"membership_id": membership.id, "organisation_id": membership.organisation_id,
            "year": membership.year, "circle": membership.circle,
            "dues_cents": membership.dues_cents}


def _move(uow, membership, status, by, reason=None):
    """Change a membership's status, keep the move, and say so, in one transaction."""
    now = utcnow()
    previous = membership.status
    membership.status = status
    if status == "active" and membership.activated_at is None:
        membership.activated_at = now
    uow.session.add(models.MembershipMove(id=str(uuid.uuid4()), membership_id=membership.id,
                                          from_status=previous, to_status=status, at=now,
                                          by=by, reason=reason))
    uow.emit(schemas.MEMBERSHIP_STATUS_CHANGED, {
        "membership_id": membership.id, "organisation_id": membership.organisation_id,
        "year": membership.year, "circle": membership.circle, "from_status": previous,
        "to_status": status, "changed_at": now.isoformat(), "by": by})


@lru_cache(maxsize=4)
def _dues_scale(scale_json: str):
    if not scale_json:
        return memberships.DEFAULT_DUES_SCALE
    return {form: [tuple(band) for band in bands] for form, bands in json.loads(scale_json).items()}


def _record_payment(uow, model, data, by, **owner):
    """A payment recorded by staff (dues', an invoice's), written at once."""
    payment = model(id=str(uuid.uuid4()), recorded_by=by, recorded_at=utcnow(), **owner,
                    **data)
    uow.session.add(payment)
    uow.session.flush()
    return payment


def _invoice_view(invoice):
    total, paid = invoice.total_cents, invoice.paid_cents
    return schemas.Invoice().dump({
        **row_values(invoice), "lines": json.loads(invoice.lines),
        "left_cents": mutualisation.left_to_pay(total, paid),
        "status": mutualisation.invoice_status(total, paid)})


def _invoice_lines(session, year, month):
    """(line, organisation id) for every subscription that ran during the month."""
    first, last = mutualisation.month_bounds(year, month)
    rows = session.execute(
        sa.select(models.Subscription, models.MutualisedService)
        .join(models.MutualisedService,
              models.MutualisedService.id == models.Subscription.service_id)
        .where(models.Subscription.starts_on <= last,
               sa.or_(models.Subscription.ends_on.is_(None),
                      models.Subscription.ends_on >= first))).all()
    subscriptions = [{**row_values(sub), "name": service.name, "pricing": service.pricing,
                      "price_cents": service.price_cents} for sub, service in rows]
    organisation_of = {sub["id"]: sub["organisation_id"] for sub in subscriptions}
    return [(line, organisation_of[line["subscription_id"]])
            for line in mutualisation.invoice_lines(subscriptions, year, month)]
