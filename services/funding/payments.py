"""The payment provider as funding sees it: a small HTTP client, and the nameko
dependency that gives each worker one (`self.payments`).

The protocol is paysim's (README.md, "Simulated payment provider"), shaped like a real
provider's, so a real one can take its place behind this client. Its failures become
DomainErrors the gateway already knows how to answer.
"""
import ipaddress
import json
import os
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import certifi
import urllib3
from nameko.extensions import DependencyProvider
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as HTTPTimeout

from shared.errors import BAD_REQUEST, CONFLICT, NOT_FOUND, UNAVAILABLE, DomainError


class PaymentProvider:
    # Under the gateway's RPC timeout (5 s by default): a slow provider is a clear 503.
    def __init__(self, base_url: str, api_key: str, timeout: float = 3.0, pool_size: int = 10):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {api_key}"}
        # urllib3 directly, not requests: the same pooled call costs a quarter to a third
        # less CPU (bench/payment_client.py); this client uses none of what requests adds.
        # The environment (proxies, NO_PROXY, a CA bundle) is read once, here, as requests
        # read it: the proxy for the provider's scheme unless NO_PROXY names its host, and
        # certifi's roots unless REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE names others.
        self.proxy = _proxy_for(self.base_url)
        self.ca_bundle = (os.environ.get("REQUESTS_CA_BUNDLE")
                          or os.environ.get("CURL_CA_BUNDLE") or certifi.where())
        ca = ({"ca_cert_dir": self.ca_bundle} if os.path.isdir(self.ca_bundle)
              else {"ca_certs": self.ca_bundle})
        ca = ca if urlsplit(self.base_url).scheme == "https" or self.proxy else {}
        # One pool: connections are kept alive and reused between calls. It keeps as many
        # as the workers that may call at once (`pool_size`): a smaller one would open
        # and drop a connection per call beyond it. Without a proxy it is the provider's
        # own pool, asked for paths (a PoolManager's lookup per call costs some 70 us);
        # through a proxy, a ProxyManager, asked for whole URLs.
        if self.proxy:
            self._pool = urllib3.ProxyManager(self.proxy, num_pools=1, maxsize=pool_size,
                                              **ca)
            self._target = self.base_url
        else:
            self._pool = urllib3.connection_from_url(self.base_url, maxsize=pool_size,
                                                     **ca)
            self._target = urlsplit(self.base_url).path

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
        if self.proxy:
            self._pool.clear()  # a ProxyManager: it closes the pools it keeps
        else:
            self._pool.close()

    def _call(self, method: str, path: str, body: dict | None = None,
              headers: dict | None = None, *, idempotent: bool = False) -> dict:
        # A kept-alive connection the provider closes just as it is reused fails with no
        # answer ("Remote end closed connection"), seen under load. A call that does the
        # same once or twice (a read, a create with its Idempotency-Key) is sent once
        # more; a capture or a refund is not: the caller's retry finds out what happened.
        attempts = 2 if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                # No retries and no redirects from urllib3: this loop decides what is
                # sent again. The body is read before the connection goes back.
                response = self._pool.request(method, self._target + path, json=body,
                                              headers={**self.headers, **(headers or {})},
                                              timeout=self.timeout, retries=False,
                                              redirect=False)
                break
            except HTTPError as exc:
                if attempt < attempts and not _timed_out(exc):
                    continue  # not a slow provider: that stays one wait, under the RPC's
                raise _unavailable(f"The payment provider did not answer: {exc}") from exc
        if response.status >= 500 or 300 <= response.status < 400:
            raise _unavailable(f"The payment provider failed ({response.status}).")
        try:
            payload = json.loads(response.data)
        except ValueError:
            raise _unavailable(
                f"The payment provider answered {response.status} without JSON.") from None
        if response.status < 400:
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        raise _refusal(response.status, error if isinstance(error, dict) else {})


def _timed_out(exc: HTTPError) -> bool:
    """A connect or read timeout; a refused or unresolved connection is not one, though
    urllib3 files NewConnectionError under ConnectTimeoutError."""
    return isinstance(exc, HTTPTimeout) and not isinstance(exc, NewConnectionError)


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for `url` (HTTP(S)_PROXY, ALL_PROXY), unless
    NO_PROXY names its host."""
    proxies = getproxies_environment()
    parts = urlsplit(url)
    if proxy_bypass_environment(parts.netloc, proxies) \
            or _in_a_no_proxy_network(parts.hostname, proxies.get("no", "")):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def _in_a_no_proxy_network(host: str | None, no_proxy: str) -> bool:
    """An IP address inside a network NO_PROXY names (`10.0.0.0/8`): the stdlib matches
    host names and suffixes only, requests matched networks too, and operators write them."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False  # a host name: proxy_bypass_environment has said
    for entry in no_proxy.split(","):
        try:
            if "/" in entry and address in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue  # not a network: a host name or suffix
    return False


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
    eventlet its calls are cooperative: a slow provider blocks one worker only."""

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
