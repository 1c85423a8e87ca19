"""Running the platform: the commands, the local runner, the operator's commands."""
import shared  # noqa: F401  (silences eventlet's deprecation warning before nameko loads)
