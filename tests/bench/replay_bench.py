#!/usr/bin/env python3
"""`idpc replay`'s benchmark, against yardsticks measured in the same run.

  replay_bench.py IDPC [--runs 3] [--keep DIR] [--small 10000] [--large 1000000]

The tenant and the sign-ins come from tests/e2e/graph/gen_signins.py (deterministic): 195
Conditional Access policies, 2,000 users in 100 groups, and the proposed configuration is the
tenant exported by `idpc export` plus two new policies. Two logs of SMALL and LARGE sign-ins
(JSON lines, about 1.1 KB a record) are replayed with `--verify`.

Targets (docs/performance.md, issue 16):
  memory      peak RSS of the LARGE replay within 1.5x that of the SMALL one (it streams);
  throughput  the LARGE replay in at most 2x the time `jq -c .` takes to read the same file.
Also printed: sign-ins per second. Times are CPU seconds (user + system, from wait4's rusage;
the machine is shared; measured through rusage.c, see bench.py), the median of interleaved runs;
RSS the largest. Exits 1 when a target
is missed.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(ROOT, "tests", "e2e", "graph", "gen_signins.py")
sys.path.insert(0, HERE)
import bench  # noqa: E402  (run() and the rusage helper)


def run(cmd):
    """CPU seconds and peak RSS in bytes, measured as bench.py measures (rusage.c)."""
    return bench.run(cmd, os.environ)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("idpc")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep")
    ap.add_argument("--small", type=int, default=10000)
    ap.add_argument("--large", type=int, default=1000000)
    a = ap.parse_args()
    idpc = os.path.abspath(a.idpc)
    work = a.keep or tempfile.mkdtemp(prefix="idpc-replay-bench-")
    os.makedirs(work, exist_ok=True)
    bench.MEASURE = bench.helper_binary(work, "rusage", [])
    logs = {}
    for n in (a.small, a.large):
        out = os.path.join(work, "t%d" % n)
        logs[n] = os.path.join(work, "signins-%d.jsonl" % n)
        if not os.path.exists(logs[n]):
            subprocess.run([sys.executable, GEN, out, "--signins", str(n), "--jsonl", logs[n]],
                           check=True)
    tenant = os.path.join(work, "t%d" % a.small, "tenant.json")
    cfg = os.path.join(work, "config")
    if not os.path.isdir(cfg):
        subprocess.run([idpc, "export", "--tenant", "file:" + tenant, "-o", cfg], check=True,
                       capture_output=True)
        shutil.copy(os.path.join(work, "t%d" % a.small, "proposed", "changes.idp"), cfg)

    def replay(n):
        return [idpc, "replay", cfg, "--tenant", "file:" + tenant, "--signins", logs[n],
                "--verify", "--format", "json", "-o", "/dev/null"]

    cmds = {"replay-small": replay(a.small), "replay-large": replay(a.large),
            "jq-large": ["jq", "-c", ".", logs[a.large]]}
    times = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    for _ in range(a.runs):
        for k, c in cmds.items():
            t, r = run(c)
            times[k].append(t)
            rss[k] = max(rss[k], r)
    med = {k: statistics.median(v) for k, v in times.items()}
    size = os.path.getsize(logs[a.large])
    mem_ratio = rss["replay-large"] / rss["replay-small"]
    time_ratio = med["replay-large"] / med["jq-large"]
    rate = a.large / med["replay-large"]
    print("| measure | value |")
    print("|---|---|")
    print("| sign-ins (small, large) | %d, %d (%.0f MB of JSON lines) |" %
          (a.small, a.large, size / 1e6))
    print("| peak RSS, small / large | %.1f MB / %.1f MB |" %
          (rss["replay-small"] / 1e6, rss["replay-large"] / 1e6))
    print("| **memory ratio** large / small (target ≤ 1.5) | **%.2f** |" % mem_ratio)
    print("| CPU time, replay large / `jq -c .` large | %.2f s / %.2f s |" %
          (med["replay-large"], med["jq-large"]))
    print("| **time ratio** replay / jq (target ≤ 2) | **%.2f** |" % time_ratio)
    print("| sign-ins per CPU second | %.0f |" % rate)
    print("| CPU time, replay small | %.2f s |" % med["replay-small"])
    ok = mem_ratio <= 1.5 and time_ratio <= 2.0
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("targets: %s" % ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
