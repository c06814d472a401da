"""`make bench`: run every benchmark and print one table."""

from __future__ import annotations

import sys
import time

from bench import fanout, phone, read_ceiling

BENCHMARKS = [
    ("read ceiling", read_ceiling.main),
    ("notice fan-out", fanout.main),
    ("phone licences", phone.main),
]


def main() -> int:
    rows: list[tuple[str, str, str]] = []
    for name, run in BENCHMARKS:
        started = time.monotonic()
        for metric, value in run():
            rows.append((name, metric, value))
        print(f"# {name}: {time.monotonic() - started:.1f}s", file=sys.stderr)
    width = max(len(r[1]) for r in rows)
    print(f"{'benchmark':<16} {'metric':<{width}} value")
    for name, metric, value in rows:
        print(f"{name:<16} {metric:<{width}} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
