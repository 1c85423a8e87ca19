"""Events about payments, and their signed delivery to the merchant's webhook URL.

One background thread delivers the events in the order they were created. A failed
attempt (a connection error, or any answer but 2xx, 4xx included, as real providers do:
the merchant may be mid-deploy) is tried again after 0.5 s, then 1 s, 2 s... up to 8
attempts; then the event stays listed as failed. While an event waits for its retry,
the later events of the same payment wait behind it, so a merchant sees a payment's
events in order; other payments' events go on.

The thread starts with the first event, in the process that serves requests: never in
a gunicorn master that forks workers afterwards (a thread does not survive a fork).
"""
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

import requests

from shared.signatures import SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
MAX_ATTEMPTS = 8
SEND_TIMEOUT_SECONDS = 10


def send_with_requests(url: str, body: bytes, headers: dict) -> int:
    return requests.post(url, data=body, headers=headers, timeout=SEND_TIMEOUT_SECONDS,
                         allow_redirects=False).status_code


@dataclass
class Event:
    id: str
    type: str
    created: int
    payment_id: str
    body: bytes  # the exact bytes signed and sent, fixed when the event happened
    status: str  # pending, delivered, failed; disabled when there is no webhook URL
    attempts: int = 0
    due_at: float = 0.0  # time.monotonic() of the next attempt
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: int | None = None

    def as_json(self) -> dict:
        return {**json.loads(self.body), "delivery": {
            "status": self.status, "attempts": self.attempts,
            "last_status_code": self.last_status_code, "last_error": self.last_error,
            "delivered_at": self.delivered_at}}


class Webhooks:
    def __init__(self, url: str, secret: str, *, send: Callable[[str, bytes, dict], int] = None,
                 first_retry_seconds: float = FIRST_RETRY_SECONDS,
                 max_attempts: int = MAX_ATTEMPTS):
        self.url, self.secret = url, secret
        self.send = send or send_with_requests
        self.first_retry_seconds, self.max_attempts = first_retry_seconds, max_attempts
        self._events: list[Event] = []   # every event, in creation order
        self._waiting: list[Event] = []  # those not yet delivered nor given up
        self._wakeup = threading.Condition()
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None
        self._stopping = False

    def publish(self, event_type: str, payment: dict) -> None:
        """Record an event about `payment` and queue its delivery (returns at once)."""
        created = int(time.time())
        event_id = f"evt_{secrets.token_hex(12)}"
        body = json.dumps({"id": event_id, "type": event_type, "created": created,
                           "data": payment}, ensure_ascii=False).encode()
        event = Event(event_id, event_type, created, payment["id"], body,
                      status="pending" if self.url else "disabled")
        with self._wakeup:
            self._events.append(event)
            if self.url:
                self._waiting.append(event)
                self._ensure_started()
                self._wakeup.notify()

    def events(self, payment_id: str | None = None) -> list[dict]:
        with self._wakeup:
            return [event.as_json() for event in self._events
                    if payment_id in (None, event.payment_id)]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() \
            and self._thread_pid == os.getpid()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        if self.running:
            self._thread.join(timeout)

    def _ensure_started(self) -> None:
        if not self.running:
            self._thread = threading.Thread(target=self._run, name="paysim-webhooks",
                                            daemon=True)
            self._thread_pid = os.getpid()
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                event, wait = self._next_due()
                while event is None and not self._stopping:
                    self._wakeup.wait(wait)
                    event, wait = self._next_due()
                if self._stopping:
                    return
            self._attempt(event)

    def _next_due(self) -> tuple[Event | None, float | None]:
        """The oldest event due now that no older event of its payment holds back; else
        how long until one is due (None: nothing waits)."""
        now = time.monotonic()
        held_back, soonest = set(), None
        for event in self._waiting:
            if event.payment_id in held_back:
                continue
            held_back.add(event.payment_id)
            if event.due_at <= now:
                return event, 0.0
            soonest = event.due_at if soonest is None else min(soonest, event.due_at)
        return None, None if soonest is None else soonest - now

    def _attempt(self, event: Event) -> None:
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(self.secret, event.body, int(time.time()))}
        status_code, error = None, None
        try:
            status_code = self.send(self.url, event.body, headers)
        except Exception as exc:  # connection refused, timeout, DNS: all mean "try again"
            error = f"{type(exc).__name__}: {exc}"
        with self._wakeup:
            event.attempts += 1
            event.last_status_code, event.last_error = status_code, error
            if status_code is not None and 200 <= status_code < 300:
                event.status, event.delivered_at = "delivered", int(time.time())
            elif event.attempts >= self.max_attempts:
                event.status = "failed"
            else:
                event.due_at = time.monotonic() + \
                    self.first_retry_seconds * 2 ** (event.attempts - 1)
            if event.status != "pending":
                self._waiting.remove(event)
        outcome = {"event_id": event.id, "event_type": event.type, "attempt": event.attempts,
                   "status_code": status_code, "error": error, "delivery": event.status}
        if event.status == "delivered":
            log.info("webhook delivered", extra=outcome)
        else:
            log.warning("webhook attempt failed", extra=outcome)
