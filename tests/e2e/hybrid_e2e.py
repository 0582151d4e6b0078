#!/usr/bin/env python3
"""End-to-end tests of hybrid identity (policies/contoso/hybrid.idp, docs/language.md
"on_premises_sync") on the real idpc binary and file tenants built from the shipped Contoso
snapshot:

  hybrid_e2e.py --idpc BIN --root REPO SCENARIO

  apply      plan shows the two feature flags Contoso still has to turn on, apply writes them
             (and only them: the other flags keep their values), the next plan is empty, and an
             export of the tenant plans to "No changes" again (round trip)
  health     `check --tenant`: IDP-P2-010 passes on a fresh synchronisation, fails on one older
             than sync_health's max_age, and fails when a user is in a provisioning error
  unreadable a tenant without the object (as Graph refuses it to an application): plan fails at
             the block with the reason, and a configuration with only sync_health still plans
"""
import argparse
import calendar
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CONTOSO = "policies/contoso"
TENANT = "policies/contoso-tenant.json"
SYNC = "directory/onPremisesSynchronization"
NOW = calendar.timegm(time.strptime("2024-11-05T17:00:00Z", "%Y-%m-%dT%H:%M:%SZ"))
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what, flush=True)


def run(a, args, extra=None):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env["IDPC_CHECK_NOW"] = str(NOW)
    env.pop("IDPC_TENANT", None)
    env.update(extra or {})
    p = subprocess.run([a.idpc] + args, cwd=a.root, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def tenant_copy(a, tmp, edit=None):
    with open(os.path.join(a.root, TENANT)) as f:
        doc = json.load(f)
    if edit:
        edit(doc)
    path = os.path.join(tmp, "tenant-%d.json" % len(os.listdir(tmp)))
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    return path


def scenario_apply(a, tmp):
    t = tenant_copy(a, tmp)
    plan = os.path.join(tmp, "plan.json")
    rc, out, err = run(a, ["plan", CONTOSO, "--tenant", "file:" + t, "-o", plan])
    check(rc == 0, "apply: plan failed: " + err[-500:])
    check("~ on_premises_sync" in out and "~ block_hard_match_takeover: off → on" in out
          and "~ block_soft_match: off → on" in out and "password_hash_sync" not in out,
          "apply: the plan does not show exactly the two flags to turn on")
    with open(plan) as f:
        actions = [x for x in json.load(f)["actions"]
                   if x["kind"] == "onPremisesDirectorySynchronization"]
    body = actions[0]["requests"][0]["body"] if actions else {}
    check(body == {"features": {"passwordSyncEnabled": True, "blockSoftMatchEnabled": True,
                                "blockCloudObjectTakeoverThroughHardMatchEnabled": True},
                   "configuration": {"accidentalDeletionPrevention": {
                       "synchronizationPreventionType": "enabledForCount",
                       "alertThreshold": 500}}} or body == {"features": {
                           "passwordSyncEnabled": True, "blockSoftMatchEnabled": True,
                           "blockCloudObjectTakeoverThroughHardMatchEnabled": True}},
          "apply: the PATCH body is not the stated flags alone: %s" % body)
    rc, out, err = run(a, ["apply", plan, "--tenant", "file:" + t])
    check(rc == 0, "apply: apply failed: " + err[-500:])
    with open(t) as f:
        after = json.load(f)["collections"][SYNC][0]["features"]
    check(after["blockSoftMatchEnabled"] and after["blockCloudObjectTakeoverThroughHardMatchEnabled"]
          and after["quarantineUponUpnConflictEnabled"] and len(after) == 19,
          "apply: the other flags did not keep their values: %s" % after)
    rc, out, err = run(a, ["plan", CONTOSO, "--tenant", "file:" + t, "--detailed-exitcode"])
    check(rc == 0 and "No changes" in out, "apply: the second plan is not empty: " + out[-800:])
    exp = os.path.join(tmp, "export")
    rc, out, err = run(a, ["export", "--tenant", "file:" + t, "-o", exp])
    check(rc == 0 and os.path.exists(os.path.join(exp, "hybrid.idp")),
          "apply: export wrote no hybrid.idp: " + err[-500:])
    with open(os.path.join(exp, "hybrid.idp")) as f:
        text = f.read()
    check("block_hard_match_takeover on" in text and "accidental_deletion_prevention count 500"
          in text, "apply: the export does not hold the tenant's values:\n" + text)
    rc, out, err = run(a, ["plan", exp, "--tenant", "file:" + t, "--detailed-exitcode"])
    check(rc == 0 and "No changes" in out, "apply: the exported configuration plans changes: " +
          out[-800:] + err[-400:])


def p2_010(out):
    lines = out.splitlines()
    for i, line in enumerate(lines):
        parts = line.split()
        if len(parts) > 1 and parts[1] == "IDP-P2-010":
            return line.split()[0], lines[i + 1].strip() if i + 1 < len(lines) else ""
    return None, ""


def scenario_health(a, tmp):
    t = tenant_copy(a, tmp)
    rc, out, err = run(a, ["check", CONTOSO, "--tenant", "file:" + t])
    st, why = p2_010(out)
    check(st == "pass" and "19 min ago, at most 3 h allowed" in why
          and "0 objects in error (at most 0)" in why
          and "password hash sync on, soft match blocked off" in why,
          "health: a fresh synchronisation does not pass: %s %s" % (st, why))

    def stale(doc):
        doc["collections"]["organization"][0]["onPremisesLastSyncDateTime"] = "2024-11-05T12:10:00Z"
    rc, out, err = run(a, ["check", CONTOSO, "--tenant", "file:" + tenant_copy(a, tmp, stale)])
    st, why = p2_010(out)
    check(st == "fail" and "is 4 h 50 min old; at most 3 h allowed" in why and rc == 1,
          "health: a stale synchronisation does not fail: %s %s (exit %d)" % (st, why, rc))
    check("hybrid.idp:15:3: error: Phase 2 exit criterion not met" in err + out,
          "health: the failure does not point at sync_health")

    def conflict(doc):
        users = doc["collections"]["users"]
        users[0]["onPremisesProvisioningErrors"] = [{
            "category": "PropertyConflict", "occurredDateTime": "2024-11-05T16:30:00Z",
            "propertyCausingError": "UserPrincipalName", "value": users[0]["userPrincipalName"]}]
    rc, out, err = run(a, ["check", CONTOSO, "--tenant", "file:" + tenant_copy(a, tmp, conflict)])
    st, why = p2_010(out)
    check(st == "fail" and "1 synchronised object is in error (at most 0 allowed)" in why
          and "PropertyConflict of UserPrincipalName" in why and rc == 1,
          "health: a provisioning error does not fail: %s %s" % (st, why))


def scenario_unreadable(a, tmp):
    def drop(doc):
        del doc["collections"][SYNC]
    t = tenant_copy(a, tmp, drop)
    rc, out, err = run(a, ["plan", CONTOSO, "--tenant", "file:" + t])
    check(rc == 1 and "hybrid.idp:6:1: error: on_premises_sync: the tenant's on-premises "
          "directory synchronization object could not be read" in err
          and "delegated callers only" in err, "unreadable: plan does not say why: " + err[-600:])
    cfg = os.path.join(tmp, "health-only")
    shutil.copytree(os.path.join(a.root, CONTOSO), cfg)
    with open(os.path.join(cfg, "hybrid.idp"), "w") as f:
        f.write("on_premises_sync {\n  sync_health max_age 3h max_errors 0\n}\n")
    rc, out, err = run(a, ["plan", cfg, "--tenant", "file:" + t])
    check(rc == 0 and "on_premises_sync" not in out, "unreadable: sync_health alone does not plan: "
          + err[-400:])
    rc, out, err = run(a, ["check", cfg, "--tenant", "file:" + t])
    st, why = p2_010(out)
    check(st == "pass" and "features were not readable" in why,
          "unreadable: check does not say the features are unknown: %s %s" % (st, why))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("scenario", choices=["apply", "health", "unreadable"])
    a = ap.parse_args()
    a.idpc = os.path.abspath(a.idpc)
    tmp = tempfile.mkdtemp(prefix="idpc-hybrid-")
    try:
        {"apply": scenario_apply, "health": scenario_health,
         "unreadable": scenario_unreadable}[a.scenario](a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        sys.exit(1)
    print("ok: " + a.scenario)


if __name__ == "__main__":
    main()
