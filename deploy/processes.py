"""The processes of the platform and the command each runs.

The one list: `make run` (deploy/local.py) starts these, the end-to-end tests start
these, and a test checks that docker-compose.yml runs the very same commands.
"""
from shared.config import SERVICE_NAMES

SERVICE_COMMANDS = {name: ["python", "-m", "shared.cli", "start", name] for name in SERVICE_NAMES}
GATEWAY_COMMAND = ["gunicorn", "--config", "gateway/gunicorn_conf.py", "gateway.wsgi:app"]
# The simulated payment provider: not a nameko service, an HTTP one that funding calls.
PAYSIM_COMMAND = ["gunicorn", "--config", "paysim/gunicorn_conf.py", "paysim.wsgi:app"]

# A local SMTP server that keeps the mails notifications sends (deploy/mail_catcher.py).
MAIL_COMMAND = ["python", "-m", "deploy.mail_catcher"]

COMMANDS = {**SERVICE_COMMANDS, "gateway": GATEWAY_COMMAND, "paysim": PAYSIM_COMMAND,
            "mail": MAIL_COMMAND}
