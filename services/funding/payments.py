"""The payment provider as funding sees it: a small HTTP client, and the nameko
dependency that gives each worker one (`self.payments`).

The protocol is paysim's (README.md, "Simulated payment provider"), shaped like a real
provider's, so a real one can take its place behind this client. Its failures become
DomainErrors the gateway already knows how to answer.
"""
import os

import requests
from nameko.extensions import DependencyProvider
from requests.adapters import HTTPAdapter

from shared.errors import BAD_REQUEST, CONFLICT, NOT_FOUND, UNAVAILABLE, DomainError


class PaymentProvider:
    # Under the gateway's RPC timeout (5 s by default): a slow provider is a clear 503.
    def __init__(self, base_url: str, api_key: str, timeout: float = 3.0, pool_size: int = 10):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # One session: connections are kept alive and reused between calls. Its pool
        # keeps as many as the workers that may call at once (`pool_size`): a smaller
        # one would open and drop a connection per call beyond it.
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["Authorization"] = f"Bearer {api_key}"
        # The environment (proxies, NO_PROXY, a CA bundle) read once, here, as requests
        # would read it on every call: per call it scans every environment variable
        # twice and looks for a .netrc (about a third of the client's own CPU per call).
        # The Authorization header above is the only credential sent.
        self.session.trust_env = False
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.session.verify = (os.environ.get("REQUESTS_CA_BUNDLE")
                               or os.environ.get("CURL_CA_BUNDLE") or True)

    def create_payment(self, *, amount_cents: int, reference: str, description: str,
                       capture: str, return_url: str | None, idempotency_key: str) -> dict:
        """A pending payment; its `redirect_url` is where the payer goes to answer. The
        same `idempotency_key` with the same fields answers the same payment."""
        body = {"amount_cents": amount_cents, "currency": "EUR", "reference": reference,
                "description": description, "capture": capture, "return_url": return_url}
        return self._call("POST", "/v1/payments", body,
                          headers={"Idempotency-Key": idempotency_key}, idempotent=True)

    def get_payment(self, payment_id: str) -> dict:
        return self._call("GET", f"/v1/payments/{payment_id}", idempotent=True)

    def capture(self, payment_id: str) -> dict:
        return self._call("POST", f"/v1/payments/{payment_id}/capture")

    def cancel(self, payment_id: str) -> dict:
        """Cancel a pending payment, or release an authorization (never charged)."""
        return self._call("POST", f"/v1/payments/{payment_id}/cancel")

    def refund(self, payment_id: str, amount_cents: int | None = None) -> dict:
        """Refund `amount_cents` of a captured payment, or all that is left of it."""
        body = {} if amount_cents is None else {"amount_cents": amount_cents}
        return self._call("POST", f"/v1/payments/{payment_id}/refunds", body)

    def close(self) -> None:
        self.session.close()

    def _call(self, method: str, path: str, body: dict | None = None,
              headers: dict | None = None, *, idempotent: bool = False) -> dict:
        # A kept-alive connection the provider closes just as it is reused fails with no
        # answer ("Remote end closed connection"), seen under load. A call that does the
        # same once or twice (a read, a create with its Idempotency-Key) is sent once
        # more; a capture or a refund is not: the caller's retry finds out what happened.
        attempts = 2 if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.request(method, self.base_url + path, json=body,
                                                headers=headers, timeout=self.timeout)
                break
            except requests.ConnectionError as exc:
                if attempt < attempts and not isinstance(exc, requests.Timeout):
                    continue  # not a slow provider: that stays one wait, under the RPC's
                raise _unavailable(f"The payment provider did not answer: {exc}") from exc
            except requests.RequestException as exc:
                raise _unavailable(f"The payment provider did not answer: {exc}") from exc
        if response.status_code >= 500:
            raise _unavailable(f"The payment provider failed ({response.status_code}).")
        try:
            payload = response.json()
        except ValueError:
            raise _unavailable(
                f"The payment provider answered {response.status_code} without JSON.") from None
        if response.status_code < 400:
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        raise _refusal(response.status_code, error if isinstance(error, dict) else {})


def _unavailable(message: str) -> DomainError:
    return DomainError(UNAVAILABLE, "payment_provider_unavailable", message)


def _refusal(status_code: int, error: dict) -> DomainError:
    message = error.get("message") or f"The payment provider answered {status_code}."
    if status_code == 404:
        return DomainError(NOT_FOUND, "payment_not_found", message)
    if status_code == 409 and error.get("code") == "invalid_transition":
        return DomainError(CONFLICT, "payment_invalid_transition", message,
                           {"status": error.get("status")})
    details = {"provider_code": error["code"]} if error.get("code") else {}
    if error.get("fields"):
        details["fields"] = error["fields"]
    return DomainError(BAD_REQUEST, "payment_rejected", message, details)


class Payments(DependencyProvider):
    """Gives each worker `self.payments`, the container's one PaymentProvider. Under
    eventlet its requests are cooperative: a slow provider blocks one worker only."""

    def setup(self):
        config = self.container.config
        self.provider = PaymentProvider(config["PAYMENT_PROVIDER_URL"],
                                        config["PAYMENT_API_KEY"],
                                        pool_size=config.get("max_workers", 10))

    def stop(self):
        self.provider.close()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self.provider
