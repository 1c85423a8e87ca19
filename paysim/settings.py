"""paysim's settings, read from PAYSIM_* environment variables."""
import os
from dataclasses import dataclass

DEFAULT_BIND = "127.0.0.1:8100"


@dataclass(frozen=True)
class PaysimSettings:
    api_key: str
    webhook_secret: str
    webhook_url: str = ""  # empty: events are listed, never sent
    bind: str = DEFAULT_BIND
    public_url: str = ""   # empty: http://<bind>

    @classmethod
    def from_env(cls, environ=None) -> "PaysimSettings":
        environ = os.environ if environ is None else environ
        bind = environ.get("PAYSIM_BIND") or DEFAULT_BIND
        return cls(api_key=environ.get("PAYSIM_API_KEY", ""),
                   webhook_secret=environ.get("PAYSIM_WEBHOOK_SECRET", ""),
                   webhook_url=environ.get("PAYSIM_WEBHOOK_URL", ""),
                   bind=bind,
                   public_url=environ.get("PAYSIM_PUBLIC_URL", ""))

    def __post_init__(self):
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.bind}")

    def check(self) -> None:
        """Refuse to start half-configured: no key would let anyone in, and an empty
        secret would sign webhooks anyone can forge."""
        missing = [name for name, value in (("PAYSIM_API_KEY", self.api_key),
                                            ("PAYSIM_WEBHOOK_SECRET", self.webhook_secret))
                   if not value]
        if missing:
            raise RuntimeError(f"paysim needs {' and '.join(missing)} to start.")
