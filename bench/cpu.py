"""CPU seconds spent by processes, read from /proc (user + system), for the benchmarks
that put a figure per request on each process."""
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def processes_cpu(master_pid):
    """CPU seconds of `master_pid` and its children (gunicorn's workers), from /proc."""
    pids = [master_pid]
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids.extend(int(child) for child in children)
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS, sorted(pids)


def broker_cpu():
    """CPU seconds of RabbitMQ's Erlang VM (every beam.smp on the machine)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "beam.smp":
                total += processes_cpu(int(entry.name))[0]
        except OSError:
            continue
    return total
