"""Event data the tests emit by hand, valid for the current schemas, and how they are
published as funding's outbox relay would."""
import json
import uuid
from datetime import datetime, timezone

import kombu

from services.funding.schemas import CONTRIBUTION_CONFIRMED
from shared.envelope import make_envelope
from shared.topology import event_exchange


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


def publish_confirmed(amqp_uri, *envelopes):
    """As funding's outbox relay does: persistent, with the event id as message id."""
    with kombu.Connection(amqp_uri, connect_timeout=5) as connection:
        producer = connection.Producer()
        for envelope in envelopes:
            producer.publish(json.dumps(envelope), exchange=event_exchange("funding"),
                             routing_key="contribution_confirmed", delivery_mode=2,
                             content_type="application/json", content_encoding="utf-8",
                             message_id=envelope["event_id"], retry=True)
