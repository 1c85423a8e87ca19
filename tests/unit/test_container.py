"""shared.container.Container runs a worker as nameko's ServiceContainer does, its
debug lines apart: the same calls reach the dependencies, in the same order, with the
same result; the same error lines are logged; and nameko's lines come back with DEBUG."""
import logging

import pytest
from nameko.containers import ServiceContainer
from nameko.extensions import DependencyProvider, Entrypoint
from nameko.testing.utils import get_extension

from shared.config import Settings
from shared.container import Container
from shared.errors import DomainError, conflict


class Record(DependencyProvider):
    def __init__(self):
        self.seen = []

    def get_dependency(self, worker_ctx):
        return self.seen

    def worker_setup(self, worker_ctx):
        self.seen.append("setup")

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        self.seen.append(("result", result, exc_info and exc_info[0].__name__))

    def worker_teardown(self, worker_ctx):
        self.seen.append("teardown")


class Called(Entrypoint):
    """An entrypoint with no consumer: the test spawns its workers."""


class Worked:
    name = "worked"
    record = Record()

    @Called.decorator(expected_exceptions=(DomainError,))
    def answer(self, value, twice=False):
        self.record.append(("ran", value, twice))
        return value * 2 if twice else value

    @Called.decorator(expected_exceptions=(DomainError,))
    def refuse(self):
        raise conflict("refused", "Refused.")

    @Called.decorator(expected_exceptions=(DomainError,))
    def fail(self):
        raise RuntimeError("boom")


def run(container_cls, method_name, *args, **kwargs):
    """The worker's run: what the dependency saw, what the entrypoint's handle_result
    got."""
    container = container_cls(Worked, {})
    handled = []

    def handle_result(worker_ctx, result, exc_info):
        handled.append((result, exc_info and exc_info[0].__name__))
        return "handled", None  # what the dependencies then get

    entrypoint = get_extension(container, Called, method_name=method_name)
    container.spawn_worker(entrypoint, args, kwargs, handle_result=handle_result)
    container._worker_pool.waitall()
    return get_extension(container, Record).seen, handled


def log_lines(caplog):
    return [(record.name, record.levelname, record.getMessage().split(" at 0x")[0],
             record.exc_info and record.exc_info[0].__name__) for record in caplog.records]


@pytest.mark.parametrize("method_name, args, kwargs", [
    ("answer", (21,), {"twice": True}),
    ("refuse", (), {}),
    ("fail", (), {}),
])
def test_a_worker_runs_as_nameko_runs_it(caplog, method_name, args, kwargs):
    caplog.set_level(logging.INFO)
    nameko_run = run(ServiceContainer, method_name, *args, **kwargs)
    nameko_lines = log_lines(caplog)
    caplog.clear()
    ours = run(Container, method_name, *args, **kwargs)
    assert ours == nameko_run
    assert log_lines(caplog) == nameko_lines
    assert ours[0][0] == "setup" and ours[0][-2:] == [("result", "handled", None), "teardown"]


def test_the_outcomes_reach_handle_result(caplog):
    assert run(Container, "answer", 21, twice=True)[1] == [(42, None)]
    assert run(Container, "refuse")[1] == [(None, "DomainError")]
    assert run(Container, "fail")[1] == [(None, "RuntimeError")]
    assert [line[:2] for line in log_lines(caplog)] == [
        ("nameko.containers", "WARNING"), ("nameko.containers", "ERROR")]


def test_with_debug_on_nameko_s_lines_are_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="nameko.containers")
    run(Container, "answer", 1)
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("call stack for <WorkerContext [worked.answer]")
               for message in messages)
    assert any(message.startswith("ran worker <WorkerContext [worked.answer]")
               for message in messages)


def test_every_service_runs_in_it():
    assert Settings().nameko_config("funding")["SERVICE_CONTAINER_CLS"] == \
        "shared.container.Container"
