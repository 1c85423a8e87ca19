"""Prometheus metrics: requests by route and status, request latency, RPC latency by
service. With several gunicorn workers, each writes to PROMETHEUS_MULTIPROC_DIR (set by
gateway/gunicorn_conf.py) and /metrics adds them up."""
import os

from flask import Blueprint, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("gateway_http_requests_total", "HTTP requests answered",
                   ["method", "route", "status"])
REQUEST_SECONDS = Histogram("gateway_http_request_duration_seconds",
                            "Time to answer an HTTP request", ["method", "route"],
                            buckets=BUCKETS)
RPC_SECONDS = Histogram("gateway_rpc_duration_seconds", "Time an RPC call took",
                        ["service", "method", "outcome"], buckets=BUCKETS)

metrics = Blueprint("metrics", __name__)


@metrics.get("/metrics")
def export():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
