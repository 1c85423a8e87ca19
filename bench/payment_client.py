"""Funding's payment client alone: CPU per call, this checkout's client against another
revision's (by default main's), the same calls to the same local keep-alive server.

    python -m bench.payment_client                     # before = main's payments.py
    python -m bench.payment_client --before-ref 9973d38 --runs 3 --calls 3000
    python -m bench.payment_client --eventlet          # green sockets, as in funding

The server (http.server, HTTP/1.1, answering like paysim: a JSON payment) runs in a child
process, so the CPU measured (`time.process_time`) is the client's only. Each run does
`create_payment` (a POST with its Idempotency-Key) then `get_payment`, for each client in
turn (before, after, before, after...), after a warm-up. Figures only: nothing asserted.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

SERVER = """
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAYMENT = json.dumps({"id": "pay_123", "status": "pending", "amount_cents": 500,
                      "currency": "EUR", "redirect_url": "http://127.0.0.1/pay/pay_123"}).encode()

class Provider(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # connections kept alive

    def do_GET(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(PAYMENT)))
        self.end_headers()
        self.wfile.write(PAYMENT)

    do_POST = do_GET

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
print(server.server_port, flush=True)
server.serve_forever()
"""


def client_class(source_path: str, module_name: str):
    spec = importlib.util.spec_from_file_location(module_name, source_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PaymentProvider


def before_source(ref: str) -> str:
    source = subprocess.run(["git", "show", f"{ref}:services/funding/payments.py"],
                            check=True, capture_output=True, text=True).stdout
    path = os.path.join(tempfile.mkdtemp(prefix="payment-client-before-"), "payments.py")
    with open(path, "w") as file:
        file.write(source)
    return path


def cpu_per_call(provider, calls: int) -> float:
    """Microseconds of this process's CPU per call (a create then a get count as two)."""
    started = time.process_time()
    for n in range(calls // 2):
        payment = provider.create_payment(amount_cents=500, reference=f"c-{n}",
                                          description="Don", capture="automatic",
                                          return_url=None, idempotency_key=f"idem-{n}")
        provider.get_payment(payment["id"])
    return (time.process_time() - started) / (calls // 2 * 2) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-ref", default="main")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--eventlet", action="store_true",
                        help="monkey-patch with eventlet first, as funding's process is")
    args = parser.parse_args()
    if args.eventlet:
        import eventlet
        eventlet.monkey_patch()

    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE,
                              text=True)
    try:
        base_url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        clients = {
            "before": client_class(before_source(args.before_ref), "payments_before"),
            "after": client_class("services/funding/payments.py", "payments_after")}
        providers = {name: cls(base_url, "sk_bench") for name, cls in clients.items()}
        for provider in providers.values():
            cpu_per_call(provider, 400)  # warm-up: connection opened, code paths hot
        print(f"load average before: {os.getloadavg()}  eventlet: {args.eventlet}")
        figures = {name: [] for name in providers}
        for run in range(1, args.runs + 1):
            for name, provider in providers.items():
                figures[name].append(cpu_per_call(provider, args.calls))
                print(f"run {run} {name:6} {figures[name][-1]:7.0f} us CPU per call")
        print(f"load average after: {os.getloadavg()}")
        for name, values in figures.items():
            print(f"{name:6} median {sorted(values)[len(values) // 2]:7.0f} us "
                  f"(runs: {', '.join(f'{value:.0f}' for value in values)})")
        print(json.dumps({name: [round(value) for value in values]
                          for name, values in figures.items()}))
        for provider in providers.values():
            provider.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
