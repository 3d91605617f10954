#!/usr/bin/env python
"""CPU used by each part of the stack during a load test, from /proc (issue 13: which resource saturates first).

    python loadtest/cpu.py snapshot before.json gunicorn=PID celery=PID postgres=PID redis=PID
    python loadtest/cpu.py report before.json after.json [locust_cpu_seconds]

A snapshot holds, per named process, the CPU time (user + system) of the process, of its
children that have ended and of every live descendant, and their resident memory; and the
machine's totals of /proc/stat (busy, idle, iowait) and its available memory. The report prints each part's CPU seconds and share of the
machine between the two snapshots, the machine's busy and I/O-wait shares, and the part that
used the most CPU.
"""

import json
import os
import sys
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """(ppid, own cpu seconds, ended children's cpu seconds) of a process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ppid, (utime + stime) / TICK, (cutime + cstime) / TICK


def _rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_cpu(root, with_rss=False):
    """CPU seconds of `root`, its ended children and every live descendant (and their resident MB)."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found:
                stats[int(entry)] = found
    if root not in stats:
        return (0.0, 0.0) if with_rss else 0.0
    children = {}
    for pid, (ppid, _own, _ended) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, rss, todo = 0.0, 0.0, [root]
    while todo:
        pid = todo.pop()
        _ppid, own, ended = stats[pid]
        total += own + ended
        rss += _rss_mb(pid) if with_rss else 0.0
        todo.extend(children.get(pid, ()))
    return (total, rss) if with_rss else total


def machine():
    """/proc/stat totals in seconds: busy, idle, iowait; the number of CPUs; the memory available (MB)."""
    lines = Path("/proc/stat").read_text().splitlines()
    values = [int(x) for x in lines[0].split()[1:]]
    idle, iowait = values[3], values[4]
    cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    return {
        "busy": (sum(values[:8]) - idle - iowait) / TICK,
        "idle": idle / TICK,
        "iowait": iowait / TICK,
        "cpus": cpus,
        "available_mb": available_mb(),
    }


def snapshot(named):
    parts, memory = {}, {}
    for name, pid in named.items():
        parts[name], memory[name] = tree_cpu(pid, with_rss=True)
    return {"time": time.time(), "machine": machine(), "parts": parts, "memory_mb": memory}


def available_mb():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def report(before, after, locust_seconds=None):
    """Lines of the report and the name of the part that used the most CPU."""
    wall = after["time"] - before["time"]
    cpus = after["machine"]["cpus"]
    parts = {name: after["parts"].get(name, 0.0) - before["parts"][name] for name in before["parts"]}
    if locust_seconds is not None:
        parts["locust (load generator)"] = float(locust_seconds)
    busy = after["machine"]["busy"] - before["machine"]["busy"]
    iowait = after["machine"]["iowait"] - before["machine"]["iowait"]
    memory = after.get("memory_mb", {})
    lines = [f"CPU over {wall:.0f} s on {cpus} cores ({wall * cpus:.0f} core-seconds available):"]
    for name, seconds in sorted(parts.items(), key=lambda p: -p[1]):
        rss = f"   resident {memory[name]:6.0f} MB" if name in memory else ""
        lines.append(f"  {name:<26} {seconds:7.1f} s  {100 * seconds / (wall * cpus):5.1f} % of the machine{rss}")
    lines.append(
        f"  {'machine busy':<26} {busy:7.1f} s  {100 * busy / (wall * cpus):5.1f} %   (I/O wait {100 * iowait / (wall * cpus):.1f} %)"
    )
    if "available_mb" in after["machine"]:
        lines.append(f"  memory available at the end: {after['machine']['available_mb']:.0f} MB")
    top = max(parts, key=parts.get) if parts else ""
    lines.append(f"most CPU: {top}")
    return lines, top


def main(argv):
    if argv[1] == "snapshot":
        named = dict(arg.split("=", 1) for arg in argv[3:])
        named = {name: int(pid) for name, pid in named.items() if pid.isdigit()}
        Path(argv[2]).write_text(json.dumps(snapshot(named)))
        return 0
    before, after = (json.loads(Path(p).read_text()) for p in argv[2:4])
    lines, _top = report(before, after, argv[4] if len(argv) > 4 else None)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
