"""Projects' rules: what a submitted project is. Pure Python."""
import uuid

FIELDS = ("circular_economy", "proximity_economy", "citizen_economy")
STAGES = ("idea", "emergence", "incubation", "launched", "consolidated", "abandoned")
FIRST_STAGE = "idea"


def new_project(data: dict) -> dict:
    """The values of a project entering the pipeline, from validated input."""
    return {
        "id": str(uuid.uuid4()),
        "title": " ".join(data["title"].split()),
        "summary": data["summary"].strip(),
        "field": data["field"],
        "commune": data["commune"].strip(),
        "stage": FIRST_STAGE,
    }
