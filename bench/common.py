"""Helpers shared by the benchmarks: load from wrk, percentiles, process CPU and memory."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Row = tuple[str, str]


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    url: str,
    token: str,
    seconds: float,
    query: str | None = None,
    connections: int = 8,
) -> WrkResult:
    """Load ``url`` from wrk in its own process: GET, or POST of a GraphQL ``query``."""
    args = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    args += ["-H", f"Authorization: Bearer {token}"]
    with tempfile.TemporaryDirectory() as tmp:
        if query is not None:
            lua = Path(tmp) / "post.lua"
            lua.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(json.dumps({'query': query}))}\n"
            )
            args += ["-s", str(lua)]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    return WrkResult(rps, p50, p99, errors)


def alternate(loads: dict[str, Callable[[], WrkResult]], rounds: int = 2) -> dict[str, WrkResult]:
    """Run the loads in turn, ``rounds`` times, and keep each one's best run (highest
    throughput): a burst of background load on this shared machine then hits one run of
    a pair, not the whole comparison."""
    best: dict[str, WrkResult] = {}
    for _ in range(rounds):
        for name, load in loads.items():
            result = load()
            if name not in best or result.requests_per_second > best[name].requests_per_second:
                best[name] = result
    return best


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def print_rows(rows: list[Row]) -> None:
    """A benchmark's rows, aligned, for running one script on its own."""
    width = max((len(metric) for metric, _ in rows), default=0)
    for metric, value in rows:
        print(f"{metric:<{width}}  {value}")


def skipped(name: str) -> list[Row]:
    return [(name, "skipped: wrk is not installed (apt-get install wrk)")]
