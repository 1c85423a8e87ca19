"""Members: the register of the cluster's organisations, and the accounts that sign in."""
import uuid
from functools import lru_cache

import argon2
import sqlalchemy as sa
from eventlet import tpool
from sqlalchemy.exc import IntegrityError

from services.members import domain, models, schemas
from shared.database import get_or_not_found, upsertable_insert
from shared.errors import TOO_MANY_REQUESTS, UNAUTHENTICATED, DomainError, conflict, invalid
from shared.pagination import paginate
from shared.rpc import rpc
from shared.schemas import load
from shared.service import Database, ServiceBase
from shared.sqltypes import utcnow

INVALID_CREDENTIALS = DomainError(UNAUTHENTICATED, "invalid_credentials",
                                  "The email or the password is wrong.")
INVALID_REFRESH_TOKEN = DomainError(UNAUTHENTICATED, "invalid_refresh_token",
                                    "This refresh token is unknown, expired or revoked.")


class MembersService(ServiceBase):
    name = "members"
    db = Database(models.messaging)

    # --- organisations -----------------------------------------------------------------

    @rpc
    def register_organisation(self, payload):
        values = domain.new_organisation(load(schemas.RegisterOrganisation(), payload))
        try:
            with self.db() as uow:
                siret_taken = sa.select(models.Organisation.id).where(
                    models.Organisation.siret == values["siret"])
                if values["siret"] and uow.session.scalar(siret_taken):
                    raise _siret_taken(values["siret"])
                organisation = models.Organisation(**values)
                uow.session.add(organisation)
                uow.session.flush()
                uow.emit(schemas.ORGANISATION_REGISTERED, {
                    "organisation_id": organisation.id, "name": organisation.name,
                    "legal_form": organisation.legal_form, "siret": organisation.siret,
                    "postal_code": organisation.postal_code, "commune": organisation.commune,
                })
        except IntegrityError:  # a concurrent registration of the same SIRET won
            raise _siret_taken(values["siret"]) from None
        return schemas.Organisation().dump(organisation)

    @rpc
    def get_organisation(self, organisation_id):
        with self.db.read() as session:
            return schemas.Organisation().dump(
                get_or_not_found(session, models.Organisation, organisation_id, "organisation"))

    @rpc
    def list_organisations(self, query):
        params = load(schemas.ListOrganisations(), query)
        with self.db.read() as session:
            return paginate(session, models.Organisation, params,
                            created_at=models.Organisation.registered_at,
                            filters=("legal_form", "commune"), dump=schemas.Organisation().dump)

    # --- accounts ----------------------------------------------------------------------

    @rpc
    def sign_up(self, payload):
        """A citizen's own account: the only role one may give oneself."""
        return self._create_account(load(schemas.SignUp(), payload), ["citizen"], None)

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
        Failures are counted per email and per client, here, so that the limit holds
        across gateway replicas and restarts."""
        data = load(schemas.Login(), payload)
        email = domain.normalise_email(data["email"])
        keys = {f"email:{email}": domain.THROTTLES["email"],
                f"client:{client}": domain.THROTTLES["client"]}
        now = utcnow()
        with self.db.read() as session:
            for key, throttle in keys.items():
                failure = session.get(models.LoginFailure, key)
                wait = failure and domain.login_refused_for(
                    failure.failures, failure.window_started_at, now, throttle)
                if wait:
                    raise DomainError(TOO_MANY_REQUESTS, "too_many_login_attempts",
                                      "Too many failed logins: wait before trying again.",
                                      {"retry_after": wait})
            account = session.scalar(sa.select(models.Account).where(models.Account.email == email))
        verified = self._verify(account.password_hash if account else None, data["password"])
        with self.db() as uow:
            if not verified:
                for key, throttle in keys.items():
                    _count_failure(uow.session, key, now, throttle)
            else:
                uow.session.execute(sa.delete(models.LoginFailure).where(
                    models.LoginFailure.key == f"email:{email}"))
                token = _open_session(uow.session, account.id, family_id=None, now=now)
        if not verified:
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
                       == domain.refresh_token_digest(data["refresh_token"])))
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
                == domain.refresh_token_digest(data["refresh_token"])), utcnow())
        return {"revoked": True}

    @rpc
    def change_password(self, account_id, payload):
        """A new password closes every session of the account."""
        data = load(schemas.ChangePassword(), payload)
        with self.db.read() as session:
            account = get_or_not_found(session, models.Account, account_id, "account")
        if not self._verify(account.password_hash, data["current_password"]):
            raise invalid({"current_password": ["This is not the current password."]})
        domain.check_password(data["new_password"], account.email, field="new_password")
        new_hash = self._hash(data["new_password"])
        now = utcnow()
        with self.db() as uow:
            account = uow.session.get(models.Account, account_id, with_for_update=True)
            account.password_hash = new_hash
            account.password_changed_at = now
            _revoke(uow.session, models.RefreshToken.account_id == account_id, now)
        return schemas.Account().dump(account)

    def _create_account(self, data, roles, organisation_id):
        email = domain.normalise_email(data["email"])
        domain.check_password(data["password"], email)
        values = domain.new_account(data, roles, organisation_id, self._hash(data["password"]))
        try:
            with self.db() as uow:
                taken = sa.select(models.Account.id).where(models.Account.email == email)
                if uow.session.scalar(taken):
                    raise _email_taken()
                account = models.Account(**values)
                uow.session.add(account)
                uow.session.flush()
                uow.emit(schemas.ACCOUNT_CREATED, {
                    "account_id": account.id, "roles": account.roles,
                    "organisation_id": account.organisation_id})
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
    token, digest, expires_at = domain.new_refresh_token(now)
    session.add(models.RefreshToken(
        id=str(uuid.uuid4()), account_id=account_id, family_id=family_id or str(uuid.uuid4()),
        token_digest=digest, issued_at=now, expires_at=expires_at))
    return token


def _revoke(session, which, now):
    session.execute(sa.update(models.RefreshToken)
                    .where(which, models.RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=now))


def _count_failure(session, key, now, throttle):
    table = models.LoginFailure.__table__
    expired = table.c.window_started_at <= now - throttle.window
    insert = upsertable_insert(session, table).values(key=key, failures=1, window_started_at=now)
    session.execute(insert.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": sa.case((expired, 1), else_=table.c.failures + 1),
        "window_started_at": sa.case((expired, now), else_=table.c.window_started_at),
    }))


def _siret_taken(siret):
    return conflict("siret_already_registered",
                    f"An organisation with SIRET {siret} is already registered.", siret=siret)


def _email_taken():
    return conflict("email_already_registered", "An account with this email already exists.")
