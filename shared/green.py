"""Import this module first in every service process (and the test suite's conftest).

It patches the standard library for eventlet before anything else creates sockets or
locks, and makes psycopg2 cooperative (eventlet installs a wait callback in psycopg2):
unpatched, each query would freeze every green thread of the process.
"""
import eventlet  # noqa: E402

import shared  # noqa: F401  (silences eventlet's deprecation warning first)

eventlet.monkey_patch()  # everything, psycopg2 included


def resolve_afresh():
    """Ask the DNS on every lookup, as glibc's resolver (which eventlet's replaces) does.

    eventlet's green resolver keeps each answer for its TTL, and Docker's DNS gives 600 s:
    once a RabbitMQ node's container stopped, a service kept connecting to the address
    it had, which nobody holds any more, and each attempt waited for an answer that never
    came (ARP, then the connect timeout) before the next node was tried, its replies
    queued behind the one connection they share: the first request after a node stopped
    took 5-8 s (0.03-1.1 s now). Lookups happen when a connection is made, not per
    message: asking each time costs nothing that shows."""
    from eventlet.support import greendns
    greendns.resolver._resolver.cache = None  # eventlet offers no setting for it


resolve_afresh()
