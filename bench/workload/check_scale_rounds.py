#!/usr/bin/env python3
"""check_scale_rounds.py WORKLOAD — the rounds of `workload --scale`.

Without --repeat, a size whose records take under 2 GiB runs 9 rounds
(ScalePlan::short_size_repeat); with --repeat N, N at every size. Each
round runs the implementations in the given order when odd, reversed when
even, and the ratio reported for the size is the median of its rounds' (the
lower middle one of an even count).
"""
import json
import statistics
import subprocess
import sys

TINY = ["--scale", "--scale-sizes", "2000,3000", "--phases", "append",
        "--payload", "100", "--segment-size", "256K", "--reads", "1000",
        "--range-len", "16"]


def run(workload, extra):
    out = subprocess.run([workload] + TINY + extra, check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
    return json.loads(out.stdout)


def check(result, rounds, failures):
    for size in result["sizes"]:
        entries = size["entries"]
        if size["repeat"] != rounds or len(size["rounds"]) != rounds:
            failures.append(f"{entries}: {len(size['rounds'])} rounds (repeat "
                            f"{size['repeat']}), expected {rounds}")
        for n, r in enumerate(size["rounds"], start=1):
            expected = ["seglog", "physical"] if n % 2 else ["physical", "seglog"]
            if r["order"] != expected:
                failures.append(f"{entries}, round {n}: order {r['order']}, expected {expected}")
        ratios = [r["ratios"]["append_mb_per_s"]["value"] for r in size["rounds"]]
        reported = size["ratios"]["append_mb_per_s"]["value"]
        if abs(statistics.median_low(ratios) - reported) > 1e-9 * max(1.0, reported):
            failures.append(f"{entries}: append ratio {reported}, the median of the "
                            f"rounds is {statistics.median_low(ratios)}")


def main():
    workload = sys.argv[1]
    failures = []
    check(run(workload, []), 9, failures)
    check(run(workload, ["--repeat", "2"]), 2, failures)
    for f in failures:
        print("FAILED:", f)
    print("ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
