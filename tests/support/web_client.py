"""The gateway as a Flask test client, for page tests that replace the services with
fakes (tests/unit/test_web_*.py): no broker is reached."""
import re

import pytest
from flask.testing import FlaskClient

from gateway.app import create_app
from shared.config import Settings


_SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)


def summary_links_missing(page: str) -> list[str]:
    """The links of a refused form's error summary whose target is not in the page."""
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    return [href for summary in _SUMMARY.findall(page)
            for href in re.findall(r'href="#([^"]*)"', summary) if href not in ids]


class CheckingClient(FlaskClient):
    """Every page a test gets: each link of its error summary leads to a field in it."""

    def open(self, *args, **kwargs):
        answer = super().open(*args, **kwargs)
        if answer.mimetype == "text/html":
            missing = summary_links_missing(answer.get_data(as_text=True))
            assert not missing, f"error summary links to no field: {missing}"
        return answer


@pytest.fixture(scope="module")
def app():
    app = create_app(Settings(jwt_secret="s" * 40, amqp_uri="amqp://nowhere:1//"))
    app.test_client_class = CheckingClient
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def form_token(client, path="/connexion"):
    """The CSRF token a page's form carries (and sets the cookie it pairs with)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
