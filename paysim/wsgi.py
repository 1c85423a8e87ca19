"""The WSGI entry point gunicorn serves (see paysim/gunicorn_conf.py)."""
import os

from paysim.app import create_app
from shared import logs

logs.configure("paysim", os.environ.get("LOG_LEVEL", "INFO"))
app = create_app()
