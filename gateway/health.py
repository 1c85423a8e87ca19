"""/healthz: the process answers. /readyz: the broker, every service and each one's
database answer, each named."""
from flask import Blueprint, current_app, jsonify

from shared.config import SERVICE_NAMES
from shared.rpc import ClusterRpcProxy

health = Blueprint("health", __name__)
READY_TIMEOUT = 2.0


@health.get("/healthz")
def healthz():
    return {"status": "ok"}


@health.get("/readyz")
def readyz():
    """Each dependency by name: the broker, then each service, with its own database
    said apart (`{"status": "degraded", "database": "down"}`: the service answers, its
    database does not)."""
    checks = {}
    try:
        # Its own short-lived client, not the pool's: a probe must not wait behind traffic.
        with ClusterRpcProxy({"AMQP_URI": current_app.config["AMQP_URI"]},
                             timeout=READY_TIMEOUT) as rpc:
            checks["broker"] = {"status": "ok"}
            for name in SERVICE_NAMES:
                try:
                    answer = getattr(rpc, name).ping()
                    checks[name] = {"status": answer["status"], "database": answer.get("database")}
                except Exception as exc:  # any failure means "not ready", reported by name
                    checks[name] = {"status": _reason(exc)}
    except Exception as exc:
        checks["broker"] = {"status": _reason(exc)}
    ready = all(check["status"] == "ok" for check in checks.values()) and len(checks) > 1
    response = jsonify({"status": "ready" if ready else "not_ready", "checks": checks})
    response.status_code = 200 if ready else 503
    return response


def _reason(exc):
    return {"RpcTimeout": "timeout", "UnknownService": "not_running"}.get(
        type(exc).__name__, "unreachable")
