"""Members: the register of the cluster's organisations."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.members import domain, models, schemas
from shared.database import get_or_not_found
from shared.errors import conflict
from shared.rpc import rpc
from shared.schemas import load
from shared.service import Database, ServiceBase


class MembersService(ServiceBase):
    name = "members"
    db = Database(models.messaging)

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


def _siret_taken(siret):
    return conflict("siret_already_registered",
                    f"An organisation with SIRET {siret} is already registered.", siret=siret)
