"""Incubation figures: projects by stage, enterprises created per year and in all, jobs
created and consolidated per year and cumulated, support hours.

A job report is a project's figure at a date, not an increment: the latest report of
each year is kept (by date, then by when it was emitted, so a correction wins), and a
year's jobs are, for each project, its latest report up to the end of that year.
"""
from collections import defaultdict

from services.projects.domain import STAGES
from services.reporting.domain.changes import Keep, Upsert, hundredths, version_stamp, year_of
from services.reporting.domain.reports import last_values, sums, year_span

FLOWS = ("projects_submitted", "enterprises_created", "jobs_created_fte",
         "jobs_consolidated_fte", "support_hours")
STOCKS = ("enterprises_total", "jobs_created_fte_total", "jobs_consolidated_fte_total")


def _project(data) -> str:
    return str(data["project_id"])


def _year_row(project_id, year, **add):
    return Upsert("report_project_years", {"project_id": project_id, "year": year}, add=add)


def project_submitted(data, occurred_at):
    project, year = _project(data), year_of(occurred_at)
    return [
        Upsert("report_projects", {"project_id": project},
               set={"territory": data["territory"], "submitted_year": year}),
        Upsert("report_project_stages", {"project_id": project, "stage": data["stage"]},
               add={"projects": 1}),
        _year_row(project, year, projects_submitted=1),
    ]


def project_stage_changed(data, occurred_at):
    project = _project(data)
    return [Upsert("report_project_stages", {"project_id": project, "stage": data["from_stage"]},
                   add={"projects": -1}),
            Upsert("report_project_stages", {"project_id": project, "stage": data["to_stage"]},
                   add={"projects": 1})]


def support_given(data, occurred_at):
    return [_year_row(_project(data), data["given_on"].year,
                      support_hours_hundredths=hundredths(data["hours"]))]


def support_corrected(data, occurred_at):
    """A correction moves a year's hours by the difference: out of the day it was given,
    into the day it is now (the same year, most often)."""
    return [_year_row(_project(data), data["previous_given_on"].year,
                      support_hours_hundredths=-hundredths(data["previous_hours"])),
            _year_row(_project(data), data["given_on"].year,
                      support_hours_hundredths=hundredths(data["hours"]))]


def enterprise_created(data, occurred_at):
    return [_year_row(_project(data), data["created_on"].year, enterprises_created=1)]


def jobs_reported(data, occurred_at):
    day = data["reported_on"]
    return [Keep("report_job_reports", {"project_id": _project(data), "year": day.year},
                 values={"created_fte_hundredths": hundredths(data["created_fte"]),
                         "consolidated_fte_hundredths": hundredths(data["consolidated_fte"])},
                 version=version_stamp(day, occurred_at, str(data["report_id"])))]


PROJECTIONS = {
    "projects.project_submitted": project_submitted,
    "projects.project_stage_changed": project_stage_changed,
    "projects.support_given": support_given,
    "projects.enterprise_created": enterprise_created,
    "projects.jobs_reported": jobs_reported,
    # A corrected report is the latest figure of its day, as a new report of it would be.
    "projects.jobs_corrected": jobs_reported,
    "projects.support_corrected": support_corrected,
}


# --- reading -------------------------------------------------------------------------

def incubation_years(project_years, job_reports, from_year, to_year):
    """The incubation table, one item per year, and its totals.

    project_years: dicts (year, projects_submitted, enterprises_created,
    support_hours_hundredths) of every year up to `to_year`; job_reports: dicts
    (project_id, year, created_fte_hundredths, consolidated_fte_hundredths), the latest
    report of each project and year, up to `to_year`. Cumulated figures count the years
    before the range too.
    """
    flows = defaultdict(lambda: {"projects_submitted": 0, "enterprises_created": 0,
                                 "support_hours": 0})
    for row in project_years:
        flow = flows[row["year"]]
        flow["projects_submitted"] += row["projects_submitted"]
        flow["enterprises_created"] += row["enterprises_created"]
        flow["support_hours"] += row["support_hours_hundredths"]
    reports = defaultdict(list)
    for row in job_reports:
        reports[row["year"]].append(row)
    data_years = [year for year, flow in flows.items() if any(flow.values())] + list(reports)
    shown = year_span(data_years, from_year, to_year)
    if not shown:
        return {"items": [], "totals": dict.fromkeys((*FLOWS, *STOCKS), 0)}

    latest, stock = {}, {}  # project -> (created, consolidated); year -> its sums
    enterprises, items = 0, []
    for year in range(min([*flows, *reports, shown[0]]), shown[-1] + 1):
        before = stock.get(year - 1, (0, 0))
        for row in reports[year]:
            latest[row["project_id"]] = (row["created_fte_hundredths"],
                                         row["consolidated_fte_hundredths"])
        stock[year] = (sum(jobs[0] for jobs in latest.values()),
                       sum(jobs[1] for jobs in latest.values()))
        enterprises += flows[year]["enterprises_created"] if year in flows else 0
        if year >= shown[0]:
            flow = flows[year] if year in flows else {"projects_submitted": 0,
                                                      "enterprises_created": 0,
                                                      "support_hours": 0}
            items.append({"year": year, **flow, "enterprises_total": enterprises,
                          "jobs_created_fte": stock[year][0] - before[0],
                          "jobs_created_fte_total": stock[year][0],
                          "jobs_consolidated_fte": stock[year][1] - before[1],
                          "jobs_consolidated_fte_total": stock[year][1]})
    return {"items": items, "totals": {**sums(items, FLOWS), **last_values(items, STOCKS)}}


def stages(counts: dict):
    """Projects by their current stage, in the pipeline's order (stages no project is in
    show 0); none at all when no project matches."""
    if not any(count > 0 for count in counts.values()):
        return {"items": [], "totals": {"projects": 0}}
    known = [stage for stage in STAGES]
    others = sorted(stage for stage in counts if stage not in STAGES)
    items = [{"stage": stage, "projects": max(counts.get(stage, 0), 0)}
             for stage in (*known, *others)]
    return {"items": items, "totals": sums(items, ("projects",))}
