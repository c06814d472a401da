"""Export the served schema as SDL, or check that the committed copy is current.

usage: python -m server.export_schema [--check] PATH
"""

from __future__ import annotations

import sys
from pathlib import Path

from schema import build_schema


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if len(paths) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(paths[0])
    sdl = build_schema().as_str() + "\n"
    if check:
        if not path.exists() or path.read_text() != sdl:
            print(f"{path} is stale: run `make schema` and commit it", file=sys.stderr)
            return 1
        print(f"{path} is current")
        return 0
    path.write_text(sdl)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
