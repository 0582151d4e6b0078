#!/usr/bin/env python3
"""End-to-end tests of `idpc replay` (docs/replay.md): the real binary on real files, and on the
Graph emulator over HTTPS. One test per name:

  contoso     the hand-made Contoso log: every change, with the policies that explain it
  verify      --verify on the same log: 100% agreement with the results written by hand
  planted     one planted disagreement is reported, classified, with its inputs
  shapes      a {"value": [...]} page, a JSON array and JSON lines give the same report
  errors      bad records name FILE:LINE:COL; usage errors; exit codes
  graph       --tenant graph: --since: paged GET /auditLogs/signIns with $filter over HTTPS,
              through directory throttling (429 + Retry-After); the same report as the file

Usage: replay_e2e.py --idpc IDPC --root REPO [--emulator EMU --workdir DIR] TEST
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = None
IDPC = None
TENANT = "file:policies/contoso-tenant.json"
LOG = "policies/contoso-signins.jsonl"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def run(args, expect=0, stdin=None, env=None):
    p = subprocess.run([IDPC] + args, cwd=ROOT, capture_output=True, text=True, input=stdin,
                       env=env, timeout=600)
    if p.returncode != expect:
        raise Failure("idpc %s exited %d, expected %d\n--- stdout\n%s\n--- stderr\n%s" %
                      (" ".join(args), p.returncode, expect, p.stdout[-4000:], p.stderr[-4000:]))
    return p


def replay_json(extra, log=LOG, expect=0):
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", log,
             "--format", "json"] + extra, expect=expect)
    return json.loads(p.stdout)


def change(j, frm, to):
    for c in j["changes"]:
        if c["from"] == frm and c["to"] == to:
            return c
    raise Failure("no change %s -> %s in %s" % (frm, to, [(c["from"], c["to"])
                                                          for c in j["changes"]]))


def t_contoso(_):
    j = replay_json([])
    check(j["format"] == "idpc-replay/1", "format")
    check(j["signIns"] == 14 and j["evaluated"] == 12 and j["users"] == 11, "counts %s" %
          {k: j[k] for k in ("signIns", "evaluated", "users")})
    check(j["changed"] == {"signIns": 5, "users": 4}, "changed %s" % j["changed"])
    # most severe first
    kinds = [c["kind"] for c in j["changes"]]
    check(kinds == ["newly blocked", "newly allowed without MFA", "stronger", "stronger"],
          "order %s" % kinds)
    blocked = change(j, "MFA", "blocked")
    check(blocked["signIns"] == 2 and blocked["users"] == 2, "newly blocked")
    why = " | ".join(blocked["because"])
    check("+ CA011: Block access from embargoed countries" in why, "CA011 explains: " + why)
    check("+ CA013: Block directory synchronization accounts outside the corporate network" in why,
          "CA013 explains: " + why)
    users = {e["user"] for e in blocked["examples"]}
    check(users == {"lee.gu@contoso.com",
                    "Sync_PARIS-DC01_4f1b2c3d5e6a@contoso.onmicrosoft.com"}, str(users))
    allowed = change(j, "MFA", "allowed")
    check(allowed["because"] == ["- Legacy: Require MFA for all users (portal)"],
          str(allowed["because"]))
    check(allowed["examples"][0]["at"] == LOG + ":7:1", allowed["examples"][0]["at"])
    fay = change(j, "MFA", "strength 'Contoso phishing-resistant MFA'")
    check(fay["examples"][0]["user"] == "admin-fay@contoso.onmicrosoft.com",
          "Fay gets CA001 through the configuration's Admin Accounts membership")
    alice = change(j, "strength 'Multifactor authentication'",
                   "strength 'Contoso phishing-resistant MFA'")
    check(alice["apps"] == [{"app": "Azure Portal", "signIns": 1, "users": 1}], str(alice["apps"]))
    inc = j["incomplete"]
    check(inc["unknown user"]["count"] == 1 and not inc["unknown user"]["evaluated"], "unknown")
    check(inc["service principal"]["count"] == 1, "service principal")
    check(inc["no device detail"]["count"] == 1 and inc["no device detail"]["evaluated"], "dev")
    check(inc["unknown platform"]["count"] == 1, "platform")
    check("verify" not in j, "verify only with --verify")
    text = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", LOG]).stdout
    check("5 sign-ins by 4 users would change outcome" in text, text)
    check("MFA → blocked (newly blocked): 2 sign-ins, 2 users" in text, text)
    md = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", LOG,
              "--format", "markdown"]).stdout
    check(md.startswith("### Replay of 14 sign-ins") and "- **MFA → blocked**" in md, md[:400])
    run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", LOG,
         "--detailed-exitcode"], expect=2)


def t_verify(_):
    j = replay_json(["--verify"])
    v = j["verify"]
    check(v["rate"] == 1.0 and v["disagreements"] == 0, "agreement %s" % v)
    check(v["policyResults"] == 96 and v["signIns"] == 12 and v["agreeingSignIns"] == 12,
          str(v))
    text = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", LOG,
                "--verify"]).stdout
    check("100.0% agreement: 96 of 96 policy results agree" in text, text[-600:])


def t_planted(work):
    planted = os.path.join(work, "planted.jsonl")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/e2e/make_contoso_signins.py"),
                    os.path.join(ROOT, "policies/contoso-tenant.json"), planted, "--planted"],
                   check=True)
    j = replay_json(["--verify"], log=planted)
    v = j["verify"]
    check(v["disagreements"] == 1 and v["agreeing"] == 95 and v["policyResults"] == 96, str(v))
    d = v["list"][0]
    check(d["policy"] == "CA004: Require MFA for medium or high sign-in risk", d["policy"])
    check(d["entra"] == "success" and d["idpc"] == "not applied", str(d))
    check(d["kind"] == "evaluator" and d["reason"] == "signInRisk", str(d))
    check(d["user"] == "adele.vance@contoso.com" and d["at"] == planted + ":1:1", str(d))
    check(d["signInRisk"] == "none" and d["country"] == "FR", "the inputs are listed")
    run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", planted, "--verify",
         "--detailed-exitcode"], expect=2)


def t_shapes(work):
    recs = [json.loads(l) for l in open(os.path.join(ROOT, LOG))]
    page = os.path.join(work, "page.json")
    with open(page, "w") as f:  # two pages, as saved from GET /auditLogs/signIns
        json.dump({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns",
                   "value": recs[:6], "@odata.nextLink": "https://graph.microsoft.com/next"},
                  f, indent=2)
        f.write("\n")
        json.dump({"value": recs[6:]}, f)
    arr = os.path.join(work, "array.json")
    with open(arr, "w") as f:
        f.write("\ufeff")  # exports often start with a byte order mark
        json.dump(recs, f, indent=1)
    ref = replay_json([])
    for path in (page, arr):
        j = replay_json([], log=path)
        for k in ("signIns", "evaluated", "users", "changed"):
            check(j[k] == ref[k], "%s: %s %s != %s" % (path, k, j[k], ref[k]))
        check([(c["from"], c["to"], c["signIns"]) for c in j["changes"]] ==
              [(c["from"], c["to"], c["signIns"]) for c in ref["changes"]], path)
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", "-",
             "--format", "json"], stdin=open(os.path.join(ROOT, LOG)).read())
    check(json.loads(p.stdout)["changed"] == ref["changed"], "standard input")


def t_errors(work):
    bad = os.path.join(work, "bad.jsonl")
    lines = open(os.path.join(ROOT, LOG)).read().splitlines()
    with open(bad, "w") as f:
        f.write(lines[0] + "\n" + lines[1] + "\n" + '{"id": "x", "userId": 42}\n')
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", bad], expect=1)
    check(bad + ':3:1: sign-in "userId" must be a string' in p.stderr, p.stderr)
    with open(bad, "w") as f:
        f.write(lines[0] + "\n" + '{"id": "x", "userId": "a" "b"}\n')
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", bad], expect=1)
    check(bad + ":2:" in p.stderr and "error" in p.stderr, p.stderr)
    with open(bad, "w") as f:
        f.write('[\n  {"id": "a"},\n  {"id": "b"\n')
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", bad], expect=1)
    check(bad + ":3:3: unexpected end of input" in p.stderr, p.stderr)
    with open(bad, "w") as f:
        f.write('[1]\n')
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", bad], expect=1)
    check(bad + ":1:2: a sign-in must be a JSON object" in p.stderr, p.stderr)
    p = run(["replay", "policies/contoso", "--tenant", TENANT], expect=1)
    check("no sign-ins given" in p.stderr, p.stderr)
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--since", "7x"], expect=1)
    check("--since takes an age" in p.stderr, p.stderr)
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", "/nonexistent"],
            expect=1)
    check("/nonexistent: cannot open" in p.stderr, p.stderr)
    p = run(["replay", "policies/contoso", "--tenant", TENANT, "--signins", LOG,
             "--format", "xml"], expect=1)
    check("--format takes text, markdown or json" in p.stderr, p.stderr)
    p = run(["replay", "--help"])
    check("Usage:" in p.stdout and "--signins FILE" in p.stdout, p.stdout[:300])


def t_graph(work, a):
    sys.path.insert(0, os.path.join(ROOT, "tests/e2e/graph"))
    import e2e_lib  # noqa: E402
    a.source = ROOT
    ctx = e2e_lib.Ctx(a, "replay-graph")
    gen = os.path.join(ROOT, "tests/e2e/graph/gen_signins.py")
    out = ctx.path("gen")
    jsonl = ctx.path("signins.jsonl")
    subprocess.run([sys.executable, gen, out, "--users", "300", "--groups", "20", "--policies",
                    "40", "--signins", "2600", "--days", "10", "--embed", "--jsonl", jsonl],
                   check=True)
    cfg = ctx.path("cfg")
    run(["export", "--tenant", "file:" + os.path.join(out, "tenant.json"), "-o", cfg])
    with open(os.path.join(out, "proposed", "changes.idp")) as f, \
            open(os.path.join(cfg, "changes.idp"), "w") as g:
        g.write(f.read())
    emu = e2e_lib.Emulator(ctx, os.path.join(out, "tenant.json"),
                           extra=["--directory-throttle", "4"])
    try:
        env = e2e_lib.auth_env(ctx, emu)
        since = "2026-11-24T00:00:00Z"  # the last 7 of the 10 days
        p = e2e_lib.idpc(ctx, ["replay", cfg, "--tenant", "graph:", "--since", since,
                               "--format", "json"], env, expect=0, name="replay")
        got = json.loads(p.stdout)
        every = emu.requests()
        reqs = [r for r in every if r["path"].endswith("/auditLogs/signIns")]
    finally:
        emu.stop()
    check(len([r for r in reqs if r["status"] == 200]) >= 2, "paged: %d requests" % len(reqs))
    check(any(r["status"] == 429 for r in every), "throttled at least once")
    first = json.dumps(reqs[0])
    check("createdDateTime" in first and "ge" in first, "filtered: " + first[:400])
    # the same sign-ins from the file, filtered the same way
    recent = ctx.path("recent.jsonl")
    with open(jsonl) as f, open(recent, "w") as g:
        for line in f:
            if json.loads(line)["createdDateTime"] >= since:
                g.write(line)
    want = json.loads(run(["replay", cfg, "--tenant", "file:" + os.path.join(out, "tenant.json"),
                           "--signins", recent, "--format", "json"]).stdout)
    check(got["signIns"] == want["signIns"] and got["signIns"] > 1000,
          "graph %d vs file %d sign-ins" % (got["signIns"], want["signIns"]))
    for k in ("evaluated", "users", "changed", "incomplete"):
        if k == "incomplete":
            check({r: v["count"] for r, v in got[k].items()} ==
                  {r: v["count"] for r, v in want[k].items()}, k)
        else:
            check(got[k] == want[k], "%s: %s != %s" % (k, got[k], want[k]))
    check(got["changed"]["signIns"] > 0, "the proposed policies change some outcomes")
    check(e2e_lib.CLIENT_SECRET not in p.stdout + p.stderr, "secret printed")


def main():
    global ROOT, IDPC
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--emulator")
    ap.add_argument("--workdir")
    ap.add_argument("test")
    a = ap.parse_args()
    ROOT = os.path.abspath(a.root)
    IDPC = os.path.abspath(a.idpc)
    tests = {"contoso": t_contoso, "verify": t_verify, "planted": t_planted,
             "shapes": t_shapes, "errors": t_errors}
    with tempfile.TemporaryDirectory() as work:
        try:
            if a.test == "graph":
                t_graph(work, a)
            else:
                tests[a.test](work)
        except Failure as e:
            print("FAIL %s: %s" % (a.test, e))
            return 1
    print("ok %s" % a.test)
    return 0


if __name__ == "__main__":
    sys.exit(main())
