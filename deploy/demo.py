"""Load the demo data set (deploy/demo_data.py) through the public HTTP API, as staff and
as citizens would, never by writing database rows; then say what was loaded and the
figures to expect.

    python -m deploy.demo --url http://127.0.0.1:8000 --email ops@dombinnov.fr \\
        --password ...                # an account with the animator and operator roles
    make demo                         # against `make run`, with a demo operator account

Loading again finds what is there and adds only what is missing: organisations by
SIRET, projects and campaigns by title, resources, volunteering and job reports by their
content, subscriptions from the event archive (the members API lists none). Citizens'
payments go through the payment provider's payer page, as a browser would.
"""
import argparse
import getpass
import itertools
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from deploy import demo_data as data

DEMO_OPERATOR_EMAIL = "operateur-demo@dombinnov.fr"
PAID = ("authorized", "captured")  # a contribution whose payer confirmed
STAGE_ORDER = ("idea", "emergence", "incubation")


class ApiError(Exception):
    def __init__(self, method, path, response):
        self.status = response.status_code
        try:
            problem = response.json()
        except ValueError:
            problem = {"detail": response.text[:300]}
        self.code = problem.get("code")
        errors = problem.get("errors") or []
        super().__init__(
            f"{method} {path} answered {self.status} {self.code or ''}: "
            f"{problem.get('detail') or problem.get('title') or ''}"
            + (f" {json.dumps(errors, ensure_ascii=False)}" if errors else ""))


class Api:
    """The gateway's JSON API, and the payment provider's payer page."""

    def __init__(self, base_url, timeout=20.0):
        self.root = base_url.rstrip("/") + "/api/v1"
        self.timeout = timeout
        self.calls = itertools.count()
        self.http = requests.Session()
        # A kept-alive connection closed by the server as it is reused never reached the
        # app: retry those; an answer, whatever its status, is never retried.
        adapter = HTTPAdapter(pool_maxsize=Loader.WORKERS, max_retries=Retry(
            total=3, connect=3, read=2, status=0, other=0, allowed_methods=None,
            backoff_factor=0.2, raise_on_status=False))
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)

    def request(self, method, path, body=None, *, who=None, key=None, params=None,
                ok=(200, 201)):
        for attempt in (1, 2):
            headers = {"Idempotency-Key": key} if key else {}
            if who is not None:
                headers.update(who.headers())
            response = self.http.request(method, self.root + path, json=body, params=params,
                                         headers=headers, timeout=self.timeout)
            next(self.calls)
            if response.status_code == 401 and who is not None and attempt == 1:
                who.login()  # an access token lasts 15 minutes
                continue
            if response.status_code not in ok:
                raise ApiError(method, path, response)
            return response.json() if response.content else None

    def get(self, path, who=None, **params):
        return self.request("GET", path, who=who, params=params or None)

    def post(self, path, body=None, who=None, key=None, ok=(200, 201)):
        return self.request("POST", path, body, who=who, key=key, ok=ok)

    def items(self, path, who=None, **params):
        """Every item of a paged list."""
        params = {"limit": 100, **params}
        while True:
            page = self.get(path, who, **params)
            yield from page["items"]
            if not page.get("next_cursor"):
                return
            params["cursor"] = page["next_cursor"]

    def pay(self, payment_url):
        """The payer presses « Payer » on the provider's page: True once it is paid."""
        response = self.http.post(payment_url, data={"decision": "confirm"},
                                  allow_redirects=False, timeout=self.timeout)
        next(self.calls)
        return response.status_code in (200, 303)


class Account:
    """Someone signed in: their access token, renewed when it expires."""

    def __init__(self, api, email, password):
        self.api, self.email, self.password = api, email, password
        self.token = None
        self.login()

    def login(self):
        answer = self.api.post("/auth/login", {"email": self.email, "password": self.password})
        self.token = answer["access_token"]
        self.profile = answer["account"]

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


