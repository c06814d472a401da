"""`make bench`: run every benchmark and print one table."""

from __future__ import annotations

import sys
import time

from bench import fanout, isolation, pages, phone, postgres, read_ceiling, writes

# (name, function returning (metric, value) rows); `python -m bench NAME...` runs some.
BENCHMARKS = [
    ("read ceiling", read_ceiling.main),
    ("list page+scale", pages.main),
    ("write throughput", writes.main),
    ("notice fan-out", fanout.main),
    ("isolation+memory", isolation.main),
    ("phone licences", phone.main),
    ("two processes", postgres.main),
]


def main() -> int:
    rows: list[tuple[str, str, str]] = []
    only = set(sys.argv[1:])
    began = time.monotonic()
    for name, run in BENCHMARKS:
        if only and not any(o in name for o in only):
            continue
        started = time.monotonic()
        try:
            for metric, value in run():
                rows.append((name, metric, value))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            rows.append((name, "FAILED", f"{exc.__class__.__name__}: {exc}"[:200]))
        print(f"# {name}: {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
    print(f"# all: {time.monotonic() - began:.1f}s", file=sys.stderr)
    width = max((len(r[1]) for r in rows), default=6)
    print(f"{'benchmark':<16} {'metric':<{width}} value")
    for name, metric, value in rows:
        print(f"{name:<16} {metric:<{width}} {value}")
    return 1 if any(metric == "FAILED" for _, metric, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
