"""gunicorn settings for paysim.

One worker, always: paysim keeps its payments in the memory of one process, so a second
worker would know other payments. Threads serve requests at once; the webhook thread
starts in that worker with the first event (paysim/webhooks.py), never in the master.
"""
import os

bind = os.environ.get("PAYSIM_BIND", "127.0.0.1:8100")
worker_class = "gthread"
workers = 1
threads = int(os.environ.get("PAYSIM_THREADS", "4"))
timeout = 30
graceful_timeout = 5
keepalive = 5
accesslog = "-"
errorlog = "-"
# gunicorn's control socket has one default path per user: the gateway's gunicorn on the
# same host would lose it to this one. A simulator needs no runtime management.
control_socket_disable = True
