"""What goes in and out of members: RPC payloads and event data."""
from functools import partial

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.members.domain.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROLES
from services.members.domain.memberships import STATUSES
from services.members.domain.mutualisation import PRICINGS
from services.members.domain.organisations import LEGAL_FORMS, TERRITORIES
from shared.envelope import EventSpec
from shared.pagination import PageQuery
from shared.schemas import Hundredths, StrictBoolean

Cents = fields.Integer
MAX_CENTS = 100_000_000_000
Year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))

# --- organisations and contacts ------------------------------------------------------


class RegisterOrganisation(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    siret = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    siren = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=15))
    rna = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12))
    street = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    postal_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{5}$", error="A French postal code has 5 digits."))
    commune = fields.String(required=True, validate=validate.Length(min=1, max=120))
    territory = fields.String(load_default="outside", validate=validate.OneOf(TERRITORIES))
    sector = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    headcount_fte = Hundredths(load_default=0)


class Organisation(Schema):
    id = fields.String()
    name = fields.String()
    legal_form = fields.String()
    siret = fields.String(allow_none=True)
    siren = fields.String(allow_none=True)
    rna = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    postal_code = fields.String()
    commune = fields.String()
    territory = fields.String()
    sector = fields.String(allow_none=True)
    headcount_fte = Hundredths(attribute="headcount_fte_hundredths")
    registered_at = fields.AwareDateTime()
    version = fields.Integer(metadata={"description": "Send it back with an edit (PATCH)."})


class EditOrganisation(RegisterOrganisation):
    """A PATCH of an organisation: the `version` read, and only the fields it changes."""

    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The version the edit was made on; another one is refused (409)."})


class ListOrganisations(PageQuery):
    legal_form = fields.String(validate=validate.OneOf(LEGAL_FORMS))
    territory = fields.String(validate=validate.OneOf(TERRITORIES))
    commune = fields.String(validate=validate.Length(min=1, max=120))


class ImportQuery(Schema):
    mode = fields.String(load_default="valid_rows",
                         validate=validate.OneOf(("valid_rows", "all_or_nothing")))


class ImportedRow(Schema):
    line = fields.Integer()
    status = fields.String(metadata={"enum": ["imported", "invalid", "not_imported"]})
    organisation_id = fields.String(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ImportWarning(Schema):
    """A column the import ignored, named as the file writes it."""

    code = fields.String(metadata={"enum": ["unknown_column", "duplicate_column",
                                            "untitled_column"]})
    column = fields.String(metadata={"description": "its title in the file (empty if none)"})
    position = fields.Integer(metadata={"description": "1 for the file's first column"})
    message = fields.String()


class ImportReport(Schema):
    mode = fields.String()
    committed = fields.Boolean()
    imported = fields.Integer()
    rejected = fields.Integer()
    warnings = fields.List(fields.Nested(ImportWarning))
    rows = fields.List(fields.Nested(ImportedRow))


class AddContact(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\+?[0-9 .()-]{6,30}$", error="A phone number has digits, spaces and + . ( ) -"))
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    consent_to_contact = StrictBoolean(required=True)


class Contact(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    consent_to_contact = fields.Boolean()
    consent_recorded_at = fields.AwareDateTime(allow_none=True)



# --- memberships and dues ------------------------------------------------------------


class ApplyForMembership(Schema):
    year = Year
    circle = fields.String(required=True, validate=validate.Length(min=1, max=40))


class MoveMembership(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PayDues(Schema):
    """A payment recorded by staff: dues', and an invoice's (PayInvoice) alike."""

    amount_cents = Cents(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CENTS))
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.OneOf(
        ("transfer", "cheque", "cash", "card", "direct_debit")))
    reference = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=120))


class PayInvoice(PayDues):
    pass


class Renewal(Schema):
    year = Year


