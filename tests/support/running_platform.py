"""The whole platform as real processes (the services, the gateway, the simulated payment
provider, the mail catcher), started with the commands `make run` and compose use, and
the client the end-to-end, browser and fault tests drive it with."""
import subprocess
import uuid
from contextlib import contextmanager

import requests
import sqlalchemy as sa
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.config import REPO_ROOT, SERVICE_NAMES
from shared.database import create_engine
from tests.support.mail import MailCatcher
from tests.support.paysim import Paysim
from tests.support.platform import Processes, executable, free_port, wait_ready

PASSWORD = "correct horse battery staple"


class Platform:
    """The running platform, and accounts of each role to call it with."""

    def __init__(self, base_url, database_urls, processes, paysim, mail=None):
        self.base_url = base_url
        self.paysim = paysim
        self.mail = mail  # the SMTP server notifications sends to (tests.support.mail)
        self.api = base_url + "/api/v1"
        self.database_urls = database_urls
        self.processes = processes
        self.http = requests.Session()
        # A kept-alive connection the gateway closes as it is reused gives "Remote end
        # closed connection without response": the request never reached the app. Retry
        # those, as a browser does; answers (any status) are never retried.
        self.http.mount("http://", HTTPAdapter(pool_maxsize=64, max_retries=Retry(
            total=2, connect=2, read=2, status=0, other=0, allowed_methods=None,
            raise_on_status=False)))
        self._headers = {}

    def request(self, method, path, body=None, *, as_=None, headers=None, **options):
        headers = {**(self.headers(as_) if as_ else {}), **(headers or {})}
        return self.http.request(method, self.api + path, json=body, headers=headers,
                                 timeout=15, **options)

    def query(self, service, sql, **params):
        """Rows of a service's own database, to check what an answer does not show."""
        engine = create_engine(self.database_urls[service])
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(sql), params).all()
        finally:
            engine.dispose()

    def post(self, path, body=None, *, as_="staff", **headers):
        return self.request("POST", path, body, as_=as_, headers=headers)

    def get(self, path, *, as_=None, **headers):
        return self.request("GET", path, as_=as_, headers=headers)

    def login(self, email, password=PASSWORD):
        answer = self.http.post(self.api + "/auth/login",
                                json={"email": email, "password": password}, timeout=15)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def headers(self, who):
        """Authorization headers for `who`: "staff" (animator and operator, made by the
        operator's command), a role, or a (role, organisation_id) pair."""
        if who not in self._headers:
            roles, organisation_id = ((who,), None) if isinstance(who, str) else ((who[0],), who[1])
            email = f"{'-'.join(roles)}-{uuid.uuid4().hex[:8]}@example.org"
            if who == "staff":
                self.create_by_command(email, ["operator", "animator"])
            else:
                created = self.post("/accounts", {
                    "email": email, "password": PASSWORD, "display_name": f"Test {who}",
                    "roles": list(roles), "organisation_id": organisation_id})
                assert created.status_code == 201, created.text
            token = self.login(email)["access_token"]
            self._headers[who] = {"Authorization": f"Bearer {token}"}
        return self._headers[who]

    def create_by_command(self, email, roles):
        command = ["python", "-m", "deploy.accounts", "create", "--email", email,
                   "--name", "Ops", "--password-stdin"]
        for role in roles:
            command += ["--role", role]
        result = subprocess.run(executable(command), input=PASSWORD + "\n", text=True,
                                capture_output=True, cwd=REPO_ROOT, env=self.processes.env,
                                timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout



@contextmanager
def running_platform(broker_uri, database_urls, log_dir, *, env=None,
                     service_database_urls=None, platform_class=Platform, **platform_options):
    """A started platform on `broker_uri` and `database_urls`, stopped after the block.
    The services may reach their databases by other URLs (`service_database_urls`: a
    proxy in between) while the tests query them directly; `env` adds settings (its
    PAYSIM_WEBHOOK_URL sends paysim's webhooks elsewhere than the gateway: a closed
    port, for webhooks that never arrive)."""
    port = free_port()
    service_urls = service_database_urls or database_urls
    processes = Processes({
        "AMQP_URI": broker_uri, "GATEWAY_BIND": f"127.0.0.1:{port}",
        "GATEWAY_WORKERS": "2", "GATEWAY_THREADS": "8", "RPC_TIMEOUT": "3",
        "JWT_SECRET": uuid.uuid4().hex + uuid.uuid4().hex,
        # argon2 at its lightest: the tests sign in often; production keeps the defaults
        "PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "8192",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        **{f"{name.upper()}_DATABASE_URL": url for name, url in service_urls.items()},
        **(env or {})}, log_dir)
    paysim = Paysim(webhook_url=(env or {}).get("PAYSIM_WEBHOOK_URL")
                    or f"http://127.0.0.1:{port}/api/v1/payments/webhook",
                    processes=processes)
    processes.env.update(paysim.funding_env())
    mail = MailCatcher(processes=processes)
    processes.env.update(mail.smtp_env())
    try:
        paysim.start()
        mail.start()
        processes.start(*SERVICE_NAMES, "gateway")
        wait_ready(f"http://127.0.0.1:{port}")
        yield platform_class(f"http://127.0.0.1:{port}", database_urls, processes, paysim,
                             mail, **platform_options)
    finally:
        processes.stop()
