"""Asking an HTTP process of the platform whether it is up (container health checks)."""
import sys
import urllib.request


def reachable(bind: str) -> str:
    """host:port to call a process bound to `bind` (0.0.0.0 means every address)."""
    host, _, port = bind.rpartition(":")
    return f"{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}"


def healthz(name: str, bind: str) -> int:
    """0 if the process bound to `bind` answers 200 on /healthz, else 1 (said on stderr)."""
    try:
        with urllib.request.urlopen(f"http://{reachable(bind)}/healthz", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"{name} does not answer: {exc}", file=sys.stderr)
        return 1
