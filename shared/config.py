"""Settings read from environment variables, with zero-setup defaults for a local run."""
import os
from dataclasses import dataclass, field
from pathlib import Path

SERVICE_NAMES = ("members", "projects", "funding", "reporting", "notifications")
REPO_ROOT = Path(__file__).resolve().parent.parent


def _float(name, default):
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _int(name, default):
    raw = os.environ.get(name)
    return int(raw) if raw else default


def database_url(service_name: str) -> str:
    """`<SERVICE>_DATABASE_URL`, or a SQLite file under DATA_DIR (default ./var)."""
    explicit = os.environ.get(f"{service_name.upper()}_DATABASE_URL")
    if explicit:
        return explicit
    data_dir = Path(os.environ.get("DATA_DIR", REPO_ROOT / "var"))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / service_name}.sqlite"


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(
        default_factory=lambda: os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    )
    # The kind of queue services declare: "classic" (one broker), or "quorum" (replicated
    # across a RabbitMQ cluster's nodes; README, "Past one machine"). A vhost's queues keep
    # the type they were declared with: switching needs a fresh vhost.
    amqp_queue_type: str = field(
        default_factory=lambda: os.environ.get("AMQP_QUEUE_TYPE", "classic"))
    # Seconds a caller waits for an RPC answer before giving up (the gateway never hangs).
    rpc_timeout: float = field(default_factory=lambda: _float("RPC_TIMEOUT", 5.0))
    # Concurrent workers per service process (nameko's max_workers).
    max_workers: int = field(default_factory=lambda: _int("MAX_WORKERS", 10))
    # The outbox relay's safety-net poll; commits wake it at once.
    outbox_poll_interval: float = field(
        default_factory=lambda: _float("OUTBOX_POLL_INTERVAL", 1.0)
    )
    outbox_batch_size: int = field(default_factory=lambda: _int("OUTBOX_BATCH_SIZE", 200))
    log_level: str = field(default_factory=lambda: os.environ.get("LOG_LEVEL", "INFO"))
    # Signs the gateway's access tokens; every gateway replica needs the same one.
    jwt_secret: str = field(default_factory=lambda: os.environ.get("JWT_SECRET", ""))
    access_token_seconds: int = field(default_factory=lambda: _int("ACCESS_TOKEN_SECONDS", 900))
    # Reverse proxies in front of the gateway whose X-Forwarded-For is trusted (0: none,
    # the header is ignored and the client is the connection's address).
    trusted_proxies: int = field(default_factory=lambda: _int("TRUSTED_PROXIES", 0))
    # Members: the circles of membership, the dues scale (JSON, see
    # services/members/domain/memberships.py), the grace before unpaid dues lapse a
    # membership, the day renewal for next year opens, how often the calendar runs.
    membership_circles: tuple = field(default_factory=lambda: tuple(
        os.environ.get("MEMBERSHIP_CIRCLES", "core,project,ally").split(",")))
    dues_scale_json: str = field(default_factory=lambda: os.environ.get("DUES_SCALE", ""))
    dues_grace_days: int = field(default_factory=lambda: _int("DUES_GRACE_DAYS", 60))
    renewal_opens_on: str = field(default_factory=lambda: os.environ.get("RENEWAL_OPENS_ON",
                                                                         "12-01"))
    calendar_seconds: float = field(default_factory=lambda: _float("CALENDAR_SECONDS", 300.0))
    # argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    password_hash_time_cost: int = field(
        default_factory=lambda: _int("PASSWORD_HASH_TIME_COST", 3))
    password_hash_memory_kib: int = field(
        default_factory=lambda: _int("PASSWORD_HASH_MEMORY_KIB", 65536))

    # Funding: the payment provider (the simulated one in `make run` and the tests), the
    # gateway's public address (where the payer comes back), how long a pending payment
    # holds a reward or a place under the cap, how often deadlines and holds are checked,
    # and what an hour of volunteering is worth (default: the French SMIC, gross, 2026).
    payment_provider_url: str = field(default_factory=lambda: os.environ.get(
        "PAYMENT_PROVIDER_URL", "http://127.0.0.1:8100"))
    # Where payers' browsers reach the provider's pages, when it differs from the address
    # services call (compose: http://paysim:8100 inside, http://localhost:8100 outside).
    # The pages' Content-Security-Policy lets forms lead there, and nowhere else.
    payment_page_url: str = field(default_factory=lambda: os.environ.get(
        "PAYMENT_PAGE_URL") or os.environ.get("PAYMENT_PROVIDER_URL", "http://127.0.0.1:8100"))
    payment_api_key: str = field(default_factory=lambda: os.environ.get("PAYMENT_API_KEY", ""))
    payment_webhook_secret: str = field(
        default_factory=lambda: os.environ.get("PAYMENT_WEBHOOK_SECRET", ""))
    public_url: str = field(default_factory=lambda: os.environ.get("PUBLIC_URL",
                                                                   "http://127.0.0.1:8000"))
    payment_hold_seconds: int = field(default_factory=lambda: _int("PAYMENT_HOLD_SECONDS", 1800))
    transfer_hold_days: int = field(default_factory=lambda: _int("TRANSFER_HOLD_DAYS", 10))
    funding_clock_seconds: float = field(
        default_factory=lambda: _float("FUNDING_CLOCK_SECONDS", 5.0))
    # How long after a shares campaign's deadline (or a subscription's reflection period,
    # when it ends later) the decision waits for the board's word on each subscription.
    board_decision_days: int = field(default_factory=lambda: _int("BOARD_DECISION_DAYS", 15))
    # The clock asks the provider about payments waiting this long since their last move
    # (their webhooks may be lost), at most this many per tick, each less and less often.
    payment_reconcile_after_seconds: float = field(
        default_factory=lambda: _float("PAYMENT_RECONCILE_AFTER_SECONDS", 60.0))
    payment_reconcile_batch: int = field(
        default_factory=lambda: _int("PAYMENT_RECONCILE_BATCH", 50))
    volunteer_hour_value_cents: int = field(
        default_factory=lambda: _int("VOLUNTEER_HOUR_VALUE_CENTS", 1202))
    # The campaign page asks a contributor to confirm an amount from this one up (or one
    # above the campaign's whole goal) before the payment page: a slip of the keyboard
    # (1 500 for 15) is caught before any payment.
    contribution_confirm_above_cents: int = field(
        default_factory=lambda: _int("CONTRIBUTION_CONFIRM_ABOVE_CENTS", 50_000))

    # Notifications: the SMTP server mails go through (by default the local catcher that
    # `make run` starts, deploy/mail_catcher.py), who they come from, and how often the
    # mails due are sent (and failed ones tried again, with backoff).
    smtp_host: str = field(default_factory=lambda: os.environ.get("SMTP_HOST", "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: _int("SMTP_PORT", 1025))
    smtp_from: str = field(default_factory=lambda: os.environ.get(
        "SMTP_FROM", "Domb'Innov <ne-pas-repondre@dombinnov.fr>"))
    smtp_user: str = field(default_factory=lambda: os.environ.get("SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: os.environ.get("SMTP_PASSWORD", ""))
    smtp_starttls: bool = field(default_factory=lambda: os.environ.get(
        "SMTP_STARTTLS", "").lower() in ("1", "true", "yes"))
    mail_send_seconds: float = field(default_factory=lambda: _float("MAIL_SEND_SECONDS", 2.0))

    def nameko_config(self, service_name: str) -> dict:
        """The config dict a nameko container of `service_name` runs with."""
        return {
            "AMQP_URI": self.amqp_uri,
            "AMQP_QUEUE_TYPE": self.amqp_queue_type,
            "max_workers": self.max_workers,
            "parent_calls_tracked": 10,
            "SERVICE_NAME": service_name,
            "SERVICE_CONTAINER_CLS": "shared.container.Container",
            "DATABASE_URL": database_url(service_name),
            "RPC_TIMEOUT": self.rpc_timeout,
            "OUTBOX_POLL_INTERVAL": self.outbox_poll_interval,
            "OUTBOX_BATCH_SIZE": self.outbox_batch_size,
            "MEMBERSHIP_CIRCLES": list(self.membership_circles),
            "DUES_SCALE_JSON": self.dues_scale_json,
            "DUES_GRACE_DAYS": self.dues_grace_days,
            "RENEWAL_OPENS_ON": self.renewal_opens_on,
            "PASSWORD_HASH_TIME_COST": self.password_hash_time_cost,
            "PASSWORD_HASH_MEMORY_KIB": self.password_hash_memory_kib,
            "PAYMENT_PROVIDER_URL": self.payment_provider_url,
            "PAYMENT_API_KEY": self.payment_api_key,
            "PAYMENT_WEBHOOK_SECRET": self.payment_webhook_secret,
            "PUBLIC_URL": self.public_url,
            "PAYMENT_HOLD_SECONDS": self.payment_hold_seconds,
            "TRANSFER_HOLD_DAYS": self.transfer_hold_days,
            "BOARD_DECISION_DAYS": self.board_decision_days,
            "PAYMENT_RECONCILE_AFTER_SECONDS": self.payment_reconcile_after_seconds,
            "PAYMENT_RECONCILE_BATCH": self.payment_reconcile_batch,
            "VOLUNTEER_HOUR_VALUE_CENTS": self.volunteer_hour_value_cents,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_FROM": self.smtp_from,
            "SMTP_USER": self.smtp_user,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_STARTTLS": self.smtp_starttls,
        }