class Loader:
    """Loads each part of the data set, finding first what is there already. Items that
    don't depend on each other (organisations, projects, resources...) are loaded side
    by side, by WORKERS threads."""

    WORKERS = 8

    def __init__(self, api, staff, staff_password, today, say=print):
        self.api, self.staff, self.staff_password = api, staff, staff_password
        self.today, self.year, self.say = today, today.year, say
        self.created, self.found = Counter(), Counter()
        self.organisations, self.services, self.projects, self.campaigns = {}, {}, {}, {}
        self.citizens = {}
        self.paid_cents = Counter()
        self.volunteering_cents = self.invoices = self.invoiced_cents = 0
        self.warnings = []
        self.lock = threading.Lock()

    def tally(self, what, created, count=1):
        with self.lock:
            (self.created if created else self.found)[what] += count

    def each(self, load, items):
        """load(item) for every item, side by side; the first error stops the loading."""
        with ThreadPoolExecutor(self.WORKERS) as pool:
            return list(pool.map(load, items))

    def run(self):
        steps = (self.load_organisations, self.load_memberships, self.load_services,
                 self.load_subscriptions, self.load_invoices, self.load_projects,
                 self.load_resources, self.load_volunteering, self.load_campaigns,
                 self.load_contributions)
        for step in steps:
            started = time.monotonic()
            step()
            self.say(f"  {step.__name__.removeprefix('load_'):<14} "
                     f"{time.monotonic() - started:5.1f} s", flush=True)

    # --- members --------------------------------------------------------------------

    def load_organisations(self):
        known = {o["siret"]: o for o in self.api.items("/organisations", self.staff)}

        def load(key):
            org, siret = data.ORGANISATIONS[key], data.siret(key)
            organisation = known.get(siret)
            self.tally("organisations", organisation is None)
            if organisation is None:
                organisation = self.api.post("/organisations", {
                    "name": org.name, "legal_form": org.legal_form, "siret": siret,
                    "street": org.street, "postal_code": org.postal_code,
                    "commune": org.commune, "territory": org.territory, "sector": org.sector,
                    "headcount_fte": org.headcount_fte}, self.staff)
            return key, organisation["id"]
        self.organisations.update(self.each(load, data.ORGANISATIONS))

    def load_memberships(self):
        self.each(self._membership, data.ORGANISATIONS)

    def _membership(self, key):
        """This year's membership, in its circle, active, its dues paid."""
        org, organisation_id = data.ORGANISATIONS[key], self.organisations[key]
        mine = {m["year"]: m for m in self.api.get(
            f"/organisations/{organisation_id}/memberships", self.staff)["items"]}
        membership = mine.get(self.year)
        self.tally("memberships", membership is None)
        if membership is None:
            membership = self.api.post(f"/organisations/{organisation_id}/memberships",
                                       {"year": self.year, "circle": org.circle}, self.staff)
        if membership["status"] == "applied":
            membership = self.api.post(f"/memberships/{membership['id']}/status", {
                "status": "active", "reason": "Adhésion votée par le conseil d'administration"},
                self.staff)
        elif membership["status"] == "resigned":
            self.warnings.append(f"{org.name} has resigned its {self.year} membership")
        due = membership["dues_cents"] - membership["paid_cents"]
        if due > 0:
            self.api.post(f"/memberships/{membership['id']}/payments", {
                "amount_cents": due, "method": "transfer",
                "paid_on": min(date(self.year, 2, 15), self.today).isoformat(),
                "reference": f"Cotisation {self.year}"}, self.staff,
                key=f"demo-dues-{membership['id']}-{membership['paid_cents']}")
            self.tally("dues payments", True)

    def load_services(self):
        known = {s["name"]: s for s in self.api.get("/mutualised-services")["items"]}
        for key, service in data.MUTUALISED_SERVICES.items():
            found = known.pop(service.name, None)
            self.tally("services", found is None)
            if found is None:
                found = self.api.post("/mutualised-services", service._asdict(), self.staff)
            self.services[key] = found["id"]
        if known:
            self.warnings.append(f"the catalogue holds other services ({', '.join(known)}): "
                                 "the FTE carried will not be 9")

    def _subscriptions_known(self):
        """(organisation, service) pairs subscribed already, from the event archive; None
        when there is no archive to read."""
        try:
            return {(e["data"]["organisation_id"], e["data"]["service_id"])
                    for e in self.api.items("/reports/events", self.staff,
                                            type="members.subscription_started")}
        except ApiError as error:
            if error.status in (404, 503):
                return None
            raise

    def load_subscriptions(self):
        known = self._subscriptions_known()
        wanted = [(self.organisations[org], self.services[service], hours)
                  for org, subscriptions in data.SUBSCRIPTIONS.items()
                  for service, hours in subscriptions]
        if known is None:  # no archive: trust the summary, all or nothing
            summary = self.api.get("/mutualisation/summary", self.staff)
            everyone = summary["subscribers"] >= data.EXPECTED_SUBSCRIBERS
            known = {(org, service) for org, service, _ in wanted} if everyone else set()

        def load(subscription):
            organisation_id, service_id, hours = subscription
            new = (organisation_id, service_id) not in known
            self.tally("subscriptions", new)
            if new:
                self.api.post(f"/organisations/{organisation_id}/subscriptions", {
                    "service_id": service_id, "hours_per_month": hours,
                    "starts_on": date(self.year, 1, 1).isoformat()}, self.staff)
        self.each(load, wanted)

    def load_invoices(self):
        """This year's mutualisation fees, month by month up to this one (a month is
        invoiced once, however often one asks)."""
        for month in range(1, self.today.month + 1):
            invoices = self.api.post("/mutualisation/invoices",
                                     {"year": self.year, "month": month}, self.staff,
                                     key=f"demo-invoices-{self.year}-{month}")["items"]
            self.invoices += len(invoices)
            self.invoiced_cents += sum(invoice["total_cents"] for invoice in invoices)

    # --- projects -------------------------------------------------------------------

    def load_projects(self):
        known = {p["title"]: p for p in self.api.items("/projects")}
        self.projects.update(self.each(lambda year: (year, self._enterprise_project(
            known, year)), data.enterprise_years(self.year)))
        self.projects.update(self.each(lambda title: (title, self._pipeline_project(
            known, title)), data.PIPELINE_PROJECTS))

    def _project(self, known, title, summary, field, commune, territory, carrier):
        """The project's id and its file, submitted first if need be."""
        project = known.get(title)
        self.tally("projects", project is None)
        if project is None:
            project = self.api.post("/projects", {
                "title": title, "summary": summary, "field": field, "commune": commune,
                "territory": territory, "animator_account_id": self.staff.profile["id"],
                **({"carrier_organisation_id": self.organisations[carrier]}
                   if carrier in data.ORGANISATIONS else {"founders": carrier})}, self.staff)
        return project["id"], self.api.get(f"/projects/{project['id']}/file", self.staff)

    def _enterprise_project(self, known, year):
        """A project through the pipeline to the enterprise it created in `year`, with its
        partners, the support it was given, and its job reports."""
        project = data.ENTERPRISE_PROJECTS[year]
        project_id, file = self._project(known, *project[:6])
        partners = {p["organisation_id"] for p in file["partners"]}
        for org, circle, formalisation, role in project.partners:
            if self.organisations[org] not in partners:
                self.api.post(f"/projects/{project_id}/partners", {
                    "organisation_id": self.organisations[org], "circle": circle,
                    "formalisation": formalisation, "role": role, "shown_publicly": True},
                    self.staff)
                self.tally("partners", True)
        self._support(project_id, file, [
            ("diagnostic", min(date(year - 1, 10, 1), self.today), 6),
            ("business_plan", min(date(year, 1, 20), self.today), 14.5)])
        self.tally("enterprises", file["enterprise"] is None)
        stage = file["stage"]
        if file["enterprise"] is None:
            self._move(project_id, stage, "incubation")
            self.api.post(f"/projects/{project_id}/enterprise",
                          data.enterprise_of(year, self.today), self.staff)
            stage = "launched"
        if stage == "launched" and year <= self.year - data.CONSOLIDATED_STAGE_AFTER_YEARS:
            self.api.post(f"/projects/{project_id}/stage", {"stage": "consolidated"},
                          self.staff)
        reported = {r["reported_on"] for r in file["job_reports"]}
        for report in data.job_reports(year, self.today):
            new = report["reported_on"].isoformat() not in reported
            self.tally("job reports", new)
            if new:
                self.api.post(f"/projects/{project_id}/job-reports", {
                    "reported_on": report["reported_on"].isoformat(),
                    **{name: report[name] / 100 for name in (
                        "created_fte", "consolidated_fte", "insertion_fte")}}, self.staff)
        return project_id

    def _pipeline_project(self, known, title):
        summary, field, commune, territory, carrier, stage = data.PIPELINE_PROJECTS[title]
        project_id, file = self._project(known, title, summary, field, commune, territory,
                                         carrier)
        self._support(project_id, file, [
            ("diagnostic", min(date(self.year, 1, 10), self.today), 4)])
        self._move(project_id, file["stage"], stage)
        return project_id

    def _move(self, project_id, current, stage):
        """Forward, one stage at a time, from `current` up to `stage`."""
        while current in STAGE_ORDER and STAGE_ORDER.index(current) < STAGE_ORDER.index(stage):
            current = STAGE_ORDER[STAGE_ORDER.index(current) + 1]
            self.api.post(f"/projects/{project_id}/stage", {"stage": current}, self.staff)

    def _support(self, project_id, file, sessions):
        done = {(s["kind"], s["given_on"]) for s in file["support"]}
        for kind, given_on, hours in sessions:
            if (kind, given_on.isoformat()) not in done:
                self.api.post(f"/projects/{project_id}/support", {
                    "kind": kind, "hours": hours, "given_on": given_on.isoformat(),
                    "given_by": data.SUPPORT_GIVEN_BY}, self.staff)
                self.tally("support sessions", True)

    # --- resources ------------------------------------------------------------------

    def _project_id(self, project):
        return None if project is None else self.projects[project]

    def load_resources(self):
        known = Counter((r["kind"], r["year"], r["project_id"], r["funder"], r["description"])
                        for r in self.api.items("/resources", self.staff))
        missing = []
        for resource in data.RESOURCES:
            key = (resource.kind, resource.year, self._project_id(resource.project),
                   resource.funder, resource.description)
            self.tally("resources", not known[key])
            if known[key]:
                known[key] -= 1
            else:
                missing.append(resource)
        self.each(lambda resource: self.api.post("/resources", {
            "kind": resource.kind, "amount_cents": resource.euros * 100,
            "year": resource.year, "project_id": self._project_id(resource.project),
            "funder": resource.funder, "funder_type": resource.funder_type,
            "programme": resource.programme, "description": resource.description},
            self.staff), missing)

    def load_volunteering(self):
        known = {}
        for item in self.api.items("/volunteering", self.staff):
            known.setdefault((item["done_on"], item["activity"], item["project_id"]),
                             []).append(item)
        valued, missing = [], []
        for item in data.VOLUNTEERING:
            key = (item.done_on.isoformat(), item.activity, self._project_id(item.project))
            found = known.get(key)
            self.tally("volunteering", not found)
            if found:
                valued.append(found.pop())
            else:
                missing.append(key + (item.hours,))
        valued += self.each(lambda item: self.api.post("/volunteering", {
            "done_on": item[0], "activity": item[1], "project_id": item[2],
            "hours": item[3]}, self.staff), missing)
        self.volunteering_cents = sum(item["valued_cents"] for item in valued)

    # --- crowdfunding ---------------------------------------------------------------

    def load_campaigns(self):
        carrier, purpose = data.DONATION_BENEFICIARY
        org = data.ORGANISATIONS[carrier]
        self.api.request("PUT", f"/organisations/{self.organisations[carrier]}/beneficiary", {
            "legal_name": org.name, "siren": data.siren(carrier),
            "address": f"{org.street}, {org.postal_code} {org.commune}", "purpose": purpose,
            "receipt_eligible": True, "signatory_name": data.DONATION_SIGNATORY[0],
            "signatory_capacity": data.DONATION_SIGNATORY[1]}, who=self.staff)
        deadline = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(
            days=data.CAMPAIGN_DAYS)
        for key, campaign in data.CAMPAIGNS.items():
            project_id = self.projects[campaign.project]
            # As staff: a draft left by an interrupted run is found, not drafted twice.
            known = {c["title"]: c for c in self.api.items("/campaigns", self.staff,
                                                            project_id=project_id)}
            found = known.get(campaign.fields["title"])
            self.tally("campaigns", found is None)
            if found is None:
                body = {**campaign.fields, "project_id": project_id,
                        "deadline": deadline.isoformat()}
                if "key_information" in body:
                    body["key_information"] = {
                        **body["key_information"], "deadline": deadline.date().isoformat(),
                        "issuer_siren": data.siren("energies-dombes")}
                found = self.api.post("/campaigns", body, self.staff)
            if found["status"] == "draft":
                found = self.api.post(f"/campaigns/{found['id']}/submit", None, self.staff)
            if found["status"] == "in_review":
                found = self.api.post(f"/campaigns/{found['id']}/approve", None, self.staff)
            self.campaigns[key] = found

    def _citizen(self, key):
        """A demo citizen, signed up the first time, signed in."""
        name = data.CITIZENS[key][0]
        email = data.citizen_email(key)
        password = data.citizen_password(self.staff_password, email)
        try:
            self.api.post("/auth/signup", {"email": email, "password": password,
                                           "display_name": name})
            self.tally("citizens", True)
        except ApiError as error:
            if error.status != 409:
                raise
            self.tally("citizens", False)
        try:
            return key, Account(self.api, email, password)
        except ApiError as error:
            raise SystemExit(f"The demo citizen {email} exists with another password: was "
                             "the demo loaded with another staff password?") from error

    def _investor(self, who):
        """The knowledge test passed and the loss simulated, before any investment."""
        profile = self.api.get("/investor/profile", who)
        if not profile["knowledge_test_valid"]:
            result = self.api.post("/investor/knowledge-test",
                                   {"answers": data.KNOWLEDGE_TEST_ANSWERS}, who)
            if not result["passed"]:
                raise SystemExit(f"The demo investor failed the knowledge test: {result}")
        if profile["loss_simulated_at"] is None:
            self.api.post("/investor/loss-simulation",
                          {"net_worth_cents": data.INVESTOR_NET_WORTH_CENTS}, who)

    def load_contributions(self):
        self.citizens.update(self.each(self._citizen, data.CITIZENS))
        investors = {citizen for key, campaign in data.CAMPAIGNS.items()
                     if self.campaigns[key]["kind"] in ("loan", "shares")
                     for citizen, _, _ in campaign.contributions}
        self.each(lambda citizen: self._investor(self.citizens[citizen]), sorted(investors))
        self.each(self._contribute, [(key, index, contribution)
                                     for key, campaign in data.CAMPAIGNS.items()
                                     for index, contribution in
                                     enumerate(campaign.contributions)])

    def _contribute(self, planned):
        """A citizen's contribution, paid on the provider's payer page, until the
        provider's webhook has told funding so."""
        key, index, (citizen, euros, reward) = planned
        live, who = self.campaigns[key], self.citizens[citizen]
        name, (first_name, last_name, street, postal_code, commune) = data.CITIZENS[citizen]
        body = {"amount_cents": euros * 100, "contributor_name": name, "public": True}
        if live["kind"] == "donation":
            body["tax_receipt"] = {"first_name": first_name, "last_name": last_name,
                                   "street": street, "postal_code": postal_code,
                                   "commune": commune}
        if reward is not None:
            body["reward_id"] = live["rewards"][reward]["id"]
        if live["kind"] in ("loan", "shares"):
            body["acknowledgements"] = {"risk_warning_accepted": True,
                                        "key_information_read": True,
                                        "large_investment_consent": True,
                                        "understanding_confirmed": True}
        contribution = self.api.post(f"/campaigns/{live['id']}/contributions", body, who,
                                     key=f"demo-{live['id']}-{index}")
        self.tally("contributions", contribution["status"] == "pending")
        if contribution["status"] == "pending" and contribution["payment_url"]:
            if not self.api.pay(contribution["payment_url"]):
                self.warnings.append(f"the provider did not take the payment of contribution "
                                     f"{contribution['id']}")
                return
        deadline = time.monotonic() + 60
        while True:
            state = self.api.get(f"/contributions/{contribution['id']}", who)
            if state["status"] in PAID:
                with self.lock:
                    self.paid_cents[key] += state["amount_cents"]
                return
            if state["status"] != "pending" or time.monotonic() > deadline:
                self.warnings.append(f"contribution {state['id']} is {state['status']}")
                return
            time.sleep(0.2)


