"""What goes in and out of members: RPC payloads and event data."""
from marshmallow import Schema, fields, validate

from services.members.domain import LEGAL_FORMS, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROLES
from shared.envelope import EventSpec
from shared.pagination import PageQuery


class RegisterOrganisation(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    siret = fields.String(load_default=None, allow_none=True)
    postal_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{5}$", error="A French postal code has 5 digits."))
    commune = fields.String(required=True, validate=validate.Length(min=1, max=120))


class Organisation(Schema):
    id = fields.String()
    name = fields.String()
    legal_form = fields.String()
    siret = fields.String(allow_none=True)
    postal_code = fields.String()
    commune = fields.String()
    registered_at = fields.AwareDateTime()


class ListOrganisations(PageQuery):
    legal_form = fields.String(validate=validate.OneOf(LEGAL_FORMS))
    commune = fields.String(validate=validate.Length(min=1, max=120))


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


class Login(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = Password(required=True, load_only=True,
                        validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))


class RefreshTokenInput(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ChangePassword(Schema):
    current_password = Password(required=True, load_only=True,
                                validate=validate.Length(min=1, max=MAX_PASSWORD_LENGTH))
    new_password = Password(required=True, load_only=True, validate=validate.Length(
        min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH))


class Account(Schema):
    id = fields.String()
    email = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    organisation_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class OrganisationRegistered(Schema):
    organisation_id = fields.UUID(required=True)
    name = fields.String(required=True)
    legal_form = fields.String(required=True)
    siret = fields.String(required=True, allow_none=True)
    postal_code = fields.String(required=True)
    commune = fields.String(required=True)


ORGANISATION_REGISTERED = EventSpec(
    "members", "organisation_registered", 1, OrganisationRegistered,
    "An organisation was added to the cluster's register.",
)



class AccountCreated(Schema):
    account_id = fields.UUID(required=True)
    roles = fields.List(fields.String(), required=True)
    organisation_id = fields.UUID(required=True, allow_none=True)


ACCOUNT_CREATED = EventSpec(
    "members", "account_created", 1, AccountCreated,
    "Someone can now sign in, with these roles. No personal data travels.",
)

PUBLISHED_EVENTS = (ORGANISATION_REGISTERED, ACCOUNT_CREATED)
