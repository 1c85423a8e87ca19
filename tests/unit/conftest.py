"""The page tests' Flask client (tests/support/web_client.py), for every unit test."""
from tests.support.web_client import app, client  # noqa: F401 (fixtures)
