"""What every Domb'Innov service shares, written once.

config (settings from the environment), logs (JSON logs with the correlation id),
errors (the one DomainError that crosses RPC), envelope (the event envelope),
database (engines and units of work), messaging (outbox, inbox, dead-letter and
idempotency tables), outbox (the relay), inbox (handlers that apply an event once),
topology (exchanges and queues), service (what every service class is made of),
migrate (Alembic per service) and cli (the commands that run a service).
"""
import warnings

# eventlet >= 0.40.4 warns at import with a plain `Warning` subclass; nameko imports it
# even in the gateway. A run that treats warnings as errors must not die of it, so the
# filter is set before anything of ours can import nameko.
EVENTLET_DEPRECATION = r"\s*Eventlet is deprecated"
warnings.filterwarnings("ignore", message=EVENTLET_DEPRECATION)
