"""Run every benchmark in ``bench/`` (``python -m bench``), each in its own process.

A process per benchmark keeps their clusters, caches and imports apart; each prints its own
figures with the targets. ``python -m bench import api`` runs only those whose name contains
one of the words.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    folder = Path(__file__).parent
    names = sorted(p.stem for p in folder.glob("bench_*.py"))
    if argv:
        names = [n for n in names if any(word in n for word in argv)]
    failed = 0
    for name in names:
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"], cwd=folder.parent)
        print(f"   ({time.perf_counter() - started:.0f} s, exit {code})", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
