"""Event data the tests emit by hand, valid for the current schemas, and how they are
published as funding's outbox relay would; raw messages no publisher of ours would send;
and the operator's dead-letters command."""
import json
import os
import subprocess
import uuid
from datetime import datetime, timezone

import kombu

from services.funding.schemas import CONTRIBUTION_CONFIRMED, CONTRIBUTION_PLEDGED
from shared.config import REPO_ROOT
from shared.envelope import make_envelope
from shared.topology import event_exchange
from tests.support.platform import executable


def organisation_registered(name="Recyclerie"):
    return {"organisation_id": str(uuid.uuid4()), "name": name, "legal_form": "other",
            "siret": None, "siren": None, "postal_code": "01000", "commune": "Bourg",
            "territory": "outside", "sector": None, "headcount_fte": 0.0}


def confirmed_contribution(amount_cents, correlation_id="corr-tests"):
    """The envelope of `funding.contribution_confirmed` for a new contribution."""
    now = datetime.now(timezone.utc).isoformat()
    return make_envelope(CONTRIBUTION_CONFIRMED, {
        "contribution_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()),
        "project_id": str(uuid.uuid4()), "kind": "donation", "model": "keep_it_all",
        "channel": "online", "amount_cents": amount_cents, "status": "captured", "at": now,
        "matched_cents": 0, "contributor_account_id": None, "confirmed_at": now},
        correlation_id)


def pledged_contribution(amount_cents, correlation_id="corr-tests"):
    """The envelope of `funding.contribution_pledged` for a new contribution."""
    return make_envelope(CONTRIBUTION_PLEDGED, {
        "contribution_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()),
        "project_id": str(uuid.uuid4()), "kind": "donation", "model": "keep_it_all",
        "channel": "online", "amount_cents": amount_cents, "status": "pending",
        "at": datetime.now(timezone.utc).isoformat(), "contributor_account_id": None},
        correlation_id)


def publish_confirmed(amqp_uri, *envelopes):
    """As funding's outbox relay does: persistent, with the event id as message id."""
    with kombu.Connection(amqp_uri, connect_timeout=5) as connection:
        producer = connection.Producer()
        for envelope in envelopes:
            producer.publish(json.dumps(envelope), exchange=event_exchange("funding"),
                             routing_key="contribution_confirmed", delivery_mode=2,
                             content_type="application/json", content_encoding="utf-8",
                             message_id=envelope["event_id"], retry=True)


def publish_raw(amqp_uri, body: bytes, content_type, content_encoding="utf-8",
                source="funding", routing_key="contribution_confirmed"):
    """Bytes as they are, to `<source>.events`: what a foreign or broken publisher sends."""
    with kombu.Connection(amqp_uri, connect_timeout=5) as connection:
        connection.Producer().publish(body, exchange=event_exchange(source),
                                      routing_key=routing_key, delivery_mode=2,
                                      content_type=content_type,
                                      content_encoding=content_encoding, retry=True)


def dead_letters_command(amqp_uri, service, *arguments):
    """`python -m shared.cli dead-letters <service> ...`, as an operator runs it: a separate
    process against the service's broker."""
    return subprocess.run(
        executable(["python", "-m", "shared.cli", "dead-letters", service, *arguments]),
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "AMQP_URI": amqp_uri,
                            "RPC_TIMEOUT": "5"},
        capture_output=True, text=True, timeout=60)
