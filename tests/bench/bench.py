#!/usr/bin/env python3
"""idpc's benchmark: every command against yardsticks measured in the same run.

  bench.py IDPC [--runs 5] [--keep DIR] [--axes compile,plan,eval,impact] [--quick]

Axes (each point generated once, deterministically, under DIR or a temporary directory):
  compile  `idpc validate` of configurations of ~10k, ~100k and ~1M lines (gen_config.py:
           Contoso's policies replicated, a group, a location and a policy per copy), against
           `jq empty`, `jq .` and a jansson-only load (jload.c) of the JSON it compiles to.
  plan     `idpc plan` at three points (gen.py): the plan benchmark (195 policies, 2,000
           locations, 50,000 users, 10,000 groups), 10x its declared objects, 10x its directory;
           each against the snapshot written indented and compact, with the same yardsticks.
  eval     `idpc coverage` (text) of Contoso against `idpc validate` of it, and the evaluator's
           rate: sign-ins x enabled policies per CPU second of coverage beyond validate's time,
           on Contoso with 10 copies of its policies (a larger matrix, for a measurable time).
  impact   `idpc plan` of Contoso against its snapshot (what `make plan` runs) with its impact
           section and with --impact=off; the scenario count; and the same on Contoso with 10
           copies of its policies planned into an empty tenant.

Runs are interleaved (run 1 of every command, then run 2, ...) and each figure is the median;
times are CPU seconds (user + system, from wait4's rusage) because the machine is shared, and
peak RSS is the largest of the runs. Prints Markdown tables (docs/performance.md) and exits 1
when a target is missed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTOSO = os.path.join(ROOT, "policies", "contoso")


def run(cmd, env):
    """CPU seconds (user + system), wall is not used; peak RSS in bytes."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        sys.exit("%s failed (exit %d):\n%s" % (" ".join(cmd), code, err[-2000:]))
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def interleave(cmds, runs, env):
    """{name: (median cpu s, max rss)} over `runs` interleaved rounds."""
    t = {k: [] for k in cmds}
    m = {k: 0 for k in cmds}
    for _ in range(runs):
        for k, c in cmds.items():
            s, r = run(c, env)
            t[k].append(s)
            m[k] = max(m[k], r)
    return {k: (statistics.median(t[k]), m[k]) for k in cmds}


class Report:
    def __init__(self):
        self.missed = []

    def check(self, what, value, limit):
        ok = value <= limit
        if not ok:
            self.missed.append("%s: %.2f (target <= %g)" % (what, value, limit))
        return "%.2f%s" % (value, "" if ok else " **missed**")


def jload_binary(tmp):
    exe = os.path.join(tmp, "jload")
    if not os.path.exists(exe):
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", exe, os.path.join(HERE, "jload.c"), "-ljansson"],
                       check=True)
    return exe


def yardsticks(name, path, jload):
    return {name + " jq .": ["jq", ".", path], name + " jq empty": ["jq", "empty", path],
            name + " jansson": [jload, path]}


