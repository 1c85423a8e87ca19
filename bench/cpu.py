"""CPU seconds spent by processes, read from /proc (user + system), for the benchmarks
that put a figure per request on each process."""
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def processes_cpu(master_pid):
    """CPU seconds of `master_pid` and its children (gunicorn's workers), and their pids."""
    pids = [master_pid]
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        pids.extend(int(child) for child in (task / "children").read_text().split())
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except FileNotFoundError:
            continue
    return total, sorted(pids)


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
