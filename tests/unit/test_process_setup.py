"""Service processes are green (eventlet patches first); the gateway is not."""
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


def is_patched_after_importing(module):
    result = subprocess.run([sys.executable, "-W", "error", "-c", CHECK.format(module=module)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(REPO_ROOT), "PATH": "",
                                 "JWT_SECRET": "s" * 32})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def test_the_service_command_patches_before_importing_anything_else():
    first = imported_modules("shared/cli.py")[0]
    assert isinstance(first, ast.Import) and first.names[0].name == "shared.green"
    assert is_patched_after_importing("shared.cli")


def test_the_gateway_runs_on_real_threads_and_survives_warnings_as_errors():
    assert not is_patched_after_importing("gateway.wsgi")