def compile_axis(a, tmp, env, jload, rep):
    points = [(l, c) for l, c in [("10k", 45), ("100k", 450), ("1M", 4500)]
              if l in a.lines.split(",")]
    if a.quick:
        points = points[:1]
    rows = []
    res = {}
    for label, copies in points:
        d = os.path.join(tmp, "config-%s" % label)
        if not os.path.isdir(os.path.join(d, "config")):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_config.py"), d,
                            "--copies", str(copies)], check=True, stdout=subprocess.DEVNULL)
        model = os.path.join(d, "model.json")
        subprocess.run([a.idpc, "compile", os.path.join(d, "config"), "-o", model], check=True,
                       env=env)
        lines = sum(open(os.path.join(d, "config", f)).read().count("\n")
                    for f in os.listdir(os.path.join(d, "config")))
        cmds = {"validate": [a.idpc, "validate", os.path.join(d, "config")],
                "compile": [a.idpc, "compile", os.path.join(d, "config"), "-o",
                            os.path.join(d, "out.json")]}
        cmds.update(yardsticks("model", model, jload))
        r = interleave(cmds, a.runs, env)
        res[label] = (lines, r)
        rows.append((label, lines, os.path.getsize(model), r))
    print("### compile: `idpc validate` against the JSON it compiles to\n")
    print("| lines | model JSON | validate | compile -o | jq empty | jq . | jansson load "
          "| validate ÷ jq empty | validate peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, lines, size, r in rows:
        ratio = r["validate"][0] / r["model jq empty"][0]
        cell = rep.check("validate/jq empty at %s" % label, ratio, 1.0) if label == "100k" \
            else "%.2f" % ratio
        print("| %s (%d) | %.1f MB | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %s | %.0f MB |"
              % (label, lines, size / 1e6, r["validate"][0], r["compile"][0],
                 r["model jq empty"][0], r["model jq ."][0], r["model jansson"][0], cell,
                 r["validate"][1] / 1e6))
    if "1M" in res and "100k" in res:
        (l1, r1), (l0, r0) = res["1M"], res["100k"]
        growth = (r1["validate"][0] / l1) / (r0["validate"][0] / l0) * 10
        mem = (r1["validate"][1] / l1) / (r0["validate"][1] / l0) * 10
        print("\n1M ÷ 100k lines (scaled to exactly 10× the lines): validate time %s "
              "(target <= 12), peak RSS %.1f×" % (rep.check("validate 1M/100k", growth, 12), mem))
    print()


def plan_axis(a, tmp, env, jload, rep):
    points = [("benchmark", ["--locations", "2000"]),
              ("10× declared", ["--policies", "1950", "--locations", "20000"]),
              ("10× directory", ["--users", "500000", "--groups", "100000", "--locations", "2000"])]
    if a.quick:
        points = points[:1]
    print("### plan: `idpc plan` against the snapshot it reads\n")
    print("| point | snapshot (indented / compact) | plan compact | plan indented | jq empty "
          "compact | jq . compact | jansson compact | jq empty indented | plan ÷ jq empty "
          "(compact) | plan ÷ jq empty (indented) | peak RSS ÷ compact snapshot |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, args in points:
        d = os.path.join(tmp, "plan-" + label.replace("× ", "x-").replace(" ", "-"))
        if not os.path.exists(os.path.join(d, "tenant-compact.json")):
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), d] + args, check=True)
        ind, comp = os.path.join(d, "tenant.json"), os.path.join(d, "tenant-compact.json")
        cfg = os.path.join(d, "config")
        cmds = {"plan compact": [a.idpc, "plan", cfg, "--tenant", "file:" + comp],
                "plan indented": [a.idpc, "plan", cfg, "--tenant", "file:" + ind],
                "indented jq empty": ["jq", "empty", ind]}
        cmds.update(yardsticks("compact", comp, jload))
        r = interleave(cmds, a.runs, env)
        sc, si = os.path.getsize(comp), os.path.getsize(ind)
        tc = r["plan compact"][0] / r["compact jq empty"][0]
        ti = r["plan indented"][0] / r["indented jq empty"][0]
        mc = r["plan compact"][1] / sc
        print("| %s | %.0f / %.0f MB | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s "
              "| %s | %.2f | %s |"
              % (label, si / 1e6, sc / 1e6, r["plan compact"][0], r["plan indented"][0],
                 r["compact jq empty"][0], r["compact jq ."][0], r["compact jansson"][0],
                 r["indented jq empty"][0], rep.check("plan/jq empty (%s)" % label, tc, 1.5), ti,
                 rep.check("plan RSS/compact snapshot (%s)" % label, mc, 3.0)))
    print()


