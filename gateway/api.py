"""The JSON API under /api/v1: thin routes that call the services.

Each route says who may call it (see gateway/routing.py); the request schemas are the
services' own, so the OpenAPI document describes exactly what the services validate.
"""
import base64

from flask import current_app, request, url_for

from gateway.auth import confined_organisation
from gateway.calls import MULTIPART, call
from gateway.routing import AUTHENTICATED, PUBLIC, route
from gateway.privacy import held_about
from gateway.schemas import HeldAboutPerson, ProjectPublicPage, TokenPair
from services.members import schemas as members
from services.projects import schemas as projects
from services.reporting import schemas as reporting
from shared.pagination import list_schema, page_schema

STAFF = ("animator", "operator")
ORGANISATION = (*STAFF, "member_admin")  # a member_admin: its own organisation only
# How browsers, spreadsheets and HTTP clients label a CSV file (Excel's, on Windows, is
# application/vnd.ms-excel), and a form's upload.
SPREADSHEET_MEDIA = ("text/csv", "text/plain", "application/vnd.ms-excel",
                     "application/octet-stream", MULTIPART)


def created(body, endpoint, **values):
    return body, {"Location": url_for(endpoint, **values)}


def replayed(outcome):
    """The header that tells a client its retry was answered from the first time."""
    return {"Idempotent-Replayed": "true"} if outcome["replayed"] else {}


def token_pair(outcome):
    tokens = current_app.extensions["tokens"]
    return {"access_token": tokens.issue(outcome["account"]), "token_type": "Bearer",
            "expires_in": tokens.ttl_seconds, "refresh_token": outcome["refresh_token"],
            "account": outcome["account"]}


# --- accounts ------------------------------------------------------------------------

@route("/auth/signup", "POST",
       summary="Create a citizen account; the same answer if the address has one (its "
               "owner is mailed instead), else a link to confirm the address is mailed",
       tag="accounts", roles=PUBLIC, body=members.SignUp, response=members.SignUpAnswer,
       status=202)
def sign_up(body):
    return call("members", "sign_up", body)


@route("/auth/email-verification", "POST",
       summary="Mail the signed-in account's address a new link to confirm it",
       tag="accounts", roles=AUTHENTICATED, response=members.SignUpAnswer, status=202,
       errors=(409, 429))
def request_email_verification(principal):
    return call("members", "request_email_verification", principal.account_id)


@route("/auth/email-verification/confirm", "POST",
       summary="Follow a mailed link: confirm the address, or move the account to the new "
               "one (the old one is told); once",
       tag="accounts", roles=PUBLIC, body=members.EmailTokenInput, response=members.Account,
       errors=(401, 409))
def confirm_email(body):
    return call("members", "confirm_email", body)


@route("/auth/email-change", "POST",
       summary="Move the account to a new address, once a link mailed there is followed "
               "(the current password is asked)",
       tag="accounts", roles=AUTHENTICATED, body=members.EmailChangeRequest,
       response=members.SignUpAnswer, status=202, errors=(429,))
def request_email_change(body, principal):
    return call("members", "request_email_change", principal.account_id, body)


@route("/auth/login", "POST", summary="Sign in: get an access token and a refresh token",
       tag="accounts", roles=PUBLIC, body=members.Login, response=TokenPair,
       errors=(401, 429))
def login(body):
    return token_pair(call("members", "authenticate", body, request.remote_addr or "unknown"))


@route("/auth/refresh", "POST", summary="Trade a refresh token for new tokens",
       tag="accounts", roles=PUBLIC, body=members.RefreshTokenInput, response=TokenPair,
       errors=(401,))
def refresh(body):
    return token_pair(call("members", "refresh", body))


@route("/auth/logout", "POST", summary="Sign out: revoke a refresh token", tag="accounts",
       roles=AUTHENTICATED, body=members.RefreshTokenInput, status=204)
def logout(body, principal):
    call("members", "revoke", principal.account_id, body)


@route("/auth/password", "POST", summary="Change one's password (closes every session)",
       tag="accounts", roles=AUTHENTICATED, body=members.ChangePassword,
       response=members.Account)
