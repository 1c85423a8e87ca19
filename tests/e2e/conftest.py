import pytest

from shared.config import SERVICE_NAMES
from tests.support.running_platform import running_platform
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def platform(request, vhosts, databases, tmp_path_factory):
    """The services, the gateway, the simulated payment provider and the mail catcher
    as real processes, with the commands `make run` and compose use, on fresh databases
    and a fresh vhost. A test module may set PLATFORM_ENV to change settings."""
    with running_platform(vhosts.create(),
                          {name: databases.new(name) for name in SERVICE_NAMES},
                          tmp_path_factory.mktemp("platform-logs"),
                          env=getattr(request.module, "PLATFORM_ENV", {})) as platform:
        yield platform


@pytest.fixture
def two_funding_replicas(platform):
    """A second funding process on the same database: both clocks tick."""
    platform.processes.start("funding#2")
    wait_until(lambda: "service started" in platform.processes.log("funding#2"), timeout=60,
               message="the second funding replica")
    yield
    platform.processes.stop("funding#2")
