#!/usr/bin/env python3
"""Writes the ```cpp block between <!-- example:begin --> and
<!-- example:end --> in README.md to a .cpp file, so that the README's
example is compiled and run by a test (tests/readme/meson.build).

usage: extract_example.py README.md OUT.cpp
"""
import re
import sys


def main(readme, out):
    text = open(readme, encoding='utf-8').read()
    m = re.search(r'<!-- example:begin -->\s*```cpp\n(.*?)```\s*<!-- example:end -->',
                  text, re.S)
    if not m:
        sys.exit(f'{readme}: no ```cpp block between <!-- example:begin --> '
                 'and <!-- example:end -->')
    with open(out, 'w', encoding='utf-8') as fh:
        fh.write(f'// Extracted from {readme} by tests/readme/extract_example.py.\n')
        fh.write(f'// Edit the README, not this file.\n')
        fh.write(m.group(1))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
