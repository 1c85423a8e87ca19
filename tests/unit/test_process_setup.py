"""Service processes are green (eventlet patches first); the gateway and paysim are not."""
import ast
import subprocess
import sys

from shared.config import REPO_ROOT

CHECK = """
import {module}
from eventlet import patcher
print(all(patcher.is_monkey_patched(m) for m in ("socket", "thread", "os")))
"""


def imported_modules(path):
    tree = ast.parse((REPO_ROOT / path).read_text())
    return [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def run_python(code):
    result = subprocess.run([sys.executable, "-W", "error", "-c", code],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(REPO_ROOT), "PATH": "",
                                 "JWT_SECRET": "s" * 32, "PAYSIM_API_KEY": "k" * 32,
                                 "PAYSIM_WEBHOOK_SECRET": "w" * 32})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def is_patched_after_importing(module):
    return run_python(CHECK.format(module=module)) == "True"


def test_the_service_command_patches_before_importing_anything_else():
    first = imported_modules("shared/cli.py")[0]
    assert isinstance(first, ast.Import) and first.names[0].name == "shared.green"
    assert is_patched_after_importing("shared.cli")


def test_the_gateway_runs_on_real_threads_and_survives_warnings_as_errors():
    assert not is_patched_after_importing("gateway.wsgi")


def test_paysim_runs_on_real_threads():
    assert not is_patched_after_importing("paysim.wsgi")


def test_loading_paysim_starts_no_thread_so_a_forking_master_loses_none():
    # gunicorn's master may load the app before forking its worker; a thread started
    # then would not exist in the worker. The webhook thread starts with the first event.
    assert run_python("import threading, paysim.wsgi; print(threading.active_count())") == "1"
