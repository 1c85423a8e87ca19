"""The JSON API under /api/v1: thin routes that call the services.

Each route says who may call it (see gateway/routing.py); the request schemas are the
services' own, so the OpenAPI document describes exactly what the services validate.
"""
from flask import current_app, request, url_for

from gateway.calls import call
from gateway.routing import AUTHENTICATED, PUBLIC, route
from gateway.schemas import TokenPair
from services.funding import schemas as funding
from services.members import schemas as members
from services.projects import schemas as projects
from services.reporting import schemas as reporting
from shared.pagination import page_schema

STAFF = ("animator", "operator")


def created(body, endpoint, **values):
    return body, {"Location": url_for(endpoint, **values)}


def token_pair(outcome):
    tokens = current_app.extensions["tokens"]
    return {"access_token": tokens.issue(outcome["account"]), "token_type": "Bearer",
            "expires_in": tokens.ttl_seconds, "refresh_token": outcome["refresh_token"],
            "account": outcome["account"]}


# --- accounts ------------------------------------------------------------------------

@route("/auth/signup", "POST", summary="Create a citizen account", tag="accounts",
       roles=PUBLIC, body=members.SignUp, response=members.Account, status=201,
       errors=(409,))
def sign_up(body):
    return call("members", "sign_up", body)


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


@route("/organisations/<organisation_id>", "GET", summary="An organisation",
       tag="organisations", roles=(*STAFF, "member_admin"), response=members.Organisation)
def get_organisation(organisation_id, principal):
    return call("members", "get_organisation", organisation_id)


# --- projects ------------------------------------------------------------------------

@route("/projects", "POST", summary="Submit a project to the pipeline", tag="projects",
       roles=(*STAFF, "member_admin"), body=projects.SubmitProject,
       response=projects.Project, status=201)
def submit_project(body, principal):
    project = call("projects", "submit_project", body)
    return created(project, ".get_project", project_id=project["id"])


@route("/projects", "GET", summary="List projects", tag="projects", roles=PUBLIC,
       query=projects.ListProjects, response=page_schema(projects.Project))
def list_projects(query):
    return call("projects", "list_projects", query)


@route("/projects/<project_id>", "GET", summary="A project", tag="projects", roles=PUBLIC,
       response=projects.Project)
def get_project(project_id):
    return call("projects", "get_project", project_id)


# --- campaigns -----------------------------------------------------------------------

@route("/campaigns", "POST", summary="Draft a campaign for a project", tag="campaigns",
       roles=STAFF, body=funding.CreateCampaign, response=funding.Campaign, status=201)
def create_campaign(body, principal):
    campaign = call("funding", "create_campaign", body)
    return created(campaign, ".get_campaign", campaign_id=campaign["id"])


@route("/campaigns", "GET", summary="List campaigns", tag="campaigns", roles=PUBLIC,
       query=funding.ListCampaigns, response=page_schema(funding.Campaign))
def list_campaigns(query):
    return call("funding", "list_campaigns", query)


@route("/campaigns/<campaign_id>", "GET", summary="A campaign", tag="campaigns",
       roles=PUBLIC, response=funding.Campaign)
def get_campaign(campaign_id):
    return call("funding", "get_campaign", campaign_id)


@route("/campaigns/<campaign_id>/publish", "POST", summary="Publish a draft campaign",
       tag="campaigns", roles=STAFF, response=funding.Campaign, errors=(409,))
def publish_campaign(campaign_id, principal):
    return call("funding", "publish_campaign", campaign_id)


@route("/campaigns/<campaign_id>/contributions", "POST", summary="Contribute to a campaign",
       tag="campaigns", roles=("citizen",), body=funding.Contribute,
       response=funding.Contribution, status=201, idempotent=True, errors=(409,))
def contribute(campaign_id, body, idempotency_key, principal):
    outcome = call("funding", "contribute", campaign_id, body, idempotency_key,
                   principal.account_id)
    headers = {"Location": url_for(".get_campaign", campaign_id=campaign_id)}
    if outcome["replayed"]:
        headers["Idempotent-Replayed"] = "true"
    return outcome["contribution"], headers


# --- reports -------------------------------------------------------------------------

@route("/reports/summary", "GET", summary="The platform's headline figures", tag="reports",
       roles=PUBLIC, response=reporting.Summary)
def summary():
    return call("reporting", "get_summary")
