"""Import this module first in every service process (and the test suite's conftest).

It patches the standard library for eventlet before anything else creates sockets or
locks, and makes psycopg2 cooperative (eventlet installs a wait callback in psycopg2):
unpatched, each query would freeze every green thread of the process.
"""
import eventlet  # noqa: E402

import shared  # noqa: F401  (silences eventlet's deprecation warning first)

eventlet.monkey_patch()  # everything, psycopg2 included
