#!/bin/sh
# Graph benchmark: HTTP requests and wall time of `idpc plan` and `idpc apply` against the Graph
# emulator with the Conditional Access throttle on (1 request/s, 429 without Retry-After) and
# 20 ms added latency per request, for generated tenants of 10, 50 and 195 policies (50,000
# users, 2,000 groups; half the policies exist, half of those differ). Beside each: the minimum
# possible request count, and what a one-GET-per-object client (Terraform's pattern) needs for
# the same plan. Prints a Markdown table (docs/performance.md, "Graph backend").
#
#   tests/bench/graph_bench.sh BUILD_DIR [POLICIES...]       (default: 10 50 195)
#
# BUILD_DIR holds cli/idpc and tests/graph-emulator/graph-emulator. Needs python3 and openssl.
# Takes about 5 minutes (apply is bound by the 1 request/s Conditional Access limit).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: graph_bench.sh BUILD_DIR [POLICIES...]}" && pwd)
shift
exec python3 - "$src" "$build" "$@" <<'PY'
import json, math, os, re, subprocess, sys, tempfile, time
src, build = sys.argv[1], sys.argv[2]
sizes = [int(x) for x in sys.argv[3:]] or [10, 50, 195]
sys.path.insert(0, os.path.join(src, "tests/e2e/graph"))
import e2e_lib as E  # noqa: E402

class A: pass
a = A()
a.idpc = os.path.join(build, "cli/idpc")
a.emulator = os.path.join(build, "tests/graph-emulator/graph-emulator")
a.source = src
a.workdir = tempfile.mkdtemp(prefix="idpc-graph-bench-")
ctx = E.Ctx(a, "bench")
USERS, GROUPS = 50000, 2000
rows = []
for n in sizes:
    d = ctx.path("gen-%d" % n)
    subprocess.run([sys.executable, os.path.join(src, "tests/e2e/graph/gen_tenant.py"), d,
                    "--policies", str(n), "--users", str(USERS), "--groups", str(GROUPS),
                    "--existing", str(n // 2)], check=True)
    cfg = os.path.join(d, "config")
    emu = E.Emulator(ctx, os.path.join(d, "tenant.json"), name="bench-%d" % n,
                     extra=["--ca-throttle", "--latency-ms", "20"])
    try:
        env = E.auth_env(ctx, emu, "secret")
        for k in ("IDPC_CA_RATE", "IDPC_HTTP_BACKOFF"):  # the real client's defaults
            env.pop(k)
        env["IDPC_PROGRESS"] = "1"
        p = E.idpc(ctx, ["plan", "--format", "json", "--tenant", "graph:", cfg], env,
                   expect=0, name="plan-%d" % n)
        plan = json.loads(p.stdout)
        reqs = emu.requests()
        plan_req = sum(1 for r in reqs if not r["batch"])
        plan_429 = sum(1 for r in reqs if r["status"] == 429)
        plan_s = p.seconds
        m = re.search(r"looked up (\d+) names and ids.*\((\d+) requests?\)", p.stderr)
        names, lookups = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        colls = len({r["path"] for r in reqs if not r["batch"] and r["method"] == "GET"})
        writes = sum(len(x.get("requests", [])) for x in plan["actions"])
        emu.clear_log()
        p = E.idpc(ctx, ["apply", "--auto-approve", "--tenant", "graph:", cfg], env, expect=0,
                   name="apply-%d" % n)
        reqs = emu.requests()
        apply_req = sum(1 for r in reqs if not r["batch"])
        apply_429 = sum(1 for r in reqs if r["status"] == 429)
        apply_s = p.seconds
        ca_reads = sum(1 for r in reqs if not r["batch"] and r["method"] == "GET" and
                       r["path"].startswith("/v1.0/identity/conditionalAccess/"))
    finally:
        emu.stop()
    # the minimum: a token, each collection once (one page each), the names in full $batches
    min_plan = 1 + colls + math.ceil(names / 300)
    min_apply = min_plan + writes
    # one GET per object: a token, every declared policy, every referenced user and group by
    # name (data sources), the other collections once; apply adds one read-back per write
    refs = len(set(re.findall(r'(?:user|group) "[^"]+"', open(os.path.join(cfg,
                                                                        "policies.idp")).read())))
    per_plan = 1 + n + refs + (colls - 1)
    per_apply = per_plan + 2 * writes
    # its wall time, at best: one CA request per second, 20 ms for the rest
    per_plan_s = (n - 1) * 1.0 + (per_plan - n) * 0.02
    per_apply_s = per_plan_s + 2 * writes * 1.0
    rows.append((n, plan_req, plan_s, plan_429, min_plan, per_plan, per_plan_s, writes, apply_req,
                 apply_s, apply_429, min_apply, per_apply, per_apply_s, names, lookups))
    print("%d policies: plan %d requests %.1f s; apply %d requests %.1f s" %
          (n, plan_req, plan_s, apply_req, apply_s), file=sys.stderr)

print("| policies | plan: requests (429s) | plan: wall | minimum | one GET per object "
      "| ratio | apply: writes | apply: requests (429s) | apply: wall | minimum "
      "| one GET per object | ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (n, pr, ps, p429, mp, pp, pps, w, ar, as_, a429, ma, pa, pas, names, lk) in rows:
    print("| %d | %d (%d) | %.1f s | %d | %d (≥ %.0f s) | %.1f× | %d | %d (%d) | %.1f s | %d "
          "| %d (≥ %.0f s) | %.1f× |" %
          (n, pr, p429, ps, mp, pp, pps, pp / pr, w, ar, a429, as_, ma, pa, pas, pa / ar))
print()
print("Names and ids looked up per plan: " +
      ", ".join("%d policies: %d in %d $batch request(s)" % (r[0], r[14], r[15]) for r in rows))
PY