class ListMemberships(PageQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    circle = fields.String(validate=validate.Length(min=1, max=40))
    status = fields.String(validate=validate.OneOf(STATUSES))


class MembershipMove(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    at = fields.AwareDateTime()
    by = fields.String()
    reason = fields.String(allow_none=True)


class Membership(Schema):
    id = fields.String()
    organisation_id = fields.String()
    year = fields.Integer()
    circle = fields.String()
    status = fields.String()
    dues_cents = fields.Integer()
    paid_cents = fields.Integer()
    activated_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class MembershipWithMoves(Membership):
    moves = fields.List(fields.Nested(MembershipMove))


class RecordedPayment(Schema):
    id = fields.String()
    amount_cents = fields.Integer()
    paid_on = fields.Date()
    method = fields.String()
    reference = fields.String(allow_none=True)
    recorded_at = fields.AwareDateTime()


class DuesPayment(RecordedPayment):
    membership_id = fields.String()


class InvoicePayment(RecordedPayment):
    invoice_id = fields.String()


class OrganisationDuesPayment(DuesPayment):
    year = fields.Integer(metadata={"description": "the membership's year"})


class RenewalOutcome(Schema):
    from_year = fields.Integer()
    year = fields.Integer()
    renewed = fields.Integer()


# --- mutualised services -------------------------------------------------------------


class AddMutualisedService(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))
    fte_carried = Hundredths(required=True, maximum=1000)
    pricing = fields.String(required=True, validate=validate.OneOf(PRICINGS))
    price_cents = Cents(required=True, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))


class MutualisedService(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    fte_carried = Hundredths(attribute="fte_carried_hundredths")
    pricing = fields.String()
    price_cents = fields.Integer()


class Subscribe(Schema):
    service_id = fields.UUID(required=True)
    hours_per_month = Hundredths(load_default=None, allow_none=True, maximum=744)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)


class EndSubscription(Schema):
    ends_on = fields.Date(required=True)


class Subscription(Schema):
    id = fields.String()
    organisation_id = fields.String()
    service_id = fields.String()
    hours_per_month = Hundredths(attribute="hours_per_month_hundredths", allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class OrganisationSubscription(Subscription):
    """A subscription as its organisation reads it: with the service's name and price."""

    service_name = fields.String()
    pricing = fields.String()
    price_cents = fields.Integer()


class InvoiceMonth(Schema):
    year = Year
    month = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=12))


class ListInvoices(PageQuery):
    """Newest first; a member admin reads its own organisation's only (the gateway)."""

    organisation_id = fields.UUID()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    month = fields.Integer(validate=validate.Range(min=1, max=12),
                           metadata={"description": "with `year`: that month's invoices"})

    @validates_schema
    def _month_of_a_year(self, data, **kwargs):
        if "month" in data and "year" not in data:
            raise ValidationError("A month is asked with its year.", "year")


class InvoiceLine(Schema):
    subscription_id = fields.String()
    service_id = fields.String()
    service = fields.String()
    hours_per_month = Hundredths(attribute="hours_per_month_hundredths", allow_none=True)
    amount_cents = fields.Integer()


class Invoice(Schema):
    id = fields.String()
    organisation_id = fields.String()
    year = fields.Integer()
    month = fields.Integer()
    total_cents = fields.Integer()
    lines = fields.List(fields.Nested(InvoiceLine))
    issued_at = fields.AwareDateTime()
    paid_cents = fields.Integer(metadata={"description": "the payments recorded so far"})
    left_cents = fields.Integer(metadata={"description": "what is left to pay"})
    status = fields.String(metadata={"description": "unpaid, partly_paid or paid"})


class MutualisationSummary(Schema):
    on = fields.Date()
    services = fields.Integer()
    subscribers = fields.Integer()
    fte_carried = Hundredths()
    subscribed_fte_carried = Hundredths()


# --- privacy -------------------------------------------------------------------------


