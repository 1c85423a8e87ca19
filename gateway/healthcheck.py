"""The container health check: exit 0 if this gateway's /healthz answers."""
import os
import sys
import urllib.request


def main() -> int:
    host, _, port = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000").rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"gateway does not answer: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
