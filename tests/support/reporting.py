"""Events of every kind reporting projects, valid for the publishers' current schemas,
and a story of the cluster told with them: to read in unit tests, to publish in
integration tests."""
import random
import uuid
from datetime import datetime, timezone

from services.funding import schemas as funding
from services.members import schemas as members
from services.projects import schemas as projects
from shared.envelope import make_envelope

UTC = timezone.utc


def new_id() -> str:
    return str(uuid.uuid4())


def at(year, month=6, day=15, hour=12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


class Event:
    """An event to publish: its specification, data and when it occurred."""

    def __init__(self, spec, data, occurred_at=None):
        self.spec, self.data = spec, data
        self.occurred_at = occurred_at or datetime.now(UTC)
        self._envelope = None

    @property
    def type(self):
        return self.spec.type

    def envelope(self):
        """Its envelope, the same each time (one event id): sent twice, it is a redelivery."""
        if self._envelope is None:
            self._envelope = make_envelope(self.spec, self.data, "corr-reporting")
            self._envelope["occurred_at"] = self.occurred_at.isoformat()
        return self._envelope

    def read(self):
        """The data as reporting reads it (EventSpec.read): ids, dates and times typed."""
        return self.spec.read(self.data)


# --- members -------------------------------------------------------------------------

def organisation_registered(organisation_id, legal_form="association", territory="dombes",
                            when=None):
    return Event(members.ORGANISATION_REGISTERED, {
        "organisation_id": organisation_id, "name": f"Structure {organisation_id[:4]}",
        "legal_form": legal_form, "siret": None, "siren": None, "postal_code": "01400",
        "commune": "Châtillon-sur-Chalaronne", "territory": territory, "sector": None,
        "headcount_fte": 3.5}, when)


def organisation_updated(organisation_id, version, legal_form="association",
                         territory="dombes", when=None):
    registered = organisation_registered(organisation_id, legal_form, territory).data
    return Event(members.ORGANISATION_UPDATED, {
        **registered, "version": version, "changed": ["legal_form", "territory"]}, when)


def _membership(membership_id, organisation_id, year, circle):
    return {"membership_id": membership_id, "organisation_id": organisation_id, "year": year,
            "circle": circle}


def membership_applied(membership_id, organisation_id, year, circle="core"):
    return Event(members.MEMBERSHIP_APPLIED, {
        **_membership(membership_id, organisation_id, year, circle), "dues_cents": 5000},
        at(year, 1, 10))


def membership_renewed(membership_id, organisation_id, year, circle="core"):
    return Event(members.MEMBERSHIP_RENEWED, {
        **_membership(membership_id, organisation_id, year, circle), "dues_cents": 5000,
        "previous_membership_id": new_id()}, at(year - 1, 12, 1))


def membership_moved(membership_id, organisation_id, year, from_status, to_status,
                     circle="core", when=None):
    when = when or at(year, 2, 1)
    return Event(members.MEMBERSHIP_STATUS_CHANGED, {
        **_membership(membership_id, organisation_id, year, circle),
        "from_status": from_status, "to_status": to_status, "changed_at": when.isoformat(),
        "by": "calendar"}, when)


def dues_paid(membership_id, organisation_id, year, amount_cents):
    return Event(members.DUES_PAID, {
        "payment_id": new_id(), "membership_id": membership_id,
        "organisation_id": organisation_id, "year": year, "amount_cents": amount_cents,
        "paid_on": f"{year}-02-01"}, at(year, 2, 1))


def mutualisation_invoiced(organisation_id, year, month, total_cents):
    return Event(members.MUTUALISATION_INVOICED, {
        "invoice_id": new_id(), "organisation_id": organisation_id, "year": year,
        "month": month, "total_cents": total_cents}, at(year, month, 28))


def service_added(service_id, fte_carried):
    return Event(members.MUTUALISED_SERVICE_ADDED, {
        "service_id": service_id, "name": f"Service {service_id[:4]}",
        "fte_carried": fte_carried, "pricing": "monthly", "price_cents": 20000}, at(2015, 1, 5))


def subscription_started(subscription_id, organisation_id, service_id, starts_on,
                         ends_on=None):
    return Event(members.SUBSCRIPTION_STARTED, {
        "subscription_id": subscription_id, "organisation_id": organisation_id,
        "service_id": service_id, "hours_per_month": None, "starts_on": starts_on,
        "ends_on": ends_on}, at(int(starts_on[:4]), 1, 2))


def subscription_ended(subscription_id, organisation_id, service_id, ends_on, when=None):
    return Event(members.SUBSCRIPTION_ENDED, {
        "subscription_id": subscription_id, "organisation_id": organisation_id,
        "service_id": service_id, "ends_on": ends_on}, when or at(int(ends_on[:4]), 1, 3))


# --- projects ------------------------------------------------------------------------

def project_submitted(project_id, territory="dombes", year=2020, stage="idea"):
    return Event(projects.PROJECT_SUBMITTED, {
        "project_id": project_id, "title": f"Projet {project_id[:4]}",
        "field": "circular_economy", "commune": "Villars-les-Dombes", "territory": territory,
        "stage": stage, "carrier_organisation_id": None}, at(year, 3, 1))


def stage_changed(project_id, from_stage, to_stage, when):
    return Event(projects.PROJECT_STAGE_CHANGED, {
        "project_id": project_id, "from_stage": from_stage, "to_stage": to_stage,
        "changed_at": when.isoformat(), "by": "animator", "reason": None}, when)


def support_given(project_id, hours, given_on):
    return Event(projects.SUPPORT_GIVEN, {
        "session_id": new_id(), "project_id": project_id, "kind": "mentoring",
        "hours": hours, "given_on": given_on}, at(int(given_on[:4]), 7, 1))


def support_corrected(project_id, hours, given_on, previous_hours, previous_given_on):
    return Event(projects.SUPPORT_CORRECTED, {
        "session_id": new_id(), "project_id": project_id, "kind": "mentoring",
        "hours": hours, "given_on": given_on, "previous_hours": previous_hours,
        "previous_given_on": previous_given_on, "version": 2, "reason": "erreur de saisie",
        "by": new_id()}, at(int(given_on[:4]), 8, 1))


def jobs_corrected(report, created_fte, consolidated_fte, when):
    """A staff correction of the report `report` (a jobs_reported Event)."""
    return Event(projects.JOBS_CORRECTED, {
        **report.data, "created_fte": created_fte, "consolidated_fte": consolidated_fte,
        "version": 2, "changed": ["created_fte_hundredths"], "reason": "erreur de saisie",
        "by": new_id()}, when)


def jobs_reported(project_id, reported_on, created_fte, consolidated_fte, when=None):
    return Event(projects.JOBS_REPORTED, {
        "report_id": new_id(), "project_id": project_id, "reported_on": reported_on,
        "created_fte": created_fte, "consolidated_fte": consolidated_fte,
        "insertion_fte": 0.0}, when or at(int(reported_on[:4]), 12, 31))


def enterprise_created(project_id, created_on):
    return Event(projects.ENTERPRISE_CREATED, {
        "enterprise_id": new_id(), "project_id": project_id, "name": "Entreprise",
        "legal_form": "scic", "siren": "732829320", "created_on": created_on},
        at(int(created_on[:4]), 9, 1))


# --- funding -------------------------------------------------------------------------

def campaign_decided(project_id, succeeded, decided_at, kind="donation", model="keep_it_all"):
    return Event(funding.CAMPAIGN_SUCCEEDED if succeeded else funding.CAMPAIGN_FAILED, {
        "campaign_id": new_id(), "project_id": project_id, "kind": kind, "model": model,
        "goal_cents": 100_000, "raised_cents": 0, "matched_cents": 0,
        "contributions_count": 0, "new_members": 0, "decided_at": decided_at.isoformat()},
        decided_at)


def _contribution(contribution_id, project_id, amount_cents, when, kind, model, status):
    return {"contribution_id": contribution_id, "campaign_id": new_id(),
            "project_id": project_id, "kind": kind, "model": model, "channel": "online",
            "amount_cents": amount_cents, "status": status, "at": when.isoformat()}


def contribution_confirmed(contribution_id, project_id, amount_cents, confirmed_at,
                           account_id=None, matched_cents=0, kind="donation",
                           model="keep_it_all"):
    return Event(funding.CONTRIBUTION_CONFIRMED, {
        **_contribution(contribution_id, project_id, amount_cents, confirmed_at, kind, model,
                        "captured"),
        "matched_cents": matched_cents, "contributor_account_id": account_id,
        "confirmed_at": confirmed_at.isoformat()}, confirmed_at)


ENDED = {"cancelled": funding.CONTRIBUTION_CANCELLED, "failed": funding.CONTRIBUTION_FAILED,
         "refunded": funding.CONTRIBUTION_REFUNDED}


def contribution_ended(how, contribution_id, project_id, amount_cents, when, was_counted=True,
                       matched_cents=0, kind="donation", model="keep_it_all"):
    return Event(ENDED[how], {
        **_contribution(contribution_id, project_id, amount_cents, when, kind, model, how),
        "was_counted": was_counted, "matched_cents": matched_cents if was_counted else 0,
        "reason": None}, when)


def resource_recorded(kind, amount_cents, year, project_id=None, funder=None,
                      funder_type=None):
    return Event(funding.RESOURCE_RECORDED, {
        "resource_id": new_id(), "kind": kind, "amount_cents": amount_cents, "year": year,
        "project_id": project_id, "funder": funder, "funder_type": funder_type,
        "programme": None}, at(year, 10, 1))


def volunteering_recorded(hours_hundredths, year, project_id=None, hour_value_cents=1202):
    return Event(funding.VOLUNTEERING_RECORDED, {
        "volunteering_id": new_id(), "hours_hundredths": hours_hundredths,
        "done_on": f"{year}-05-01", "year": year, "activity": "Chantier",
        "project_id": project_id, "hour_value_cents": hour_value_cents,
        "valued_cents": (hours_hundredths * hour_value_cents + 50) // 100}, at(year, 5, 2))


# --- a story -------------------------------------------------------------------------

def cluster_story(seed=7):
    """Events of every kind, with the awkward cases: a refund, a cancellation and a
    failure of counted contributions, a grant that brings a project into a funder's view
    after its contributions, corrected job reports, a lapsed membership, a subscription
    ended twice. Returned in a shuffled order, with some events twice."""
    rng = random.Random(seed)
    events = []
    organisations = [new_id() for _ in range(6)]
    forms = ("association", "scop", "scic")
    territories = ("dombes", "val_de_saone", "cotiere")
    services = [new_id(), new_id()]
    events += [service_added(services[0], 2.5), service_added(services[1], 1.25)]
    for index, organisation in enumerate(organisations):
        events.append(organisation_registered(organisation, forms[index % 3],
                                              territories[index % 3]))
        for year in (2024, 2025):
            membership = new_id()
            events.append(membership_applied(membership, organisation, year,
                                             ("core", "project")[index % 2]))
            events.append(membership_moved(membership, organisation, year, "applied", "active",
                                           ("core", "project")[index % 2]))
            events.append(dues_paid(membership, organisation, year, 5000 + index))
        if index % 2 == 0:
            subscription = new_id()
            events.append(subscription_started(subscription, organisation,
                                               services[index % 4 // 2], "2024-03-01"))
            if index == 2:
                events.append(subscription_ended(subscription, organisation, services[1],
                                                 "2026-12-31", at(2025, 1, 1)))
                events.append(subscription_ended(subscription, organisation, services[1],
                                                 "2024-12-31", at(2025, 2, 1)))
            events.append(mutualisation_invoiced(organisation, 2024, 4, 20000))
    lapsed = new_id()
    events += [membership_applied(lapsed, organisations[0], 2026),
               membership_moved(lapsed, organisations[0], 2026, "applied", "active"),
               membership_moved(lapsed, organisations[0], 2026, "active", "lapsed",
                                when=at(2026, 3, 1))]

    project_ids = [new_id() for _ in range(4)]
    accounts = [new_id() for _ in range(5)]
    for index, project in enumerate(project_ids):
        year = 2020 + index
        events.append(project_submitted(project, territories[index % 3], year))
        events.append(stage_changed(project, "idea", "emergence", at(year, 5, 1)))
        events.append(support_given(project, 12.5, f"{year}-06-01"))
        events.append(jobs_reported(project, f"{year}-12-31", 1.5, 0.5))
        events.append(jobs_reported(project, f"{year + 1}-06-30", 3, 2, at(year + 1, 7, 1)))
        events.append(jobs_reported(project, f"{year + 1}-06-30", 2.75, 2, at(year + 1, 7, 2)))
        if index < 2:
            events.append(stage_changed(project, "emergence", "incubation", at(year, 9, 1)))
            events.append(enterprise_created(project, f"{year + 1}-02-01"))
            events.append(stage_changed(project, "incubation", "launched", at(year + 1, 2, 2)))
        events.append(campaign_decided(project, index != 3, at(year, 11, 1),
                                       ("donation", "loan")[index % 2],
                                       ("keep_it_all", "all_or_nothing")[index % 2]))
        for number in range(6):
            contribution = new_id()
            when = at(year, 10, 1 + number)
            events.append(contribution_confirmed(
                contribution, project, 1000 * (number + 1), when,
                accounts[(index + number) % len(accounts)] if number != 5 else None,
                matched_cents=500 if number == 0 else 0,
                kind=("donation", "loan")[index % 2],
                model=("keep_it_all", "all_or_nothing")[index % 2]))
            if number in (1, 2, 3):
                events.append(contribution_ended(
                    ("refunded", "cancelled", "failed")[number - 1], contribution, project,
                    1000 * (number + 1), at(year + 1, 1, 5), was_counted=number != 3,
                    kind=("donation", "loan")[index % 2],
                    model=("keep_it_all", "all_or_nothing")[index % 2]))
        events.append(resource_recorded("grant", 1_500_000 + index, year, project,
                                        ("Région Auvergne-Rhône-Alpes", "Fondation Macif")
                                        [index % 2], ("public", "private")[index % 2]))
        events.append(volunteering_recorded(4000, year, project))
    events += [resource_recorded("sale", 250_000, 2021), resource_recorded("mutualisation",
                                                                           80_000, 2021),
               resource_recorded("grant", 3_000_000, 2021, None, "Région  auvergne-Rhône-Alpes",
                                 "public"),
               volunteering_recorded(12_050, 2021)]
    rng.shuffle(events)
    return events + rng.sample(events, 8)

