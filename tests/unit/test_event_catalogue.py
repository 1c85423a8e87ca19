import importlib
import re

import pytest

from shared.config import REPO_ROOT, SERVICE_NAMES
from shared.event_catalogue import published_events, render


def test_docs_events_md_is_the_catalogue_of_the_schemas():
    assert (REPO_ROOT / "docs" / "events.md").read_text() == render(), \
        "regenerate: python -m shared.event_catalogue > docs/events.md"


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_a_service_publishes_only_events_named_after_itself(service_name):
    specs = importlib.import_module(f"services.{service_name}.schemas").PUBLISHED_EVENTS
    for spec in specs:
        assert spec.source == service_name
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*_([a-z]+ed|paid|sent|made|held|done|given|taken|set)"
                            r"(_v\d+)?", spec.name), f"{spec.name}: <thing>_<past verb>"


def test_event_types_are_unique():
    types = [spec.type for spec in published_events()]
    assert len(types) == len(set(types))