class PersonQuery(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class Erasure(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class ErasureOutcome(Schema):
    accounts = fields.Integer()
    contacts = fields.Integer()


# --- accounts ------------------------------------------------------------------------

Password = fields.String  # load-only everywhere: a password is never dumped


class SignUp(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = Password(required=True, load_only=True, validate=validate.Length(
        min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CreateAccount(SignUp):
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(min=1))
    organisation_id = fields.UUID(load_default=None, allow_none=True)
    funder = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=2, max=200),
                           metadata={"description": "A funder account's funder, as its "
                                                    "grants name it: the account then reads "
                                                    "that funder's view of the reports only."})


class Login(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = Password(required=True, load_only=True,
                        validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))


class PasswordResetRequest(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class PasswordResetRequested(Schema):
    """The same answer whether or not an account has this address."""

    message = fields.String(required=True)


class PasswordResetConfirm(Schema):
    token = fields.String(required=True, load_only=True,
                          validate=validate.Length(min=1, max=200))
    new_password = Password(required=True, load_only=True, validate=validate.Length(
        min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))


class SignUpAnswer(Schema):
    """The same answer whether or not an account has this address: a new account gets a
    link to confirm it, an existing one a mail saying someone tried."""

    message = fields.String(required=True)


class EmailTokenInput(Schema):
    token = fields.String(required=True, load_only=True,
                          validate=validate.Length(min=1, max=200))


class EmailChangeRequest(Schema):
    new_email = fields.Email(required=True, validate=validate.Length(max=254))
    password = Password(required=True, load_only=True,
                        validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))


class RefreshTokenInput(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ChangePassword(Schema):
    current_password = Password(required=True, load_only=True,
                                validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))
    new_password = Password(required=True, load_only=True, validate=validate.Length(
        min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))


def _email_verified(account):
    verified_at = account["email_verified_at"] if isinstance(account, dict) \
        else account.email_verified_at
    return verified_at is not None


class Account(Schema):
    id = fields.String()
    email = fields.String()
    email_verified = fields.Function(_email_verified, metadata={
        "type": "boolean", "description": "Whether the address was confirmed by mail."})
    display_name = fields.String()
    roles = fields.List(fields.String())
    organisation_id = fields.String(allow_none=True)
    funder = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class PersonalData(Schema):
    """Everything held about a person, for their right of access."""

    email = fields.String()
    accounts = fields.List(fields.Nested(Account))
    contacts = fields.List(fields.Nested(Contact))


# --- events --------------------------------------------------------------------------


class OrganisationRegistered(Schema):
    organisation_id = fields.UUID(required=True)
    name = fields.String(required=True)
    legal_form = fields.String(required=True)
    siret = fields.String(required=True, allow_none=True)
    siren = fields.String(required=True, allow_none=True)
    postal_code = fields.String(required=True)
    commune = fields.String(required=True)
    territory = fields.String(required=True)
    sector = fields.String(required=True, allow_none=True)
    headcount_fte = fields.Float(required=True)


class OrganisationUpdated(OrganisationRegistered):
    """An organisation as it is after an edit, with what the edit changed."""

    version = fields.Integer(required=True)
    changed = fields.List(fields.String(), required=True)


class ContactAdded(Schema):
    contact_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    consent_to_contact = StrictBoolean(required=True)


class MembershipApplied(Schema):
    membership_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    year = fields.Integer(required=True, strict=True)
    circle = fields.String(required=True)
    dues_cents = fields.Integer(required=True, strict=True)


class MembershipRenewed(MembershipApplied):
    previous_membership_id = fields.UUID(required=True)


class MembershipStatusChanged(Schema):
    membership_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    year = fields.Integer(required=True, strict=True)
    circle = fields.String(required=True)
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    changed_at = fields.AwareDateTime(required=True)
    by = fields.String(required=True)


class PaymentRecorded(Schema):
    """What every payment's event says: dues' (DuesPaid) and an invoice's (InvoicePaid)."""

    payment_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    year = fields.Integer(required=True, strict=True)
    amount_cents = fields.Integer(required=True, strict=True)
    paid_on = fields.Date(required=True)


class DuesPaid(PaymentRecorded):
    membership_id = fields.UUID(required=True)


class MutualisedServiceAdded(Schema):
    service_id = fields.UUID(required=True)
    name = fields.String(required=True)
    fte_carried = fields.Float(required=True)
    pricing = fields.String(required=True)
    price_cents = fields.Integer(required=True, strict=True)


class SubscriptionStarted(Schema):
    subscription_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    service_id = fields.UUID(required=True)
    hours_per_month = fields.Float(required=True, allow_none=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, allow_none=True)


class SubscriptionEnded(Schema):
    subscription_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    service_id = fields.UUID(required=True)
    ends_on = fields.Date(required=True)


class MutualisationInvoiced(Schema):
    invoice_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    year = fields.Integer(required=True, strict=True)
    month = fields.Integer(required=True, strict=True)
    total_cents = fields.Integer(required=True, strict=True)


class InvoicePaid(PaymentRecorded):
    invoice_id = fields.UUID(required=True)
    month = fields.Integer(required=True, strict=True)
    left_cents = fields.Integer(required=True, strict=True)


class AccountCreated(Schema):
    account_id = fields.UUID(required=True)
    roles = fields.List(fields.String(), required=True)
    organisation_id = fields.UUID(required=True, allow_none=True)


class PasswordResetRequestedEvent(Schema):
    reset_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)
    expires_at = fields.AwareDateTime(required=True)


class EmailConfirmationRequested(Schema):
    token_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(("verify", "change")))
    expires_at = fields.AwareDateTime(required=True)


class AddressAlreadyRegistered(Schema):
    notice_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)


class EmailChanged(Schema):
    change_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)