# --- the summary ----------------------------------------------------------------------

def fte(hundredths):
    """A number of hundredths (cents, FTE, hours) written the French way: 1 234,50."""
    return f"{hundredths / 100:,.2f}".replace(",", " ").replace(".", ",")


def euros(cents):
    return f"{fte(cents)} €"


def _cents(resources):
    """What some of the data set's resources add up to, in cents."""
    return sum(resource.euros for resource in resources) * 100


def read_reports(api, staff, expected, year, wait_seconds):
    """The key figures as the reports read them, once reporting has caught up (or as
    they are after `wait_seconds`); None without reports."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            members = api.get("/reports/members", staff, from_year=year, to_year=year)
            incubation = api.get("/reports/incubation", staff)["totals"]
            resources = api.get("/reports/resources", staff)["totals"]
        except ApiError as error:  # no reports (404), or reporting away (503)
            if error.status == 404 or time.monotonic() > deadline:
                return None
            if error.status != 503:
                raise
            time.sleep(0.5)
            continue
        this_year = members["items"][0] if members["items"] else {}
        figures = {
            "active_members": this_year.get("active_members", 0),
            "members_using_services": this_year.get("members_using_services", 0),
            "mutualised_fte": this_year.get("mutualised_fte", 0),
            "enterprises_total": incubation["enterprises_total"],
            "jobs_consolidated_fte_total": incubation["jobs_consolidated_fte_total"],
            "jobs_created_fte_total": incubation["jobs_created_fte_total"],
            "resources": resources}
        caught_up = (
            figures["active_members"] >= expected["members"]
            and figures["enterprises_total"] >= expected["enterprises"]
            and figures["jobs_consolidated_fte_total"] * 100
            >= expected["jobs_consolidated_hundredths"]
            and resources["crowdfunding_cents"] >= expected["crowdfunding_cents"])
        if caught_up or time.monotonic() > deadline:
            return {**figures, "caught_up": caught_up}
        time.sleep(0.5)


def summary(loader, expected, reports, elapsed, say=print):
    year = loader.year
    created = ", ".join(f"{what} {count}" for what, count in loader.created.items()) or "—"
    found = ", ".join(f"{what} {count}" for what, count in loader.found.items()) or "—"
    circles = ", ".join(f"{data.CIRCLE_LABELS[c]} {n}" for c, n in expected["circles"].items())
    money = expected["resources_cents"]
    lines = [
        "",
        f"Données de démonstration Domb'Innov chargées / demo data loaded ({year}), "
        f"{elapsed:.1f} s, {next(loader.api.calls)} requêtes HTTP / HTTP requests",
        f"  créé / created:            {created}",
        f"  déjà là / already there:   {found}",
        "",
        "Chiffres clés attendus / key figures expected:",
        f"  adhérents {year} / members:                         {expected['members']} "
        f"({circles})",
        f"  utilisant des services mutualisés / using them:    {expected['subscribers']}",
        f"  ETP portés par ces services / FTE they carry:      {fte(expected['fte_hundredths'])}",
        f"  entreprises sociales / social enterprises:        {expected['enterprises']}, "
        f"une par an / one a year, {expected['first_year']}-{expected['last_year']}",
        f"  emplois consolidés / jobs consolidated (ETP/FTE): "
        f"{fte(expected['jobs_consolidated_hundredths'])}",
        f"  emplois créés / jobs created (ETP/FTE):           "
        f"{fte(expected['jobs_created_hundredths'])}",
        "  ressources, toutes années / resources, all years:",
        f"    ventes de prestations / sales of services        {euros(money['sale'])}",
        f"    mutualisation / mutualisation income             {euros(money['mutualisation'])}"
        f" (+ {euros(loader.invoiced_cents)} facturés en {year} / invoiced in {year}, "
        f"{loader.invoices} factures / invoices)",
        f"    subventions publiques / public grants            {euros(money['public_grant'])}"
        f" (dont Région, animation / of which the Region's support of the animation "
        f"{expected['region_animation_years'][0]}-{expected['region_animation_years'][1]}: "
        f"{euros(expected['region_animation_cents'])})",
        f"    financements privés / private funding            {euros(money['private_grant'])}"
        f" (fondations / foundations {euros(_cents(data.FOUNDATIONS))}, investisseurs privés "
        f"/ private investors {euros(_cents(data.PRIVATE_INVESTORS))})",
        f"    financement participatif / crowdfunding          "
        f"{euros(expected['crowdfunding_cents'])} (dons et contreparties / donations and "
        f"rewards) + {euros(expected['matchfunding_cents'])} abondement / matchfunding",
        f"    parts sociales / cooperative shares              {euros(expected['shares_cents'])}"
        " comptées après 4 jours de réflexion / counted after the 4-day reflection period",
        f"    bénévolat valorisé / volunteering (non monétaire / non-monetary): "
        f"{fte(expected['volunteering_hundredths'])} h = {euros(loader.volunteering_cents)}",
    ]
    paid = sum(loader.paid_cents.values())
    lines.append(f"  payé par les citoyens via le prestataire / paid by citizens through the "
                 f"provider: {euros(paid)}")
    if reports is not None:
        r = reports["resources"]
        lines += [
            "",
            "Lu dans les rapports / as the reports read them"
            + ("" if reports["caught_up"] else " (pas encore à jour / not caught up yet)") + ":",
            f"  adhérents {year} {reports['active_members']}, utilisant les services "
            f"{reports['members_using_services']}, ETP {fte(reports['mutualised_fte'] * 100)};"
            f" entreprises {reports['enterprises_total']}, emplois consolidés "
            f"{fte(reports['jobs_consolidated_fte_total'] * 100)}, créés "
            f"{fte(reports['jobs_created_fte_total'] * 100)}",
            f"  ventes {euros(r['sales_cents'])}, cotisations {euros(r['dues_cents'])}, "
            f"mutualisation {euros(r['mutualisation_cents'])}, Région (animation) "
            f"{euros(r['region_cents'])}, subventions de projets "
            f"{euros(r['project_grants_cents'])}, fondations {euros(r['foundations_cents'])}, "
            f"investisseurs privés {euros(r['private_investors_cents'])}, participatif "
            f"{euros(r['crowdfunding_cents'])} + {euros(r['matchfunding_cents'])}, "
            f"bénévolat {fte(r['volunteering_hours'] * 100)} h = "
            f"{euros(r['volunteering_cents'])}",
        ]
    for warning in loader.warnings:
        lines.append(f"  attention / warning: {warning}")
    say("\n".join(lines), flush=True)


# --- the command ----------------------------------------------------------------------

def demo_operator(path: Path):
    """The demo operator's email and password, kept in `path`; the account is created
    with deploy.accounts (the command that makes the first operator) the first time."""
    if path.exists():
        saved = json.loads(path.read_text())
        return saved["email"], saved["password"]
    password = secrets.token_urlsafe(18)
    command = [sys.executable, "-m", "deploy.accounts", "create", "--email",
               DEMO_OPERATOR_EMAIL, "--name", "Opérateur démo", "--role", "operator",
               "--role", "animator", "--password-stdin"]
    result = subprocess.run(command, input=password + "\n", text=True, capture_output=True,
                            timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"Could not create the demo operator {DEMO_OPERATOR_EMAIL}: "
                         f"{result.stderr.strip()} (if it exists already, pass --email and "
                         f"--password)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"email": DEMO_OPERATOR_EMAIL, "password": password}))
    path.chmod(0o600)
    print(f"Created the demo operator {DEMO_OPERATOR_EMAIL}; its password is in {path}.")
    return DEMO_OPERATOR_EMAIL, password


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.demo", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway")
    parser.add_argument("--email", help="a staff account (animator and operator)")
    parser.add_argument("--password", help="its password (or DEMO_PASSWORD, or a prompt)")
    parser.add_argument("--operator-file", type=Path,
                        help="without --email: the demo operator's credentials, kept in this "
                             "file; the account is created by command the first time")
    parser.add_argument("--wait", type=float, default=30,
                        help="seconds to wait for the reports to catch up (0: don't read them)")
    args = parser.parse_args(argv)

    if args.email:
        email = args.email
        password = args.password or os.environ.get("DEMO_PASSWORD") or getpass.getpass()
    elif args.operator_file:
        email, password = demo_operator(args.operator_file)
    else:
        parser.error("give --email (and --password), or --operator-file")

    started = time.monotonic()
    api = Api(args.url)
    try:
        staff = Account(api, email, password)
    except requests.ConnectionError:
        raise SystemExit(f"No gateway answers at {args.url}: start it with `make run`.") \
            from None
    except ApiError as error:
        raise SystemExit(f"Could not sign in as {email}: {error}") from None
    if not {"animator", "operator"} <= set(staff.profile["roles"]):
        raise SystemExit(f"{email} needs the animator and operator roles.")
    today = date.today()
    expected = data.expected(today.year, today)
    print(f"Chargement des données de démonstration / loading the demo data into {args.url}",
          flush=True)
    loader = Loader(api, staff, password, today)
    try:
        loader.run()
        reports = read_reports(api, staff, expected, today.year, args.wait) if args.wait \
            else None
    except ApiError as error:
        raise SystemExit(f"Refused: {error}") from None
    summary(loader, expected, reports, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
