"""Summarise a py-spy raw profile: inclusive and self share of samples per function.

`py-spy record -f raw -o FILE -p PID` writes one line per distinct stack with its sample
count; this prints the functions that appear in most samples (inclusive, each stack
counted once per function) and those that were on top (self). The figures quoted in
docs/performance.md come from it.

usage: python -m bench.profile_summary FILE [--top 40] [--match TEXT]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r" \((.*?):\d+\)")


def summarise(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    inclusive: Counter[str] = Counter()
    on_top: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_LINE.sub(lambda m: f" ({m.group(1)})", f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        on_top[frames[-1]] += samples
    return total, inclusive, on_top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose line contains it")
    args = parser.parse_args()
    total, inclusive, on_top = summarise(args.file)
    print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("self", on_top)):
        print(f"--- {title}")
        shown = [(k, v) for k, v in counter.most_common() if args.match in k][: args.top]
        for frame, samples in shown:
            print(f"{100 * samples / max(total, 1):5.1f}% {frame[:140]}")


if __name__ == "__main__":
    main()
