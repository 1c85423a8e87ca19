"""Summarise py-spy's collapsed stacks (`py-spy record --format raw`) of the processes
bench/contributions.py profiled: where each process spends its time, by package and
by frame.

    python -m bench.profile DIR [--requests N] [--rate 200]

Samples are of active threads only (py-spy's default), so their count is CPU time and
time spent in C (psycopg2, the socket), not time waiting in the eventlet hub.
"""
import argparse
import re
from collections import Counter
from pathlib import Path

# (label, a regex on a frame's file) in the order they are tried on each stack: the
# first match, from the leaf upwards, names where the sample went.
PACKAGES = (
    ("logging (JSON logs)", r"/logging/|shared/logs\.py|pythonjsonlogger"),
    ("psycopg2 (driver, in C)", r"psycopg2"),
    ("SQLAlchemy", r"sqlalchemy/"),
    ("kombu / py-amqp (broker)", r"kombu/|amqp/"),
    ("requests / urllib3 (HTTP client)", r"requests/|urllib3/|http/client"),
    ("eventlet (hub, green sockets)", r"eventlet/"),
    ("nameko", r"nameko/"),
    ("marshmallow (schemas)", r"marshmallow/"),
    ("json", r"/json/"),
    ("flask / werkzeug / gunicorn", r"flask/|werkzeug/|gunicorn/"),
    ("JWT", r"jwt/"),
    ("platform code", r"/(services|shared|gateway)/"),
)
REPO = str(Path(__file__).resolve().parents[1])  # the checkout profiled, wherever it is
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")


def read_stacks(path: Path):
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def package_of(frames) -> str:
    for frame in reversed(frames):
        match = FRAME.match(frame)
        file = match["file"] if match else frame
        for label, pattern in PACKAGES:
            if re.search(pattern, file):
                return label
    return "other (interpreter, stdlib)"


def short(frame: str) -> str:
    match = FRAME.match(frame)
    if not match:
        return frame
    file = match["file"]
    for marker in ("site-packages/", f"{REPO}/", "/wt-bench/", "/main/", "lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{match['function']} ({file}:{match['line']})"


def summarise(directory: Path, requests_count: int | None = None, rate: int = 200,
              top: int = 12) -> str:
    lines = []
    labels = sorted({path.name.split("-")[0] for path in Path(directory).glob("*.txt")})
    for label in labels:
        total, by_package, leaves, inclusive = 0, Counter(), Counter(), Counter()
        for path in Path(directory).glob(f"{label}-*.txt"):
            for frames, count in read_stacks(path):
                frames = [frame for frame in frames if not frame.startswith("process ")
                          and not frame.startswith("thread ")]
                total += count
                by_package[package_of(frames)] += count
                leaves[short(frames[-1])] += count
                for frame in {short(frame) for frame in frames}:
                    inclusive[frame] += count
        seconds = total / rate
        per = f", {seconds * 1000 / requests_count:.1f} ms per request" if requests_count else ""
        lines.append(f"## {label}: {total} samples ({seconds:.1f} s of CPU{per})")
        lines.append("by package (leaf-most frame that matches):")
        lines += [f"  {count / total:6.1%}  {name}" for name, count in by_package.most_common()]
        lines.append("top self frames:")
        lines += [f"  {count / total:6.1%}  {name}" for name, count in leaves.most_common(top)]
        lines.append("top inclusive frames of the platform's code:")
        ours = [(name, count) for name, count in inclusive.most_common()
                if re.search(r"\((services|shared|gateway)/", name)]
        lines += [f"  {count / total:6.1%}  {name}" for name, count in ours[:top]]
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--rate", type=int, default=200)
    args = parser.parse_args()
    print(summarise(args.directory, args.requests, args.rate))


if __name__ == "__main__":
    main()
