"""The one simulator a paysim process holds: its settings, payments and events."""
from dataclasses import dataclass

from flask import current_app

from paysim.ledger import Ledger
from paysim.settings import PaysimSettings
from paysim.webhooks import Webhooks


@dataclass
class Simulator:
    settings: PaysimSettings
    ledger: Ledger
    webhooks: Webhooks

    @classmethod
    def build(cls, settings: PaysimSettings, **webhook_options) -> "Simulator":
        webhooks = Webhooks(settings.webhook_url, settings.webhook_secret, **webhook_options)
        return cls(settings, Ledger(settings.public_url, webhooks.publish), webhooks)


def current() -> Simulator:
    return current_app.extensions["paysim"]
