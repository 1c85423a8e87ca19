"""The JSON API under /api/v1: thin routes that call the services."""
from flask import Blueprint, jsonify, url_for

from gateway.calls import call, idempotency_key, json_body

api = Blueprint("api", __name__, url_prefix="/api/v1")


def created(body, location):
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


@api.post("/organisations")
def register_organisation():
    organisation = call("members", "register_organisation", json_body())
    return created(organisation, url_for(".get_organisation", organisation_id=organisation["id"]))


@api.get("/organisations/<organisation_id>")
def get_organisation(organisation_id):
    return call("members", "get_organisation", organisation_id)


@api.post("/projects")
def submit_project():
    project = call("projects", "submit_project", json_body())
    return created(project, url_for(".get_project", project_id=project["id"]))


@api.get("/projects/<project_id>")
def get_project(project_id):
    return call("projects", "get_project", project_id)


@api.post("/campaigns")
def create_campaign():
    campaign = call("funding", "create_campaign", json_body())
    return created(campaign, url_for(".get_campaign", campaign_id=campaign["id"]))


@api.get("/campaigns/<campaign_id>")
def get_campaign(campaign_id):
    return call("funding", "get_campaign", campaign_id)


@api.post("/campaigns/<campaign_id>/publish")
def publish_campaign(campaign_id):
    return call("funding", "publish_campaign", campaign_id)


@api.post("/campaigns/<campaign_id>/contributions")
def contribute(campaign_id):
    key = idempotency_key()
    outcome = call("funding", "contribute", campaign_id, json_body(), key)
    response = created(outcome["contribution"], url_for(".get_campaign", campaign_id=campaign_id))
    if outcome["replayed"]:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@api.get("/reports/summary")
def summary():
    return call("reporting", "get_summary")
