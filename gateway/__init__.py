"""The HTTP gateway: a Flask app on real threads (no eventlet), calling services by RPC."""
import shared  # noqa: F401  (silences eventlet's deprecation warning before nameko loads)
