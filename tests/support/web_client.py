"""The gateway as a Flask test client, for page tests that replace the services with
fakes (tests/unit/test_web_*.py): no broker is reached."""
import re

import pytest

from gateway.app import create_app
from shared.config import Settings


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(jwt_secret="s" * 40, amqp_uri="amqp://nowhere:1//"))


@pytest.fixture
def client(app):
    return app.test_client()


def form_token(client, path="/connexion"):
    """The CSRF token a page's form carries (and sets the cookie it pairs with)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
