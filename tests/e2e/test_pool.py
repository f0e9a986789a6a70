"""The worker pool survives the loss of workers (SPEC 1, 6): the
supervisor restarts a worker killed with SIGKILL, and nginx keeps
answering while it happens."""

import os
import random
import signal
import threading
import time
import unittest

import hm

GRACE = 2.0     # seconds after a kill in which failures are tolerated


class KillWorkers(unittest.TestCase):

    def setUp(self):
        self.before = hm.worker_pids()
        self.assertTrue(self.before, "the supervisor %d has no workers"
                        % hm.supervisor_pid())
        self.count = len(self.before)
        # Leave the pool whole for the next test, whatever happens here.
        self.addCleanup(hm.wait_pool_ready, self, self.count, 15)

    def test_killed_worker_is_replaced_and_service_continues(self):
        victim = random.choice(sorted(self.before))
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        client = hm.Client(timeout=5)
        self.addCleanup(client.close)
        log = []        # (seconds since the kill, status or exception)
        new = set()
        while time.monotonic() - t0 < 10:
            t = time.monotonic() - t0
            try:
                r = client.request("GET", "/api/health/")
                log.append((t, r.status))
                if r.status != 200:
                    hm.assert_common_headers(r)     # nginx's 502 too
            except OSError as e:
                log.append((t, repr(e)))
            new = hm.worker_pids() - self.before
            if new and t > GRACE + 1:
                break
            time.sleep(0.02)
        self.assertTrue(new, "no new worker within 10 s; workers now %r, "
                        "before %r" % (hm.worker_pids(), self.before))
        self.assertNotIn(victim, hm.worker_pids())
        late = [(t, s) for t, s in log if t > GRACE and s != 200]
        self.assertEqual(late, [], "failures after %.1f s: %r"
                         % (GRACE, late))
        self.assertEqual(log[-1][1], 200, log[-5:])
        hm.wait_pool_ready(self, self.count, 10)

    def test_kills_under_load_lose_few_requests(self):
        stop_killing = threading.Event()
        results = []            # status or exception text, all threads
        header_faults = []      # 5xx answers without the common headers
        lock = threading.Lock()
        killed = []

        def load():
            client = hm.Client(timeout=10)
            mine = []
            try:
                n = 0
                while n < 200 or (not stop_killing.is_set() and n < 3000):
                    try:
                        r = client.request("GET", "/api/health/")
                        mine.append(r.status)
                        if r.status >= 500:
                            try:
                                hm.assert_common_headers(r)
                            except AssertionError as e:
                                header_faults.append(str(e))
                    except OSError as e:
                        mine.append(repr(e))
                    n += 1
            finally:
                client.close()
                with lock:
                    results.extend(mine)

        def killer():
            try:
                for _ in range(3):
                    time.sleep(0.3)
                    pids = sorted(hm.worker_pids())
                    if pids:
                        v = random.choice(pids)
                        try:
                            os.kill(v, signal.SIGKILL)
                            killed.append(v)
                        except ProcessLookupError:
                            pass
            finally:
                stop_killing.set()

        threads = [threading.Thread(target=load) for _ in range(8)]
        k = threading.Thread(target=killer)
        for t in threads:
            t.start()
        k.start()
        for t in threads + [k]:
            t.join(90)
        self.assertFalse(any(t.is_alive() for t in threads + [k]),
                         "load threads hung")
        self.assertEqual(len(killed), 3, "could not kill three workers")
        self.assertGreaterEqual(len(results), 1600)
        self.assertEqual(header_faults, [])
        bad = [s for s in results if s != 200]
        frac = len(bad) / len(results)
        self.assertLess(frac, 0.02, "%d of %d requests failed: %r"
                        % (len(bad), len(results), bad[:20]))
        # The pool comes back whole and answers.
        hm.wait_pool_ready(self, self.count, 10)
        for _ in range(10):
            r = hm.request("GET", "/api/health/")
            self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
