"""The nameko container every service runs in (SERVICE_CONTAINER_CLS in
Settings.nameko_config)."""
import logging
import sys

from nameko.containers import ServiceContainer

# nameko's own logger: the worker's error lines keep the name and text they had.
nameko_log = logging.getLogger("nameko.containers")


class Container(ServiceContainer):
    """nameko's ServiceContainer, whose workers skip nameko's debug logging unless it
    is enabled.

    nameko's _run_worker builds the worker's call id stack (a uuid4, a deque, a join)
    for a debug line even when debug is off, and times four steps with context managers
    for debug lines too: about 5% of a service's CPU per call (bench/PROFILE.md). With
    nameko's logger at DEBUG, nameko's own _run_worker runs, lines included. The steps,
    their order and what reaches the dependencies are nameko's; the call id stack is
    still built the first time something asks for it (a call or event onwards)."""

    def _run_worker(self, worker_ctx, handle_result):
        if nameko_log.isEnabledFor(logging.DEBUG):
            return super()._run_worker(worker_ctx, handle_result)
        self._inject_dependencies(worker_ctx)
        self._worker_setup(worker_ctx)

        result = exc_info = None
        method = getattr(worker_ctx.service, worker_ctx.entrypoint.method_name)
        try:
            result = method(*worker_ctx.args, **worker_ctx.kwargs)
        except Exception as exc:
            if isinstance(exc, worker_ctx.entrypoint.expected_exceptions):
                nameko_log.warning("(expected) error handling worker %s: %s",
                                   worker_ctx, exc, exc_info=True)
            else:
                nameko_log.exception("error handling worker %s: %s", worker_ctx, exc)
            exc_info = sys.exc_info()

        if handle_result is not None:
            result, exc_info = handle_result(worker_ctx, result, exc_info)

        self._worker_result(worker_ctx, result, exc_info)
        del exc_info  # breaks the traceback's cycle, as nameko does
        self._worker_teardown(worker_ctx)
