"""One deployment per test module of tests/compose, shared by its tests in file order:
docker-compose.yml with the module's COMPOSE_FILES (and STANDIN_NODES, the services
running a stand-in under another name), each step timed by the module's STEPS."""
import pytest

from tests.support.compose import deployed, new_funder


@pytest.fixture(scope="module")
def deployment(request):
    module = request.module
    with deployed(request, module.STEPS, files=getattr(module, "COMPOSE_FILES", ()),
                  nodes=getattr(module, "STANDIN_NODES", None)) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def platform(deployment):
    return deployment.platform()


@pytest.fixture(scope="module")
def funder(platform):
    return new_funder(platform)
