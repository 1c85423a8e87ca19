import pytest
import requests

from shared.config import SERVICE_NAMES
from tests.support.platform import Processes, free_port, wait_ready


class Platform:
    def __init__(self, base_url, database_urls, processes):
        self.base_url = base_url
        self.api = base_url + "/api/v1"
        self.database_urls = database_urls
        self.processes = processes
        self.http = requests.Session()

    def post(self, path, body=None, **headers):
        return self.http.post(self.api + path, json=body, headers=headers, timeout=15)

    def get(self, path, **headers):
        return self.http.get(self.api + path, headers=headers, timeout=15)


@pytest.fixture(scope="module")
def platform(vhosts, databases, tmp_path_factory):
    """The four services and the gateway as real processes, with the commands `make run`
    and compose use, on fresh databases and a fresh vhost."""
    port = free_port()
    database_urls = {name: databases.new(name) for name in SERVICE_NAMES}
    env = {"AMQP_URI": vhosts.create(), "GATEWAY_BIND": f"127.0.0.1:{port}",
           "GATEWAY_WORKERS": "1", "GATEWAY_THREADS": "8", "RPC_TIMEOUT": "3",
           **{f"{name.upper()}_DATABASE_URL": url for name, url in database_urls.items()}}
    processes = Processes(env, tmp_path_factory.mktemp("platform-logs"))
    processes.start(*SERVICE_NAMES, "gateway")
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        yield Platform(f"http://127.0.0.1:{port}", database_urls, processes)
    finally:
        processes.stop()
