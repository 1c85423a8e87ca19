"""The payments paysim knows, in memory, and the moves between their states.

    pending ──payer confirms──▶ authorized (capture=manual) ──capture──▶ captured
       │                        captured   (capture=automatic)
       ├──payer refuses──▶ failed                           captured ──refund──▶ refunded
       └──cancel──▶ cancelled ◀──cancel── authorized

Asking for the state a payment is already in changes nothing and is not an error, so a
client may retry any call. Every change publishes an event, under the ledger's lock, so
events are created in the order the changes happened.
"""
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Callable


class UnknownPayment(Exception):
    pass


class InvalidTransition(Exception):
    def __init__(self, status: str, wanted: str):
        super().__init__(f"The payment is {status}: it cannot become {wanted}.")
        self.status = status


class IdempotencyKeyReused(Exception):
    pass


class RefundTooLarge(Exception):
    def __init__(self, refundable_cents: int):
        super().__init__(f"At most {refundable_cents} cents can still be refunded.")
        self.refundable_cents = refundable_cents


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Payment:
    id: str
    status: str
    amount_cents: int
    currency: str
    reference: str
    description: str
    capture: str
    return_url: str | None
    redirect_url: str
    refunded_cents: int
    created_at: str
    updated_at: str


class Ledger:
    """`publish(event_type, payment_dict)` is called for each change, under the lock."""

    def __init__(self, public_url: str, publish: Callable[[str, dict], None]):
        self.public_url = public_url.rstrip("/")
        self.publish = publish
        self._lock = threading.Lock()
        self._payments: dict[str, Payment] = {}
        self._idempotency: dict[str, tuple[dict, str]] = {}  # key -> (request, payment id)

    def create(self, request: dict, idempotency_key: str) -> tuple[dict, bool]:
        """A new pending payment from a validated request; the same key with the same
        request answers the payment it made (as it is now), and `True` for "replayed"."""
        with self._lock:
            if idempotency_key in self._idempotency:
                first_request, payment_id = self._idempotency[idempotency_key]
                if first_request != request:
                    raise IdempotencyKeyReused()
                return asdict(self._payments[payment_id]), True
            payment_id = f"pay_{secrets.token_hex(12)}"
            now = _now()
            payment = Payment(id=payment_id, status="pending",
                              redirect_url=f"{self.public_url}/pay/{payment_id}",
                              refunded_cents=0, created_at=now, updated_at=now, **request)
            self._payments[payment_id] = payment
            self._idempotency[idempotency_key] = (request, payment_id)
            return asdict(payment), False

    def get(self, payment_id: str) -> dict:
        with self._lock:
            return asdict(self._find(payment_id))

    def capture(self, payment_id: str) -> dict:
        return self._move(payment_id, {"authorized"}, "captured")

    def cancel(self, payment_id: str) -> dict:
        # Cancelling an authorization releases it: the payer is never charged.
        return self._move(payment_id, {"pending", "authorized"}, "cancelled")

    def decide(self, payment_id: str, confirmed: bool) -> dict:
        """The payer's answer on the payer page. Only a pending payment listens: a form
        sent twice, or late, changes nothing."""
        with self._lock:
            payment = self._find(payment_id)
            if payment.status != "pending":
                return asdict(payment)
        if not confirmed:
            wanted = "failed"
        else:
            wanted = "captured" if payment.capture == "automatic" else "authorized"
        try:
            return self._move(payment_id, {"pending"}, wanted)
        except InvalidTransition:  # another request moved it in between
            return self.get(payment_id)

    def refund(self, payment_id: str, amount_cents: int | None = None) -> dict:
        """Refund `amount_cents` (default: all that is left) of a captured payment; the
        last cent refunded makes it refunded. Each refund publishes payment.refunded."""
        with self._lock:
            payment = self._find(payment_id)
            if payment.status == "refunded":
                return asdict(payment)
            if payment.status != "captured":
                raise InvalidTransition(payment.status, "refunded")
            refundable = payment.amount_cents - payment.refunded_cents
            amount = refundable if amount_cents is None else amount_cents
            if amount > refundable:
                raise RefundTooLarge(refundable)
            payment.refunded_cents += amount
            if payment.refunded_cents == payment.amount_cents:
                payment.status = "refunded"
            return self._changed(payment, "payment.refunded")

    def _move(self, payment_id: str, allowed_from: set, wanted: str) -> dict:
        with self._lock:
            payment = self._find(payment_id)
            if payment.status == wanted:
                return asdict(payment)
            if payment.status not in allowed_from:
                raise InvalidTransition(payment.status, wanted)
            payment.status = wanted
            return self._changed(payment, f"payment.{wanted}")

    def _changed(self, payment: Payment, event_type: str) -> dict:
        payment.updated_at = _now()
        snapshot = asdict(payment)
        self.publish(event_type, snapshot)
        return snapshot

    def _find(self, payment_id: str) -> Payment:
        try:
            return self._payments[payment_id]
        except KeyError:
            raise UnknownPayment(payment_id) from None
