#!/usr/bin/env python3
"""The keystroke benchmark of `idpc lsp`: how long after a keystroke the editor has fresh
diagnostics, on the 195-policy configuration of the plan benchmark (gen.py).

  lsp_bench.py IDPC [--keystrokes 200] [--keep DIR]

In one run it measures
  - the baseline: `idpc validate config` (a whole compile of the same files, from disk, in a
    new process), best of 5;
  - each keystroke: a one-character didChange in the middle of policies.idp (typing a word into
    a policy's name and deleting it again, alternately valid and invalid), timed from sending
    the change to receiving its textDocument/publishDiagnostics;
  - the server's CPU time per keystroke (from /proc), which a loaded machine does not inflate;
  - completion and hover requests at a policy statement, send to reply;
and prints the keystroke latency percentiles, their ratio to the baseline, and whether p95 is
under the target of 100 ms. Exit 0 when it is.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from lsp_client import Client, uri_of  # noqa: E402

TARGET_MS = 100.0


def pct(v, p):
    v = sorted(v)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("idpc")
    ap.add_argument("--keystrokes", type=int, default=200)
    ap.add_argument("--keep")
    a = ap.parse_args()
    idpc = os.path.abspath(a.idpc)
    tmp = a.keep or tempfile.mkdtemp(prefix="idpc-lsp-bench-")
    cfg = os.path.join(tmp, "config")
    if not os.path.exists(os.path.join(cfg, "policies.idp")):
        # the configuration only: the tenant snapshot is not needed here
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), tmp, "--users", "10",
                        "--groups", "10000"], check=True, stdout=subprocess.DEVNULL)
    try:
        n_pol = sum(1 for line in open(os.path.join(cfg, "policies.idp")) if line.startswith("policy "))
        n_lines = sum(sum(1 for _ in open(os.path.join(cfg, f))) for f in os.listdir(cfg))

        base = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([idpc, "validate", cfg], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            base.append((time.perf_counter() - t0) * 1000)
        base_ms = min(base)

        c = Client(idpc, stderr=subprocess.DEVNULL)
        c.request("initialize", {"capabilities": {}})
        c.notify("initialized", {})
        path = os.path.join(cfg, "policies.idp")
        text = open(path, encoding="utf-8").read()
        uri = uri_of(path)
        t0 = time.perf_counter()
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "idp", "version": 1, "text": text}})
        c.diagnostics(uri, timeout=120)
        open_ms = (time.perf_counter() - t0) * 1000

        lines = text.split("\n")
        line = next(i for i, l in enumerate(lines) if l.startswith('policy "CA097'))
        col = lines[line].index('"', 8)  # inside the name, before the closing quote
        stmt = line + 1                  # `  state ...`
        def cpu_ms():
            with open("/proc/%d/stat" % c.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")

        lat = []
        cpu0 = cpu_ms()
        word = "x"
        version = 1
        for k in range(a.keystrokes):
            version += 1
            if k % 2 == 0:   # type one character into the name
                change = {"range": {"start": {"line": line, "character": col},
                                    "end": {"line": line, "character": col}}, "text": word}
            else:            # and delete it again
                change = {"range": {"start": {"line": line, "character": col},
                                    "end": {"line": line, "character": col + 1}}, "text": ""}
            if k % 20 == 10:  # now and then an error: a misspelled statement keyword
                change = {"range": {"start": {"line": stmt, "character": 2},
                                    "end": {"line": stmt, "character": 3}}, "text": "z"}
            if k % 20 == 11:
                change = {"range": {"start": {"line": stmt, "character": 2},
                                    "end": {"line": stmt, "character": 3}}, "text": "s"}
            t0 = time.perf_counter()
            c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                "contentChanges": [change]})
            c.diagnostics(uri, timeout=60)
            lat.append((time.perf_counter() - t0) * 1000)
        cpu_per_key = (cpu_ms() - cpu0) / len(lat)

        def timed(method, params, n=30):
            v = []
            for _ in range(n):
                t0 = time.perf_counter()
                c.request(method, params, timeout=60)
                v.append((time.perf_counter() - t0) * 1000)
            return statistics.median(v)

        pos = {"textDocument": {"uri": uri}, "position": {"line": stmt + 1, "character": 2}}
        comp_ms = timed("textDocument/completion", pos)
        hov = {"textDocument": {"uri": uri}, "position": {"line": stmt, "character": 4}}
        hover_ms = timed("textDocument/hover", hov)
        c.request("shutdown", None)
        c.notify("exit", None)
        c.close()

        p50, p95, p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
        print("configuration:         %d policies, %d lines in %s" % (n_pol, n_lines, cfg))
        print("baseline validate:     %.1f ms (best of %d, new process, from disk)" % (base_ms, len(base)))
        print("didOpen to diagnostics: %.1f ms" % open_ms)
        print("keystroke to diagnostics (%d keystrokes): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms"
              % (len(lat), p50, p95, p99, max(lat)))
        print("server CPU per keystroke: %.1f ms (mean; compile, diagnostics and freeing the last"
              " compile)" % cpu_per_key)
        print("keystroke p50 / validate: %.2f" % (p50 / base_ms))
        print("completion: %.1f ms, hover: %.1f ms (median of 30)" % (comp_ms, hover_ms))
        ok = p95 < TARGET_MS
        print("keystroke p95 < %.0f ms: %s" % (TARGET_MS, "ok" if ok else "MISSED"))
        sys.exit(0 if ok else 1)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
