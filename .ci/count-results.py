#!/usr/bin/env python3
"""Counts the results of `meson test` runs and prints ONE closing line:

    N passed, N failed[, N skipped]

usage: count-results.py [--runner-status N] [--skipped STAGE]...
                        [LABEL=]TESTLOG.json...

Reads each build's <builddir>/meson-logs/testlog.json (JSON Lines, one
object per meson test). A test whose stdout holds a Catch2 summary counts
as its test cases, and bindings/go/run-tests.sh as its Go test cases and
steps (go_counts); any other test counts as one. A fuzz target (a test of
a test run by tests/fuzz/run_fuzzer.py) always counts as one, whatever
bytes its log holds (a crash input is printed there), and its exec count
is reported. A test that crashed, timed out or failed after printing an
all-passed summary (a sanitizer report at exit) adds a failure. A missing
log (setup or build failed) is a failure. A stage .ci/test skipped (its
compiler is missing) counts as one skipped.
Exit status: 1 if anything failed, the runner status is non-zero, or no
test ran at all; 0 otherwise. Adapted from TOOLCHAIN.md §2.
"""
import json
import os
import re
import sys

ANSI = re.compile(r'\x1b\[[0-9;]*m')
ALL_OK = re.compile(r'^All tests passed \((\d+) assertions? in (\d+) test cases?\)', re.M)
MIXED = re.compile(r'^test cases: +(\d+)((?: +\| +\d+ [a-z ]+)*) *$', re.M)
NO_TESTS = re.compile(r'^No tests ran', re.M)
# run_fuzzer.py's last line: "fuzz_record: 612157 execs in 20 s, ..."
FUZZ_SUMMARY = re.compile(r'^(\S+): (\S+) execs in (\d+) s\b', re.M)


def is_fuzz_target(test):
    """True for a test that runs tests/fuzz/run_fuzzer.py. (testlog.json has
    no suite field, and meson 1.0 names a test "<project>:<suite> / <name>"
    only when the build has several projects or suites.)"""
    return any(os.path.basename(str(word)) == 'run_fuzzer.py'
               for word in test.get('command') or [])


# bindings/go/run-tests.sh: one line per Go test case or subtest, one per
# step, and its closing line.
GO_CLOSING = re.compile(r'^run-tests: \d+ passed, \d+ failed', re.M)
GO_CASE = re.compile(r'^\s*--- (PASS|FAIL): ', re.M)
GO_STEP = re.compile(r'^run-tests: (PASS|FAIL) (.+?)(?: \(|$)', re.M)


def go_counts(out):
    """(passed, failed) from run-tests.sh: each Go test case and subtest,
    and each step that is not `go test` (vet, the cluster runs); a failed
    `go test` step with no failed case (a build error, a timeout) is one
    failure. None when the output is not run-tests.sh's."""
    out = ANSI.sub('', out or '')
    if not GO_CLOSING.search(out):
        return None
    cases = GO_CASE.findall(out)
    passed, failed = cases.count('PASS'), cases.count('FAIL')
    for result, step in GO_STEP.findall(out):
        if step.startswith('go test'):
            if result == 'FAIL' and failed == 0:
                failed = 1
        elif result == 'PASS':
            passed += 1
        else:
            failed += 1
    return passed, failed


def catch2_counts(out):
    """(passed, failed) test cases from Catch2's console summary, or None."""
    out = ANSI.sub('', out or '')
    m = ALL_OK.search(out)
    if m:
        return int(m.group(2)), 0
    if NO_TESTS.search(out):
        return 0, 1                     # a filter matched nothing: never a pass
    m = MIXED.search(out)
    if m:
        parts = {label.strip(): int(n)
                 for n, label in re.findall(r'\| +(\d+) ([a-z ]+)', m.group(2))}
        return (parts.get('passed', 0) + parts.get('failed as expected', 0),
                parts.get('failed', 0))
    return None


def main(argv):
    status = 0
    logs = []
    skipped_stages = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--runner-status':
            status = int(args.pop(0))
        elif a.startswith('--runner-status='):
            status = int(a.split('=', 1)[1])
        elif a == '--skipped':
            skipped_stages.append(args.pop(0))
        else:
            label, sep, path = a.partition('=')
            logs.append((label, path) if sep else (os.path.dirname(os.path.dirname(a)) or a, a))

    passed = failed = 0
    skipped = len(skipped_stages)
    for stage in skipped_stages:
        print(f'SKIPPED: stage {stage} (see the log above)', file=sys.stderr)
    for label, path in logs:
        if not os.path.exists(path):
            print(f'FAILED: {label}: no test log ({path}): setup or build failed',
                  file=sys.stderr)
            failed += 1
            continue
        b_passed = b_failed = b_skipped = 0
        with open(path, encoding='utf-8', errors='replace') as fh:
            for line in fh:
                if not line.strip():
                    continue
                t = json.loads(line)
                res = t.get('result', 'ERROR')
                if res == 'SKIP':
                    b_skipped += 1
                    continue
                ok = res in ('OK', 'EXPECTEDFAIL')
                name = t.get('name', '?')
                if is_fuzz_target(t):
                    # One case: the target ran its time without a finding.
                    if ok:
                        b_passed += 1
                    else:
                        b_failed += 1
                    runs = FUZZ_SUMMARY.findall(ANSI.sub('', t.get('stdout') or ''))
                    if runs:
                        target, execs, seconds = runs[-1]   # the runner's last line
                        print(f'{label}: {target}: {execs} execs in {seconds} s', file=sys.stderr)
                    else:
                        print(f'{label}: {name}: no run summary', file=sys.stderr)
                    if not ok:
                        print(f'FAILED: {label}: {name} ({res})', file=sys.stderr)
                    continue
                counts = catch2_counts(t.get('stdout', '')) or go_counts(t.get('stdout', ''))
                p, f = counts if counts else ((1, 0) if ok else (0, 1))
                if not ok and f == 0:   # crashed, timed out, sanitizer report, leak
                    f = 1
                b_passed += p
                b_failed += f
                if not ok:
                    print(f"FAILED: {label}: {t.get('name', '?')} ({res})", file=sys.stderr)
        print(f'{label}: {b_passed} cases ok, {b_failed} failing, {b_skipped} skipped',
              file=sys.stderr)
        passed += b_passed
        failed += b_failed
        skipped += b_skipped

    sys.stderr.flush()
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line, flush=True)
    return 1 if (status or failed or passed + failed == 0) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
