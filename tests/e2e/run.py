#!/usr/bin/python3
"""Runs the end-to-end tests of the Heart Monitor API.

    /usr/bin/python3 tests/e2e/run.py [--list] [-k PATTERN]... [PATTERN]...

Discovers tests/e2e/test_*.py, runs them verbosely and ends with one line
"N passed, N failed" (", N skipped" appended when tests were skipped).
Errors count as failures.  The exit status is 0 only when nothing
failed (and at least one test ran).  A PATTERN selects tests the way
unittest's -k does: a substring of "module.Class.test_name", or an
fnmatch pattern when it holds a wildcard.  --list prints the selected
test names without running them (no stack needed).

The stack must be running and the HM_* variables exported (see hm.py).
"""

import argparse
import faulthandler
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# No __pycache__ in the source tree (read-only trees, distcheck).
sys.dont_write_bytecode = True

# A hung test must not hang CI: dump every thread's stack and exit.
SUITE_TIMEOUT = float(os.environ.get("HM_E2E_TIMEOUT", "600"))


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


class CountingResult(unittest.TextTestResult):
    """Keeps one outcome per test: "fail" (a failure or error, its own or
    a subtest's, or an unexpected success) beats "pass" beats "skip".
    Errors of setUpClass or of a module import count as one failed
    test each."""

    RANK = {"skip": 0, "pass": 1, "fail": 2}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = {}

    def _mark(self, test, state):
        key = getattr(test, "test_case", test).id()
        old = self.outcome.get(key)
        if old is None or self.RANK[state] > self.RANK[old]:
            self.outcome[key] = state

    def addSuccess(self, test):
        super().addSuccess(test)
        self._mark(test, "pass")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._mark(test, "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._mark(test, "fail")

    def addError(self, test, err):
        super().addError(test, err)
        self._mark(test, "fail")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._mark(test, "fail")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._mark(test, "skip")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._mark(test, "skip" if issubclass(err[0], unittest.SkipTest)
                       else "fail")

    def count(self, state):
        return sum(1 for s in self.outcome.values() if s == state)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only tests matching this pattern (repeatable)")
    ap.add_argument("--list", action="store_true",
                    help="list the tests and exit")
    ap.add_argument("-x", "--failfast", action="store_true",
                    help="stop at the first failure")
    ap.add_argument("more", nargs="*", metavar="PATTERN")
    args = ap.parse_args(argv)
    patterns = args.patterns + args.more

    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = [p if "*" in p else "*%s*" % p
                                   for p in patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    if args.list:
        n = 0
        for t in iter_tests(suite):
            print(t.id())
            n += 1
        print("%d tests" % n)
        # A module that failed to import shows up as a failed test.
        broken = [t.id() for t in iter_tests(suite)
                  if t.id().startswith("unittest.loader._FailedTest")]
        return 1 if broken else 0

    faulthandler.dump_traceback_later(SUITE_TIMEOUT, exit=True)
    start = time.monotonic()
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2,
                                     failfast=args.failfast,
                                     resultclass=CountingResult)
    result = runner.run(suite)
    faulthandler.cancel_dump_traceback_later()

    passed = result.count("pass")
    failed = result.count("fail")
    skipped = result.count("skip")
    if failed == 0 and not result.wasSuccessful():
        failed = 1      # cannot happen; never report success by mistake
    if result.testsRun == 0 and not failed:
        print("no test matched %r" % (patterns,))
    print("(%.1f s)" % (time.monotonic() - start))
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    sys.stderr.flush()
    print(line)
    sys.stdout.flush()
    if failed or result.testsRun == 0:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
