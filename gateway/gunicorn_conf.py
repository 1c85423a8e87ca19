"""gunicorn settings for the gateway.

Threads, not eventlet: the gateway spends its time waiting on RPC replies, which
release the GIL, and gunicorn 24+ has no eventlet worker anyway. Each worker process
keeps a pool of RPC clients sized to its threads.
"""
import os
import shutil
import tempfile

# Workers write their metrics here and /metrics adds them up (gateway/metrics.py).
# prometheus_client reads this when first imported, so it is set before anything
# imports it, and before the workers fork.
_metrics_dir_is_ours = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir_is_ours:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gateway-metrics-")

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 30
graceful_timeout = 10
keepalive = 5
# gunicorn's maximum line and its default header limits; past them gunicorn answers
# 414 or 431 itself, as problem+json (post_worker_init below), documented.
limit_request_line = 8190
accesslog = None  # the app logs each request as JSON, with its correlation id
errorlog = "-"


def post_worker_init(worker):
    """gunicorn writes the answers it gives before the application (414, 431, 400) with
    `util.write_error`, as an HTML page, and offers no hook for them: they go through
    the gateway's problem writer instead, so every error of the API is problem+json."""
    from gunicorn import util

    from gateway.problems import write_server_problem

    util.write_error = write_server_problem


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir_is_ours:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