def change_password(body, principal):
    return call("members", "change_password", principal.account_id, body)


@route("/auth/password-reset", "POST",
       summary="Ask for a link to set a new password, mailed if an account has the address",
       tag="accounts", roles=PUBLIC, body=members.PasswordResetRequest,
       response=members.PasswordResetRequested, status=202, errors=(429,))
def request_password_reset(body):
    return call("members", "request_password_reset", body, request.remote_addr or "unknown")


@route("/auth/password-reset/confirm", "POST",
       summary="Set a new password with a mailed link's token (closes every session)",
       tag="accounts", roles=PUBLIC, body=members.PasswordResetConfirm, status=204,
       errors=(401,))
def confirm_password_reset(body):
    call("members", "reset_password", body)


@route("/me", "GET", summary="The signed-in account", tag="accounts", roles=AUTHENTICATED,
       response=members.Account)
def me(principal):
    return call("members", "get_account", principal.account_id)


@route("/accounts", "POST", summary="Create an account with roles", tag="accounts",
       roles=STAFF, body=members.CreateAccount, response=members.Account, status=201,
       errors=(409,))
def create_account(body, principal):
    return call("members", "create_account", body)


# --- organisations -------------------------------------------------------------------

@route("/organisations", "POST", summary="Register an organisation", tag="organisations",
       roles=STAFF, body=members.RegisterOrganisation, response=members.Organisation,
       status=201, errors=(409,))
def register_organisation(body, principal):
    organisation = call("members", "register_organisation", body)
    return created(organisation, ".get_organisation", organisation_id=organisation["id"])


@route("/organisations", "GET", summary="List organisations", tag="organisations",
       roles=STAFF, query=members.ListOrganisations,
       response=page_schema(members.Organisation))
def list_organisations(query, principal):
    return call("members", "list_organisations", query)


@route("/organisations/<uuid:organisation_id>", "GET", summary="An organisation",
       tag="organisations", roles=(*STAFF, "member_admin"), response=members.Organisation)
def get_organisation(organisation_id, principal):
    return call("members", "get_organisation", organisation_id)


@route("/organisations/<uuid:organisation_id>", "PATCH",
       summary="Edit an organisation, as of the version read", tag="organisations",
       roles=ORGANISATION, body=members.EditOrganisation, response=members.Organisation,
       errors=(409,))
def update_organisation(organisation_id, body, principal):
    return call("members", "update_organisation", organisation_id, body)


@route("/organisations/import", "POST", summary="Register the organisations of a CSV file",
       tag="organisations", roles=STAFF, body=bytes, body_media=SPREADSHEET_MEDIA,
       query=members.ImportQuery, response=members.ImportReport)
def import_organisations(body, query, principal):
    return call("members", "import_organisations", body, query)


@route("/organisations/export", "GET", summary="The register as CSV (French spreadsheet)",
       tag="organisations", roles=STAFF, response=bytes, response_media="text/csv")
def export_organisations(principal):
    csv = base64.b64decode(call("members", "export_organisations"))
    return csv, {"Content-Disposition": 'attachment; filename="organisations.csv"'}


@route("/organisations/<uuid:organisation_id>/contacts", "POST", summary="Add a contact person",
       tag="organisations", roles=ORGANISATION, body=members.AddContact,
       response=members.Contact, status=201)
def add_contact(organisation_id, body, principal):
    return call("members", "add_contact", organisation_id, body)


@route("/organisations/<uuid:organisation_id>/contacts", "GET",
       summary="An organisation's contacts", tag="organisations", roles=ORGANISATION,
       response=list_schema(members.Contact))
def list_contacts(organisation_id, principal):
    return call("members", "list_contacts", organisation_id)


# --- memberships ---------------------------------------------------------------------

@route("/organisations/<uuid:organisation_id>/memberships", "POST",
       summary="Apply for membership for a year, in a circle", tag="memberships",
       roles=ORGANISATION, body=members.ApplyForMembership, response=members.Membership,
       status=201, errors=(409,))
