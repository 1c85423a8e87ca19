"""The WSGI entry point gunicorn serves (see gateway/gunicorn_conf.py)."""
import os

from gateway.app import create_app
from shared import logs
from shared.config import Settings

settings = Settings()
logs.configure("gateway", settings.log_level)
app = create_app(settings, pool_size=int(os.environ.get("GATEWAY_THREADS", "8")))
