"""gunicorn settings for the gateway.

Threads, not eventlet: the gateway spends its time waiting on RPC replies, which
release the GIL, and gunicorn 24+ has no eventlet worker anyway. Each worker process
keeps a pool of RPC clients sized to its threads.
"""
import os

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None  # the app logs each request as JSON, with its correlation id
errorlog = "-"
