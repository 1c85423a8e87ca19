"""What the fault tests check after a fault: each answer, and that funding's facts and
reporting's figures agree, each contribution counted once."""
import json
import threading
import uuid
from collections import Counter

import requests

from tests.support.funding import contribute, payment_id
from tests.support.waiting import wait_until

# The codes of a 503 that says "try again": a service, the broker or a database away.
UNAVAILABLE_CODES = {"service_unavailable", "service_timeout", "broker_unavailable",
                     "gateway_busy", "database_unavailable"}


def assert_clear_answer(answer: requests.Response, allowed=(200, 201, 409)):
    """A success, an allowed refusal, or a 503 problem that says what is away; never a
    500 nor a bare error page."""
    if answer.status_code == 503:
        assert answer.headers["Content-Type"] == "application/problem+json", answer.text
        problem = answer.json()
        assert problem["status"] == 503 and problem["code"] in UNAVAILABLE_CODES, problem
        assert problem["title"] and problem["correlation_id"], problem
        return
    assert answer.status_code in allowed, f"{answer.status_code}: {answer.text[:500]}"


class Contributors:
    """Threads that pledge contributions to one campaign and pay each one the API says
    it created, until told to stop. Every answer is checked; a pledge answered 503 is
    kept (with its key and body) to be retried once the fault is over."""

    def __init__(self, platform, campaign_id, threads=4):
        self.platform, self.campaign_id, self.threads = platform, campaign_id, threads
        self.headers = platform.headers("citizen")  # signed in before any fault
        self.created = {}      # contribution id -> amount, as the API answered them
        self.unanswered = []   # (key, amount) of pledges answered 503
        self.statuses = Counter()
        self.failures = []     # what a thread saw that it must not
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = []

    def start(self):
        for index in range(self.threads):
            worker = threading.Thread(target=self._run, args=(index,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self):
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=60)
            assert not worker.is_alive(), "a contributor thread is stuck"
        assert not self.failures, f"{len(self.failures)} wrong answers, first: {self.failures[:3]}"

    def wait_flowing_again(self, since, more, message, timeout=60):
        """More than `more` contributions created after the counts `since` (a copy of
        `statuses` taken during the fault)."""
        wait_until(lambda: self.statuses[201] > since[201] + more, timeout=timeout,
                   message=message)

    def assert_the_fault_was_said_clearly(self):
        """The fault was real (some 503s while it lasted) and never became a 500."""
        assert self.statuses[503] > 0, self.statuses
        assert set(self.statuses) <= {201, 409, 503}, self.statuses

    def pledge(self, key, amount):
        """One pledge; a created one is paid at once. Returns the answer."""
        answer = contribute(self.platform, self.campaign_id, amount, headers=self.headers,
                            key=key)
        with self._lock:
            self.statuses[answer.status_code] += 1
        assert_clear_answer(answer)
        if answer.status_code == 201:
            contribution = answer.json()
            assert contribution["amount_cents"] == amount, contribution
            paid = self.platform.paysim.pay(payment_id(contribution))  # the provider: no broker
            assert paid.status_code == 303, paid.text
            with self._lock:
                self.created[contribution["id"]] = amount
        return answer

    def retry_unanswered(self):
        """A client retries what was answered 503 with the same key: a pledge that was
        taken although its answer was lost is found again, never taken twice."""
        for key, amount in self.unanswered:
            answer = contribute(self.platform, self.campaign_id, amount, headers=self.headers,
                                key=key)
            assert_clear_answer(answer, allowed=(201,))
            contribution = answer.json()
            if contribution["id"] not in self.created:
                if contribution["status"] == "pending":
                    paid = self.platform.paysim.pay(payment_id(contribution))
                    assert paid.status_code == 303, paid.text
                self.created[contribution["id"]] = amount

    def wait_all_captured(self, timeout=120):
        """Funding holds exactly the contributions the API answered, each captured once
        the provider's webhooks came through: {id: (status, amount, payment id)}."""
        last = {}

        def all_captured():
            last["found"] = found = contributions_in_funding(self.platform, self.campaign_id)
            return set(found) == set(self.created) and all(
                status == "captured" for status, _, _ in found.values()) and found
        try:
            found = wait_until(all_captured, timeout=timeout, interval=0.5,
                               message="every contribution answered 201 to be captured")
        except AssertionError as timed_out:  # say which, so that a rare failure teaches
            found = last.get("found", {})
            raise AssertionError(f"{timed_out}: {self._differences(found)}") from None
        assert {cid: amount for cid, (_, amount, _) in found.items()} == self.created
        return found

    def _differences(self, found):
        """What funding holds that the API did not answer, and the reverse, with the
        provider's state of each payment not captured."""
        def payment_status(payment):
            return payment and self.platform.paysim.client().get_payment(payment)["status"]
        return {
            "in funding, not answered": sorted(set(found) - set(self.created)),
            "answered, not in funding": sorted(set(self.created) - set(found)),
            "not captured (status, amount, provider's status)": {
                cid: (status, amount, payment_status(payment))
                for cid, (status, amount, payment) in found.items() if status != "captured"},
        }

    def _run(self, index):
        number = 0
        while not self._stop.is_set():
            number += 1
            amount, key = 1000 + 100 * index + number, str(uuid.uuid4())
            try:
                answer = self.pledge(key, amount)
            except requests.RequestException as exc:  # the gateway itself must answer
                answer = None
                self.failures.append(f"no answer: {exc}")
            except AssertionError as exc:
                answer = None
                self.failures.append(str(exc))
            if answer is not None and answer.status_code == 503:
                with self._lock:
                    self.unanswered.append((key, amount))
            self._stop.wait(0.05)


def archived_confirmations(platform):
    """contribution id -> how many contribution_confirmed events reporting archived."""
    rows = platform.query("reporting", "SELECT data FROM event_archive "
                                       "WHERE type = 'funding.contribution_confirmed'")
    return Counter(json.loads(data)["contribution_id"] for (data,) in rows)


def wait_for_agreement(platform, counted, timeout=90):
    """Wait until reporting archived each contribution of `counted` (id -> amount) once,
    and its summary counts exactly them; then check that nothing else came."""
    expected = {"contributions": len(counted), "amount_raised_cents": sum(counted.values())}

    def agree():
        summary = platform.get("/reports/summary").json()
        return {key: summary.get(key) for key in expected} == expected \
            and set(archived_confirmations(platform)) == set(counted)
    wait_until(agree, timeout=timeout, interval=0.5,
               message=f"reporting to count {expected}")
    archived = archived_confirmations(platform)
    assert archived == Counter({contribution_id: 1 for contribution_id in counted}), archived
    summary = platform.get("/reports/summary").json()
    assert {key: summary[key] for key in expected} == expected, summary


def contributions_in_funding(platform, campaign_id):
    """contribution id -> (status, amount, payment id), from funding's own database."""
    rows = platform.query("funding", "SELECT id, status, amount_cents, payment_id "
                                     "FROM contributions WHERE campaign_id = :c", c=campaign_id)
    return {row[0]: (row[1], row[2], row[3]) for row in rows}
