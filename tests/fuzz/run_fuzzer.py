#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time over its seed corpus; the
meson test of each fuzz target (tests/fuzz/meson.build, suite 'fuzz').

usage: run_fuzzer.py [--shares=N] FUZZER SEED_CORPUS_DIR WORK_DIR

The run time is N (default 1) times SEGLOG_FUZZ_SECONDS.

The seed corpus is read, never written: new inputs go to WORK_DIR/corpus
(emptied first, so every run starts from the seeds) and crash inputs to
WORK_DIR/artifacts/ (both in the build directory). Exit status is the
fuzzer's: non-zero on any crash, sanitizer report, broken invariant
(abort), timeout or out-of-memory input.

Environment:
  SEGLOG_FUZZ_SECONDS      run time of one share (default 10); e.g. 3600
                           for an hour (then also `meson test -t 0`: no
                           meson timeout)
  SEGLOG_FUZZ_KEEP_CORPUS  1: keep WORK_DIR/corpus from earlier runs, so a
                           long campaign resumes where it stopped
  SEGLOG_FUZZ_ARGS         extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import time


def main(argv):
    args = argv[1:]
    shares = 1
    if args and args[0].startswith('--shares='):
        shares = int(args.pop(0).split('=', 1)[1])
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fuzzer, seeds, work = args
    name = os.path.basename(fuzzer)
    seconds = shares * int(os.environ.get('SEGLOG_FUZZ_SECONDS', '10'))
    corpus = os.path.join(work, 'corpus')
    artifacts = os.path.join(work, 'artifacts') + os.sep
    if os.environ.get('SEGLOG_FUZZ_KEEP_CORPUS') != '1':
        shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    seed_count = len(os.listdir(seeds))
    if seed_count == 0:
        print(f'{name}: no seeds in {seeds}', file=sys.stderr)
        return 1

    command = [fuzzer, f'-max_total_time={seconds}', '-timeout=10', '-rss_limit_mb=2048',
               '-print_final_stats=1', f'-artifact_prefix={artifacts}',
               *shlex.split(os.environ.get('SEGLOG_FUZZ_ARGS', '')), corpus, seeds]
    print('$ ' + ' '.join(shlex.quote(c) for c in command), flush=True)
    started = time.monotonic()
    # libFuzzer reports on stderr; keep it in the test's log.
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, errors='replace')
    elapsed = time.monotonic() - started
    sys.stdout.write(run.stdout)

    execs = re.search(r'stat::number_of_executed_units:\s*(\d+)', run.stdout)
    if not execs:  # -fork=N prints no final stats, only progress lines "#N: cov: ..."
        progress = re.findall(r'^#(\d+):? ', run.stdout, re.M)
        execs = re.match(r'(\d+)', progress[-1]) if progress else None
    found = len(os.listdir(corpus))
    summary = (f'{name}: {execs.group(1) if execs else "?"} execs in {elapsed:.0f} s, '
               f'{seed_count} seeds, {found} new corpus inputs, exit {run.returncode}')
    if run.returncode != 0:
        crashes = sorted(os.listdir(artifacts))
        summary += ('; artifacts: ' + ', '.join(os.path.join(artifacts, c) for c in crashes)
                    if crashes else '; no artifact written')
        summary += f'\nreproduce: {fuzzer} <artifact>'
    print(summary, flush=True)
    return run.returncode


if __name__ == '__main__':
    sys.exit(main(sys.argv))
