"""A fresh RabbitMQ vhost per test session, so runs never see each other's queues."""
import json
import shutil
import subprocess
import urllib.request
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

import kombu


def with_vhost(amqp_uri: str, vhost: str) -> str:
    parts = urlsplit(amqp_uri)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), "", ""))


class Vhosts:
    """Creates vhosts with rabbitmqctl on this machine, or the management API if set
    (RABBITMQ_MANAGEMENT_URL, e.g. http://guest:guest@localhost:15672)."""

    def __init__(self, amqp_uri: str, management_url: str | None):
        self.amqp_uri = amqp_uri
        self.management_url = management_url
        self.user = urlsplit(amqp_uri).username or "guest"
        self.created = []

    def create(self) -> str:
        vhost = f"test-{uuid.uuid4().hex[:12]}"
        if self.management_url:
            self._api("PUT", f"/api/vhosts/{quote(vhost, safe='')}")
            self._api("PUT", f"/api/permissions/{quote(vhost, safe='')}/{self.user}",
                      {"configure": ".*", "write": ".*", "read": ".*"})
        else:
            ctl = shutil.which("rabbitmqctl")
            if ctl is None:
                raise RuntimeError("Tests need a fresh vhost: install rabbitmqctl beside the "
                                   "broker, or set RABBITMQ_MANAGEMENT_URL.")
            subprocess.run([ctl, "-q", "add_vhost", vhost], check=True, capture_output=True)
            subprocess.run([ctl, "-q", "set_permissions", "-p", vhost, self.user, ".*", ".*", ".*"],
                           check=True, capture_output=True)
        self.created.append(vhost)
        uri = with_vhost(self.amqp_uri, vhost)
        with kombu.Connection(uri, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=3)
        return uri

    def delete_all(self):
        for vhost in self.created:
            if self.management_url:
                self._api("DELETE", f"/api/vhosts/{quote(vhost, safe='')}")
            else:
                subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
        self.created.clear()

    def _api(self, method, path, body=None):
        parts = urlsplit(self.management_url)
        base = urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                           "", "", ""))
        request = urllib.request.Request(base + path, method=method,
                                         data=json.dumps(body).encode() if body else None,
                                         headers={"content-type": "application/json"})
        password_manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        password_manager.add_password(None, base, parts.username, parts.password)
        opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(password_manager))
        opener.open(request, timeout=10).close()
