"""Gazetteer speed: index build + 100 mixed statements in a 2,060-entry quarter.

Target (issue 3): 100 statements per quarter in well under a second; exact hits < 1 ms.
"""

from __future__ import annotations

import statistics
import time

from tests.test_georef_gazetteer import BENCH_STATEMENTS, big_gazetteer


def main() -> None:
    builds, batches, exact = [], [], []
    for _ in range(5):
        started = time.perf_counter()
        g = big_gazetteer(n_streets=60, per_street=30)
        builds.append(time.perf_counter() - started)
        started = time.perf_counter()
        g.resolve_many(BENCH_STATEMENTS, 1)
        batches.append(time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(500):
            g.resolve("Treffpunkt Nummer 7", 1)
        exact.append((time.perf_counter() - started) / 500)
    print(f"gazetteer index build (2,060 entries): {statistics.median(builds) * 1e3:.1f} ms")
    print(
        f"gazetteer 100 statements: {statistics.median(batches) * 1e3:.1f} ms "
        "(target: well under 1,000 ms)"
    )
    print(f"gazetteer exact hit: {statistics.median(exact) * 1e6:.0f} µs (target: < 1,000 µs)")


if __name__ == "__main__":
    main()