def apply_for_membership(organisation_id, body, principal):
    membership = call("members", "apply_for_membership", organisation_id, body)
    return created(membership, ".get_membership", membership_id=membership["id"])


@route("/organisations/<uuid:organisation_id>/memberships", "GET",
       summary="An organisation's memberships, year by year", tag="memberships",
       roles=ORGANISATION, response=list_schema(members.Membership))
def organisation_memberships(organisation_id, principal):
    return call("members", "organisation_memberships", organisation_id)


@route("/organisations/<uuid:organisation_id>/dues-payments", "GET",
       summary="An organisation's payments of dues, newest first", tag="memberships",
       roles=ORGANISATION, response=list_schema(members.OrganisationDuesPayment))
def organisation_dues_payments(organisation_id, principal):
    return call("members", "organisation_dues_payments", organisation_id)


@route("/organisations/<uuid:organisation_id>/subscriptions", "GET",
       summary="An organisation's subscriptions to mutualised services",
       tag="mutualisation", roles=ORGANISATION,
       response=list_schema(members.OrganisationSubscription))
def organisation_subscriptions(organisation_id, principal):
    return call("members", "organisation_subscriptions", organisation_id)


@route("/memberships", "GET", summary="List memberships", tag="memberships",
       roles=(*STAFF, "funder"), query=members.ListMemberships,
       response=page_schema(members.Membership))
def list_memberships(query, principal):
    return call("members", "list_memberships", query)


@route("/memberships/<uuid:membership_id>", "GET", summary="A membership and its history",
       tag="memberships", roles=STAFF, response=members.MembershipWithMoves)
def get_membership(membership_id, principal):
    return call("members", "get_membership", membership_id)


@route("/memberships/<uuid:membership_id>/status", "POST",
       summary="Move a membership: approve, resign, reactivate", tag="memberships",
       roles=STAFF, body=members.MoveMembership, response=members.MembershipWithMoves,
       errors=(409,))
def move_membership(membership_id, body, principal):
    return call("members", "move_membership", membership_id, body, principal.account_id)


@route("/memberships/<uuid:membership_id>/payments", "POST", summary="Record a payment of dues",
       tag="memberships", roles=STAFF, body=members.PayDues, response=members.DuesPayment,
       status=201, idempotent=True, errors=(409,))
def pay_dues(membership_id, body, idempotency_key, principal):
    outcome = call("members", "pay_dues", membership_id, body, idempotency_key,
                   principal.account_id)
    return outcome["payment"], replayed(outcome)


@route("/memberships/renewals", "POST",
       summary="Renew every active membership of a year into the next", tag="memberships",
       roles=STAFF, body=members.Renewal, response=members.RenewalOutcome)
def renew_memberships(body, principal):
    return call("members", "renew_memberships", body, principal.account_id)


# --- mutualised services -------------------------------------------------------------

@route("/mutualised-services", "GET", summary="The catalogue of mutualised services",
       tag="mutualisation", roles=PUBLIC, response=list_schema(members.MutualisedService))
def list_mutualised_services():
    return call("members", "list_mutualised_services")


@route("/mutualised-services", "POST", summary="Add a service to the catalogue",
       tag="mutualisation", roles=STAFF, body=members.AddMutualisedService,
       response=members.MutualisedService, status=201, errors=(409,))
def add_mutualised_service(body, principal):
    return call("members", "add_mutualised_service", body)


@route("/organisations/<uuid:organisation_id>/subscriptions", "POST",
       summary="Subscribe an organisation to a mutualised service", tag="mutualisation",
       roles=STAFF, body=members.Subscribe, response=members.Subscription, status=201)
def subscribe(organisation_id, body, principal):
    return call("members", "subscribe", organisation_id, body)


@route("/subscriptions/<uuid:subscription_id>/end", "POST", summary="End a subscription",
       tag="mutualisation", roles=STAFF, body=members.EndSubscription,
       response=members.Subscription)
def end_subscription(subscription_id, body, principal):
    return call("members", "end_subscription", subscription_id, body)


