"""CPU seconds spent by processes, read from /proc (user + system), for the benchmarks
that put a figure per request on each process."""
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def children_of(pid: int) -> list:
    """The pids whose parent is `pid` (gunicorn's workers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(child) for child in (task / "children").read_text().split())
    return found


def processes_cpu(master_pid):
    """CPU seconds of `master_pid` and its children (gunicorn's workers), and their pids."""
    pids = [master_pid, *children_of(master_pid)]
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except FileNotFoundError:
            continue
    return total, sorted(pids)


def command_cpu(command: str) -> float:
    """CPU seconds of every process on the machine whose name is `command`."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == command:
                total += cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def broker_cpu():
    """CPU seconds of RabbitMQ's Erlang VM (every beam.smp on the machine)."""
    return command_cpu("beam.smp")