class PersonErased(Schema):
    account_ids = fields.List(fields.UUID(), required=True)
    contact_ids = fields.List(fields.UUID(), required=True)


_event = partial(EventSpec, "members")  # EventSpec(source, name, version, schema, description)


ORGANISATION_REGISTERED = _event(
    "organisation_registered", 2, OrganisationRegistered,
    "An organisation was added to the cluster's register. v2 adds SIREN, territory, sector "
    "and headcount (FTE, two decimals).")
ORGANISATION_UPDATED = _event(
    "organisation_updated", 1, OrganisationUpdated,
    "An organisation was edited: its fields as they are now, its new version (keep the "
    "greatest: edits may arrive out of order) and the names of the fields it changed.")
CONTACT_ADDED = _event("contact_added", 1, ContactAdded,
                       "A person to contact was recorded at an organisation (no personal data "
                       "travels).")
MEMBERSHIP_APPLIED = _event("membership_applied", 1, MembershipApplied,
                            "An organisation applied to be a member for a year, in a circle.")
MEMBERSHIP_RENEWED = _event("membership_renewed", 1, MembershipRenewed,
                            "An active membership was carried into the next year, active.")
MEMBERSHIP_STATUS_CHANGED = _event(
    "membership_status_changed", 1, MembershipStatusChanged,
    "A membership moved (applied, active, lapsed, resigned); `by` is an account id, or "
    "`calendar` when the dues deadline lapsed it.")
DUES_PAID = _event("dues_paid", 1, DuesPaid, "A payment of yearly dues was recorded.")
MUTUALISED_SERVICE_ADDED = _event("mutualised_service_added", 1, MutualisedServiceAdded,
                                  "A shared service joined the catalogue, with the FTE it "
                                  "carries.")
SUBSCRIPTION_STARTED = _event("subscription_started", 1, SubscriptionStarted,
                              "An organisation subscribed to a mutualised service.")
SUBSCRIPTION_ENDED = _event("subscription_ended", 1, SubscriptionEnded,
                            "A subscription was given an end date.")
MUTUALISATION_INVOICED = _event("mutualisation_invoiced", 1, MutualisationInvoiced,
                                "A month's mutualisation fees were invoiced to an "
                                "organisation.")
INVOICE_PAID = _event("invoice_paid", 1, InvoicePaid,
                      "A payment of a mutualisation invoice was recorded; `left_cents` is "
                      "what the invoice still awaits after it.")
ACCOUNT_CREATED = _event("account_created", 1, AccountCreated,
                         "Someone can now sign in, with these roles. No personal data travels.")
PASSWORD_RESET_REQUESTED = _event(
    "password_reset_requested", 1, PasswordResetRequestedEvent,
    "Someone asked to set a new password for this account. The link's token does not "
    "travel: notifications asks members for it when it sends the mail.")
EMAIL_CONFIRMATION_REQUESTED = _event(
    "email_confirmation_requested", 1, EmailConfirmationRequested,
    "A link to confirm an address is to be mailed: the account's own (purpose verify, at "
    "sign-up or asked again) or the one it moves to (change). Neither the token nor the "
    "address travels: notifications asks members for both when it sends the mail.")
ADDRESS_ALREADY_REGISTERED = _event(
    "address_already_registered", 1, AddressAlreadyRegistered,
    "Someone signed up with this account's address, or tried to move another account to "
    "it: its owner is told by mail (the answer to the attempt said nothing).")
EMAIL_CHANGED = _event(
    "email_changed", 1, EmailChanged,
    "The account moved to a new address, confirmed by mail; the old address gets a notice "
    "(notifications asks members for it when it sends the mail).")
PERSON_ERASED = _event("person_erased", 1, PersonErased,
                       "A person's data was erased here; every service that keeps something "
                       "about these accounts or contacts erases it too.")

PUBLISHED_EVENTS = (ORGANISATION_REGISTERED, ORGANISATION_UPDATED, CONTACT_ADDED,
                    MEMBERSHIP_APPLIED, MEMBERSHIP_RENEWED, MEMBERSHIP_STATUS_CHANGED, DUES_PAID,
                    MUTUALISED_SERVICE_ADDED, SUBSCRIPTION_STARTED, SUBSCRIPTION_ENDED,
                    MUTUALISATION_INVOICED, INVOICE_PAID, ACCOUNT_CREATED,
                    PASSWORD_RESET_REQUESTED, PERSON_ERASED, EMAIL_CONFIRMATION_REQUESTED,
                    ADDRESS_ALREADY_REGISTERED, EMAIL_CHANGED)
