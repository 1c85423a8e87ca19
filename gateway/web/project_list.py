"""The projects the cluster accompanies (/projets): every project of the pipeline, with
its field, stage and commune, filtered by field, stage and territory, in the order they came; each
leads to its page. As the API's `GET /projects`, which anyone may read."""
from flask import render_template, request

from gateway.calls import call
from gateway.web import labels
from gateway.web.blueprint import web
from shared.cluster import STAGE_LABELS
from shared.errors import INVALID, DomainError

PROJECTS_PER_PAGE = 24
# The page's filters (French, in its address) and the API's query parameters.
FILTERS = {"domaine": "field", "etape": "stage", "territoire": "territory"}
FILTER_ERRORS = {
    "domaine": "Choisissez un domaine dans la liste.",
    "etape": "Choisissez une étape dans la liste.",
    "territoire": "Choisissez un territoire dans la liste.",
}


@web.get("/projets")
def projects():
    chosen = {name: request.args.get(name, "").strip() for name in FILTERS}
    query = {parameter: chosen[name] for name, parameter in FILTERS.items() if chosen[name]}
    query["limit"] = str(PROJECTS_PER_PAGE)
    if request.args.get("suite"):
        query["cursor"] = request.args["suite"]
    errors, page = {}, {"items": [], "next_cursor": None}
    try:
        page = call("projects", "list_projects", query)
    except DomainError as exc:
        if exc.kind != INVALID:
            raise
        refused = exc.details.get("fields", {}) if isinstance(exc.details, dict) else {}
        errors = {name: FILTER_ERRORS[name] for name, parameter in FILTERS.items()
                  if parameter in refused} \
            or {"suite": "Cette page de résultats n'existe plus : repartez du début."}
    return render_template(
        "web/projects.html", active="projects", chosen=chosen, errors=errors,
        fields=labels.FIELDS, stages=STAGE_LABELS, territories=labels.TERRITORY_LABELS,
        projects=[project_line(project) for project in page["items"]],
        next_cursor=page["next_cursor"],
        filtered={name: value for name, value in chosen.items() if value})


def project_line(project: dict) -> dict:
    """A project as the list shows it: its codes in French words."""
    return {**project, "field_label": labels.label(labels.FIELDS, project["field"]),
            "stage_label": labels.label(STAGE_LABELS, project["stage"])}