@route("/mutualisation/invoices", "POST", summary="Invoice a month's mutualisation fees",
       tag="mutualisation", roles=STAFF, body=members.InvoiceMonth,
       response=list_schema(members.Invoice), idempotent=True)
def invoice_month(body, idempotency_key, principal):
    outcome = call("members", "invoice_month", body, idempotency_key, principal.account_id)
    return {"items": outcome["invoices"]}, replayed(outcome)


@route("/mutualisation/invoices", "GET",
       summary="Invoices issued, newest first (a member admin: its organisation's)",
       tag="mutualisation", roles=ORGANISATION, query=members.ListInvoices,
       response=page_schema(members.Invoice))
def list_invoices(query, principal):
    confined = confined_organisation(principal, query.get("organisation_id"), STAFF)
    return call("members", "list_invoices",
                {**query, "organisation_id": confined} if confined else query)


@route("/mutualisation/invoices/<uuid:invoice_id>/payments", "POST",
       summary="Record a payment of a mutualisation invoice", tag="mutualisation",
       roles=STAFF, body=members.PayInvoice, response=members.InvoicePayment, status=201,
       idempotent=True, errors=(409,))
def pay_invoice(invoice_id, body, idempotency_key, principal):
    outcome = call("members", "pay_invoice", invoice_id, body, idempotency_key,
                   principal.account_id)
    return outcome["payment"], replayed(outcome)


@route("/mutualisation/summary", "GET",
       summary="Services, subscribers and the jobs the services carry", tag="mutualisation",
       roles=(*STAFF, "funder"), response=members.MutualisationSummary)
def mutualisation_summary(principal):
    return call("members", "mutualisation_summary")


# --- privacy -------------------------------------------------------------------------

@route("/privacy/personal-data", "GET",
       summary="Everything held about a person, found by e-mail address: what every "
               "service holds, as the person's own export (Mes données) has it",
       tag="privacy", roles=("operator",), query=members.PersonQuery,
       response=HeldAboutPerson)
def personal_data(query, principal):
    return held_about(query)


@route("/privacy/erasures", "POST", summary="Erase a person, here and in every service",
       tag="privacy", roles=("operator",), body=members.Erasure,
       response=members.ErasureOutcome)
def erase_person(body, principal):
    return call("members", "erase_person", body)


# --- projects ------------------------------------------------------------------------

def actor(principal):
    """Who acts or reads, as the services check it: their roles and their organisation
    (none for an anonymous reader)."""
    if principal is None:
        return {"account_id": None, "roles": [], "organisation_id": None}
    return {"account_id": principal.account_id, "roles": sorted(principal.roles),
            "organisation_id": principal.organisation_id}


@route("/projects", "POST", summary="Submit a project to the pipeline", tag="projects",
       roles=ORGANISATION, body=projects.SubmitProject, response=projects.Project, status=201)
def submit_project(body, principal):
    project = call("projects", "submit_project", body, actor(principal))
    return created(project, ".get_project", project_id=project["id"])


@route("/projects", "GET", summary="List projects", tag="projects", roles=PUBLIC,
       query=projects.ListProjects, response=page_schema(projects.Project))
def list_projects(query):
    return call("projects", "list_projects", query)


@route("/projects/board", "GET", summary="The pipeline board: projects by stage",
       tag="projects", roles=STAFF, response=projects.Board)
def project_board(principal):
    return call("projects", "board")


@route("/projects/<uuid:project_id>", "GET", tag="projects", roles=PUBLIC, reader=True,
       summary="A project's public page: story, stage, partners shown, news, the campaigns "
       "its reader may see", response=ProjectPublicPage)
def get_project(project_id, principal):
    page = call("projects", "get_project", project_id)
    campaigns = call("funding", "list_campaigns", {"project_id": project_id, "limit": "100"},
                     actor(principal))
    return {**page, "campaigns": campaigns["items"]}


@route("/projects/<uuid:project_id>/file", "GET", tag="projects", roles=ORGANISATION,
       summary="Everything about a project (its animators and carrier's admins)",
       response=projects.ProjectFile)
