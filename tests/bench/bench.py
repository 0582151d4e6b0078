#!/usr/bin/env python3
"""The plan benchmark: plan time / `jq .` time on the same snapshot, and peak RSS / snapshot size.

  bench.py IDPC [--runs 3] [--keep DIR] [generator options...]

Generates a large configuration and snapshot (gen.py; defaults 195 policies, 2,000 locations,
50,000 users, 10,000 groups), then in the same run measures, best of --runs:
  - `jq . tenant.json > /dev/null`          (wall time)
  - `idpc plan config --tenant file:...`    (wall time and peak RSS, from wait4's rusage)
and prints both ratios against the targets (<= 1.5 and <= 3). Exit 0 when both targets are met.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(cmd, env=None):
    """Wall seconds and peak RSS (bytes) of one child run."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        sys.exit("%s failed (exit %d):\n%s" % (" ".join(cmd), code, err))
    return wall, ru.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("idpc")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep")
    a, gen_args = ap.parse_known_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="idpc-bench-")
    if not os.path.exists(os.path.join(tmp, "tenant.json")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), tmp] + gen_args, check=True)
    snap = os.path.join(tmp, "tenant.json")
    size = os.path.getsize(snap)
    env = dict(os.environ, NO_COLOR="1")
    env.pop("IDPC_TENANT", None)
    jq = [measure(["jq", ".", snap], env) for _ in range(a.runs)]
    plan = [measure([a.idpc, "plan", os.path.join(tmp, "config"), "--tenant", "file:" + snap], env)
            for _ in range(a.runs)]
    jq_t = min(w for w, _ in jq)
    plan_t = min(w for w, _ in plan)
    rss = max(r for _, r in plan)
    t_ratio, m_ratio = plan_t / jq_t, rss / size
    print("snapshot:        %s (%.1f MB)" % (snap, size / 1e6))
    print("jq . time:       %.3f s (best of %d)" % (jq_t, a.runs))
    print("idpc plan time:  %.3f s (best of %d)" % (plan_t, a.runs))
    print("idpc peak RSS:   %.1f MB" % (rss / 1e6))
    print("plan time / jq time:      %.2f  (target <= 1.5) %s" % (t_ratio, "ok" if t_ratio <= 1.5 else "MISSED"))
    print("peak RSS / snapshot size: %.2f  (target <= 3)   %s" % (m_ratio, "ok" if m_ratio <= 3 else "MISSED"))
    sys.exit(0 if t_ratio <= 1.5 and m_ratio <= 3 else 1)


if __name__ == "__main__":
    main()
