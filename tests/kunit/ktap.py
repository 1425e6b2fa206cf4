#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the KTAP output of a KUnit run in a UML kernel log.

Prints one line per test case, "PASS: kunit/<suite>/<case>",
"FAIL: kunit/<suite>/<case>" or "SKIP: kunit/<suite>/<case>" (parameterised
cases are summarised per case, failing parameters are listed under them),
then "kunit: N passed, N failed".  Exits 1 if a case failed, a suite or case
went missing (the kernel crashed or hung), the log holds a KASAN report or
another kernel splat, or no case ran at all.
"""

import re
import sys

RESULT = re.compile(r'^(not ok|ok) (\d+)(?: (.*?))?(?: # (.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')
SUBTEST = re.compile(r'^# Subtest: (.*)$')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SPLATS = ('BUG: KASAN', 'BUG:', 'Kernel panic', 'Oops', 'kernel BUG at',
          'general protection fault', 'UBSAN:', 'WARNING: CPU',
          'Segmentation fault', 'Call Trace:', 'stack-protector',
          'refcount_t:', 'list_add corruption', 'list_del corruption')


def main(path):
    with open(path, errors='replace') as f:
        lines = [TIMESTAMP.sub('', l.rstrip('\n')) for l in f]

    failed = 0
    passed = 0
    out = []
    splats = [l.strip() for l in lines if any(s in l for s in SPLATS)]

    start = None
    for i, l in enumerate(lines):
        if l.startswith('KTAP version') or l.startswith('TAP version'):
            start = i
            break
    if start is None:
        print('FAIL: kunit/boot (no KTAP output; kernel did not run tests)')
        for l in lines[-30:]:
            print('#   ' + l)
        print('kunit: 0 passed, 1 failed')
        return 1

    # KUnit indents a suite's "# Subtest:" header, plan and case results by
    # one level, a parameterised case's header and parameters by two, and
    # prints the suite results themselves unindented.
    names = {}          # indent level -> current subtest name
    plans = {}          # indent level -> announced number of tests
    seen = {}           # indent level -> results seen since that plan
    suite_plan = None
    suites_seen = 0
    diag = []           # comment lines of the case being run
    bad_params = []     # failing parameters of the case being run
    suite_missing = []
    params = []         # parameters of the case being run
    params_run = 0
    params_failed = 0
    last_case = None

    for l in lines[start:]:
        stripped = l.lstrip(' ')
        indent = (len(l) - len(stripped)) // 4
        m = SUBTEST.match(stripped)
        if m:
            names[indent] = m.group(1).strip()
            continue
        m = PLAN.match(stripped)
        if m:
            plans[indent] = int(m.group(1))
            seen[indent] = 0
            if indent == 0:
                suite_plan = int(m.group(1))
            continue
        m = RESULT.match(stripped)
        if not m:
            if indent >= 1 and stripped and \
                    not stripped.startswith('KTAP version'):
                diag.append(l[4:])
            continue
        ok = m.group(1) == 'ok'
        name = (m.group(3) or '').strip()
        directive = (m.group(4) or '').strip()
        skip = directive.upper().startswith('SKIP')
        seen[indent] = seen.get(indent, 0) + 1
        if indent >= 2:
            params.append(name)
            if not ok:
                bad_params.append(name)
            continue
        if indent == 1:
            suite = names.get(1, '?')
            tag = 'SKIP' if skip and ok else ('PASS' if ok else 'FAIL')
            out.append('%s: kunit/%s/%s' % (tag, suite, name))
            params_run += len(params)
            params_failed += len(bad_params)
            params = []
            last_case = name
            names.pop(2, None)
            if ok:
                passed += 1
            else:
                failed += 1
                for p in bad_params:
                    out.append('#   failed parameter: %s' % p)
                for d in diag[-40:]:
                    out.append('#   ' + d)
            diag = []
            bad_params = []
            continue
        # indent 0: a whole suite
        suites_seen += 1
        want = plans.get(1)
        got = seen.get(1, 0)
        if want is not None and got < want:
            suite_missing.append('%s (%d of %d cases reported)' %
                                 (name, got, want))
        elif want is None and not ok:
            suite_missing.append('%s (suite failed before any case)' % name)
        plans.pop(1, None)
        seen.pop(1, None)
        names.pop(1, None)
        names.pop(2, None)
        last_case = None
        diag = []
        bad_params = []

    # A suite still open at the end of the log: name the case that died.
    if 1 in names:
        running = names.get(2) or 'case after %s' % (last_case or 'start')
        suite_missing.append('%s/%s (crashed or hung)' % (names[1], running))
    for l in out:
        print(l)
    for s in suite_missing:
        print('FAIL: kunit/%s' % s)
        failed += 1
    if suite_plan is not None and suites_seen < suite_plan:
        print('FAIL: kunit/incomplete (%d of %d suites reported; crash?)' %
              (suites_seen, suite_plan))
        failed += 1
    if splats:
        print('FAIL: kunit/kernel-log (%s)' % splats[0])
        for s in splats[:20]:
            print('#   ' + s)
        failed += 1
    if passed + failed == 0:
        print('FAIL: kunit/empty (no test case ran)')
        failed += 1
    sys.stderr.write('kunit: %d parameterised runs, %d failed\n' %
                     (params_run, params_failed))
    print('kunit: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