def project_file(project_id, principal):
    return call("projects", "project_file", project_id, actor(principal))


@route("/projects/<uuid:project_id>/stage", "POST", summary="Move a project in the pipeline",
       tag="projects", roles=STAFF, body=projects.MoveStage, response=projects.Project,
       errors=(409,))
def move_project(project_id, body, principal):
    return call("projects", "move_stage", project_id, body, actor(principal))


def _project_write(path, method, summary, body, response, roles=ORGANISATION, errors=()):
    """A route that adds to a project's record: `projects.<method>(id, body, actor)`."""
    def handler(project_id, body, principal):
        return call("projects", method, project_id, body, actor(principal))
    handler.__name__ = method
    return route(f"/projects/<uuid:project_id>/{path}", "POST", summary=summary, tag="projects",
                 roles=roles, body=body, response=response, status=201, errors=errors)(handler)


_project_write("partners", "add_partner", "Add a partner (informal in one step)",
               projects.AddPartner, projects.Partner)
_project_write("support", "give_support", "Record hours of accompaniment",
               projects.GiveSupport, projects.SupportSession, roles=STAFF)
_project_write("milestones", "set_milestone", "Set a milestone", projects.SetMilestone,
               projects.Milestone)
_project_write("job-reports", "report_jobs", "Report jobs at a date (a correction is a new "
               "report)", projects.ReportJobs, projects.JobReport)
_project_write("enterprise", "record_enterprise", "Record the enterprise created: the project "
               "is launched", projects.RecordEnterprise, projects.Enterprise, roles=STAFF,
               errors=(409,))
_project_write("news", "publish_news", "Publish news, public or for contributors",
               projects.PublishNews, projects.NewsPost)


@route("/projects/<uuid:project_id>/milestones/<uuid:milestone_id>/complete", "POST",
       summary="Mark a milestone reached", tag="projects", roles=ORGANISATION,
       body=projects.CompleteMilestone, response=projects.Milestone, errors=(409,))
def complete_milestone(project_id, milestone_id, body, principal):
    return call("projects", "complete_milestone", project_id, milestone_id, body,
                actor(principal))


# Edits name the version they read: a stale one is refused (409, with `current_version`).

@route("/projects/<uuid:project_id>", "PATCH", summary="Edit a project, as of the version read",
       tag="projects", roles=ORGANISATION, body=projects.EditProject,
       response=projects.Project, errors=(409,))
def update_project(project_id, body, principal):
    return call("projects", "update_project", project_id, body, actor(principal))


def _project_edit(path, method, summary, body, response, roles=ORGANISATION):
    """A PATCH of one record of a project: `projects.<method>(project, record, body, actor)`."""
    def handler(project_id, record_id, body, principal):
        return call("projects", method, project_id, record_id, body, actor(principal))
    handler.__name__ = method
    return route(f"/projects/<uuid:project_id>/{path}/<uuid:record_id>", "PATCH",
                 summary=summary, tag="projects", roles=roles, body=body, response=response,
                 errors=(409,))(handler)


_project_edit("partners", "update_partner", "Edit a partner: its formalisation, circle, role, "
              "dates, visibility", projects.EditPartner, projects.Partner)
_project_edit("milestones", "update_milestone", "Edit a milestone's title or due date",
              projects.EditMilestone, projects.Milestone)
_project_edit("support", "correct_support", "Correct hours of support (staff; kept in the "
              "history with the reason)", projects.CorrectSupport, projects.SupportSession,
              roles=STAFF)
_project_edit("job-reports", "correct_jobs", "Correct a job report's figures (staff; kept in "
              "the history with the reason)", projects.CorrectJobs, projects.JobReport,
              roles=STAFF)


# --- campaigns -----------------------------------------------------------------------

# --- reports -------------------------------------------------------------------------

@route("/reports/summary", "GET", summary="The platform's headline figures", tag="reports",
       roles=PUBLIC, response=reporting.Summary)
def summary():
    return call("reporting", "get_summary")
