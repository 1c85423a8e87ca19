"""The container health check: exit 0 if this paysim's /healthz answers."""
import os
import sys

from shared.http_health import healthz

if __name__ == "__main__":
    sys.exit(healthz("paysim", os.environ.get("PAYSIM_BIND", "127.0.0.1:8100")))