def eval_axis(a, tmp, env, rep):
    r = interleave({"coverage": [a.idpc, "coverage", CONTOSO],
                    "validate": [a.idpc, "validate", CONTOSO]}, max(a.runs, 9), env)
    d = os.path.join(tmp, "config-eval")
    if not os.path.isdir(os.path.join(d, "config")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_config.py"), d, "--copies", "10"],
                       check=True, stdout=subprocess.DEVNULL)
    cfg = os.path.join(d, "config")
    out = subprocess.run([a.idpc, "coverage", cfg, "--format", "json"], check=True, env=env,
                         stdout=subprocess.PIPE).stdout
    summary = json.loads(out)["summary"]
    big = interleave({"coverage": [a.idpc, "coverage", cfg],
                      "validate": [a.idpc, "validate", cfg]}, max(a.runs, 9), env)
    evals = summary["signIns"] * summary["policies"]
    spent = max(big["coverage"][0] - big["validate"][0], 1e-3)
    rate = evals / spent
    print("### evaluator: `idpc coverage`\n")
    print("| configuration | sign-ins × policies | coverage | validate | coverage ÷ validate "
          "| evaluations per second (one core) |")
    print("|---|---:|---:|---:|---:|---:|")
    print("| Contoso | | %.3f s | %.3f s | %s | |"
          % (r["coverage"][0], r["validate"][0],
             rep.check("coverage/validate (Contoso)", r["coverage"][0] / r["validate"][0], 1.0)))
    ok = rate >= 20e6
    if not ok:
        rep.missed.append("evaluations per second: %.2g (target >= 2e7)" % rate)
    print("| Contoso + 10 copies | %d × %d | %.3f s | %.3f s | %.1f | %.2g%s |"
          % (summary["signIns"], summary["policies"], big["coverage"][0], big["validate"][0],
             big["coverage"][0] / big["validate"][0], rate, "" if ok else " **missed**"))
    print()


def impact_axis(a, tmp, env, rep):
    tenant = os.path.join(ROOT, "policies", "contoso-tenant.json")
    d = os.path.join(tmp, "config-eval")
    if not os.path.isdir(os.path.join(d, "config")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_config.py"), d, "--copies", "10"],
                       check=True, stdout=subprocess.DEVNULL)
    points = [("Contoso (`make plan`)", CONTOSO, "file:" + tenant)]
    print("### impact: `idpc plan` with and without its impact section\n")
    print("| configuration | scenarios (evaluated) | changed | rows | plan | plan --impact=off "
          "| ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, cfg, ten in points:
        out = subprocess.run([a.idpc, "plan", cfg, "--tenant", ten, "--format", "json"],
                             env=env, stdout=subprocess.PIPE).stdout
        im = json.loads(out)["impact"]
        r = interleave({"on": [a.idpc, "plan", cfg, "--tenant", ten],
                        "off": [a.idpc, "plan", cfg, "--tenant", ten, "--impact=off"]},
                       max(a.runs, 15), env)
        print("| %s | %d (%d) | %d | %d | %.3f s | %.3f s | %s |"
              % (label, im["scenarios"], im["evaluated"], im["changed"],
                 len(im["rows"]) + im["rowsLeftOut"], r["on"][0], r["off"][0],
                 rep.check("plan/plan --impact=off (%s)" % label, r["on"][0] / r["off"][0], 1.5)))
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("idpc")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep")
    ap.add_argument("--axes", default="compile,plan,eval,impact")
    ap.add_argument("--quick", action="store_true", help="the smallest point of each axis only")
    ap.add_argument("--lines", default="10k,100k,1M", help="compile axis points")
    a = ap.parse_args()
    a.idpc = os.path.abspath(a.idpc)
    tmp = a.keep or tempfile.mkdtemp(prefix="idpc-bench-")
    os.makedirs(tmp, exist_ok=True)
    env = dict(os.environ, NO_COLOR="1")
    env.pop("IDPC_TENANT", None)
    env.pop("IDPC_FREE_AT_EXIT", None)
    rep = Report()
    jload = jload_binary(tmp)
    print("%d cores (%s); times are CPU seconds, medians of %d interleaved runs\n"
          % (os.cpu_count(), cpu_model(), a.runs))
    axes = a.axes.split(",")
    if "compile" in axes:
        compile_axis(a, tmp, env, jload, rep)
    if "plan" in axes:
        plan_axis(a, tmp, env, jload, rep)
    if "eval" in axes:
        eval_axis(a, tmp, env, rep)
    if "impact" in axes:
        impact_axis(a, tmp, env, rep)
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    for m in rep.missed:
        print("MISSED: " + m)
    sys.exit(1 if rep.missed else 0)


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
