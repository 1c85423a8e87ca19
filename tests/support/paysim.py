"""paysim as a real process, started with the command `make run` and compose use.

    with Paysim(tmp_path, webhook_url=receiver_url) as paysim:
        payment = paysim.client().create_payment(...)
        paysim.pay(payment["id"])          # the payer confirms, as a browser would
        paysim.wait_for_event(payment["id"], "payment.authorized")

Pass `processes=` (a tests.support.platform.Processes) to run it beside the platform's
processes, and `funding_env()` to the funding service so both hold the same secrets.
"""
import secrets
import tempfile
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from services.funding.payments import PaymentProvider
from tests.support.platform import Processes, free_port
from tests.support.waiting import wait_until


class Paysim:
    def __init__(self, log_dir: Path | None = None, *, webhook_url: str = "",
                 processes: Processes | None = None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.webhook_url = webhook_url
        self.api_key = f"sk_test_{secrets.token_hex(16)}"
        self.webhook_secret = f"whsec_{secrets.token_hex(16)}"
        self.processes = processes or Processes(
            {}, Path(log_dir or tempfile.mkdtemp(prefix="paysim-logs-")))
        # paysim's gunicorn closes a connection idle for 5 s (keepalive): a read reused
        # at that instant is sent again on a new one. A payer's decision is not (below).
        self.http = requests.Session()
        self.http.mount("http://", HTTPAdapter(max_retries=Retry(total=2, connect=2, read=2,
                                                                 status=0)))

    def start(self, timeout: float = 30.0) -> "Paysim":
        self.processes.start("paysim", PAYSIM_BIND=f"127.0.0.1:{self.port}",
                             PAYSIM_API_KEY=self.api_key,
                             PAYSIM_WEBHOOK_SECRET=self.webhook_secret,
                             PAYSIM_WEBHOOK_URL=self.webhook_url,
                             PAYSIM_PUBLIC_URL=self.base_url)
        wait_until(self._healthy, timeout=timeout, interval=0.1,
                   message=f"paysim on {self.base_url}")
        return self

    def stop(self) -> None:
        self.http.close()
        if "paysim" in self.processes.children:  # not already stopped with the others
            self.processes.stop("paysim")

    def __enter__(self) -> "Paysim":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def funding_env(self) -> dict:
        """What the funding service needs to call this paysim and check its webhooks."""
        return {"PAYMENT_PROVIDER_URL": self.base_url, "PAYMENT_API_KEY": self.api_key,
                "PAYMENT_WEBHOOK_SECRET": self.webhook_secret}

    def client(self, api_key: str | None = None) -> PaymentProvider:
        return PaymentProvider(self.base_url, api_key or self.api_key)

    def pay(self, payment_id: str) -> requests.Response:
        """The payer presses « Payer »; the answer is the 303 back to the merchant."""
        return self._decide(payment_id, "confirm")

    def refuse(self, payment_id: str) -> requests.Response:
        """The payer presses « Refuser le paiement »."""
        return self._decide(payment_id, "fail")

    def events(self, payment_id: str | None = None) -> list[dict]:
        """Events with their delivery (`status`, `attempts`...), oldest first."""
        answer = self.http.get(f"{self.base_url}/v1/events", timeout=5,
                               params={"payment_id": payment_id} if payment_id else None,
                               headers={"Authorization": f"Bearer {self.api_key}"})
        answer.raise_for_status()
        return answer.json()["data"]

    def wait_for_event(self, payment_id: str, event_type: str, delivery: str = "delivered",
                       timeout: float = 15.0) -> dict:
        def found():
            return next((event for event in self.events(payment_id)
                         if event["type"] == event_type
                         and event["delivery"]["status"] == delivery), None)
        return wait_until(found, timeout=timeout, interval=0.1,
                          message=f"{event_type} of {payment_id} {delivery}")

    def _decide(self, payment_id: str, decision: str) -> requests.Response:
        # On a connection of its own, as a payer's page is: a POST that met a kept-alive
        # connection closed by paysim would not be known to have been taken or not.
        return requests.post(f"{self.base_url}/pay/{payment_id}", data={"decision": decision},
                             allow_redirects=False, timeout=5, headers={"Connection": "close"})

    def _healthy(self) -> bool:
        self.processes.assert_running()
        try:
            return self.http.get(f"{self.base_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False
