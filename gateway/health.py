"""/healthz: the process answers. /readyz: the broker and every service answer."""
from flask import Blueprint, current_app, jsonify
from nameko.standalone.rpc import ClusterRpcProxy

from shared.config import SERVICE_NAMES

health = Blueprint("health", __name__)
READY_TIMEOUT = 2.0


@health.get("/healthz")
def healthz():
    return {"status": "ok"}


@health.get("/readyz")
def readyz():
    checks = {}
    try:
        # Its own short-lived client, not the pool's: a probe must not wait behind traffic.
        with ClusterRpcProxy({"AMQP_URI": current_app.config["AMQP_URI"]},
                             timeout=READY_TIMEOUT) as rpc:
            checks["broker"] = "ok"
            for name in SERVICE_NAMES:
                try:
                    getattr(rpc, name).ping()
                    checks[name] = "ok"
                except Exception as exc:  # any failure means "not ready", reported by name
                    checks[name] = _reason(exc)
    except Exception as exc:
        checks["broker"] = _reason(exc)
    ready = all(value == "ok" for value in checks.values()) and len(checks) > 1
    response = jsonify({"status": "ready" if ready else "not_ready", "checks": checks})
    response.status_code = 200 if ready else 503
    return response


def _reason(exc):
    return {"RpcTimeout": "timeout", "UnknownService": "not_running"}.get(
        type(exc).__name__, "unreachable")
