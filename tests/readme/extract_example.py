#!/usr/bin/env python3
"""Writes the ```cpp block between <!-- example:begin --> and
<!-- example:end --> in README.md to a .cpp file, so that the README's
example is compiled and run by a test (tests/readme/meson.build). With
LANG (e.g. c), the ```LANG block of another document (docs/c-api.md's C
example, tests/c_api/meson.build).

usage: extract_example.py README.md OUT.cpp [LANG]
"""
import re
import sys


def main(readme, out, lang='cpp'):
    text = open(readme, encoding='utf-8').read()
    m = re.search(r'<!-- example:begin -->\s*```' + re.escape(lang) +
                  r'\n(.*?)```\s*<!-- example:end -->', text, re.S)
    if not m:
        sys.exit(f'{readme}: no ```{lang} block between <!-- example:begin --> '
                 'and <!-- example:end -->')
    with open(out, 'w', encoding='utf-8') as fh:
        fh.write(f'/* Extracted from {readme} by tests/readme/extract_example.py.\n')
        fh.write(f'   Edit that document, not this file. */\n')
        fh.write(m.group(1))


if __name__ == '__main__':
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
