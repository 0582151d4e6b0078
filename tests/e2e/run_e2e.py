#!/usr/bin/env python3
"""End-to-end tests of `idpc plan` and `idpc apply` against file tenants.

  run_e2e.py --idpc BIN --root REPO golden CASE     plan outputs of tests/golden/plan/CASE
  run_e2e.py --idpc BIN --root REPO SCENARIO        one scenario (see SCENARIOS below)

Golden cases: tests/golden/plan/CASE/case names the configuration and the tenant (two lines,
relative to the repository root); the expected outputs beside it are plan.txt, plan.md and
plan.json (stdout of `idpc plan --format ...`, NO_COLOR, run from the root) when the plan
succeeds, else plan.err (stderr, then a line `exit: N`). IDPC_REGEN=1 rewrites them: review the
diff afterwards.
"""
import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

IDPC = None
ROOT = None
CONTOSO = "policies/contoso"
CONTOSO_TENANT = "policies/contoso-tenant.json"


def run(args, env_extra=None, stdin=subprocess.DEVNULL, timeout=300):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("IDPC_TENANT", None)
    env.pop("IDPC_TEST_FAIL_AFTER", None)
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([IDPC] + args, cwd=ROOT, env=env, stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, out=""):
    if not cond:
        print("FAIL: " + what)
        if out:
            print(out)
        sys.exit(1)


def compare(path, actual):
    if os.environ.get("IDPC_REGEN") == "1":
        with open(path, "w", encoding="utf-8") as f:
            f.write(actual)
        print("regenerated " + path)
        return True
    if not os.path.exists(path):
        print("FAIL: %s does not exist; actual output:\n%s" % (path, actual))
        return False
    with open(path, encoding="utf-8") as f:
        expected = f.read()
    if expected == actual:
        return True
    print("FAIL: output differs from " + path)
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                               "expected", "actual"))
    return False


def golden(case):
    d = os.path.join(ROOT, "tests/golden/plan", case)
    with open(os.path.join(d, "case"), encoding="utf-8") as f:
        config, tenant = f.read().split()[:2]
    tenant_arg = "file:" + tenant
    rc, out, err = run(["plan", config, "--tenant", tenant_arg])
    ok = True
    if rc != 0:
        ok = compare(os.path.join(d, "plan.err"), err + "exit: %d\n" % rc)
    else:
        ok &= compare(os.path.join(d, "plan.txt"), out)
        rc2, md, _ = run(["plan", config, "--tenant", tenant_arg, "--format", "markdown"])
        ok &= rc2 == 0 and compare(os.path.join(d, "plan.md"), md)
        rc3, js, _ = run(["plan", config, "--tenant", tenant_arg, "--format", "json"])
        ok &= rc3 == 0 and compare(os.path.join(d, "plan.json"), js)
        doc = json.loads(js)
        check(doc["format"] == "idpc-plan/1", "plan JSON has the format marker")
        rc4, _, _ = run(["plan", config, "--tenant", tenant_arg, "--detailed-exitcode"])
        want = 2 if doc["actions"] else 0
        check(rc4 == want, "--detailed-exitcode gives %d (got %d)" % (want, rc4))
    sys.exit(0 if ok else 1)


def tenant_copy(tmp, src=CONTOSO_TENANT):
    dst = os.path.join(tmp, "tenant.json")
    shutil.copy(os.path.join(ROOT, src), dst)
    return dst


def plan_rc(tenant):
    return run(["plan", CONTOSO, "--tenant", "file:" + tenant, "--detailed-exitcode"])


def scenario_idempotence(tmp):
    t = tenant_copy(tmp)
    rc, out, err = plan_rc(t)
    check(rc == 2, "the Contoso snapshot has changes to make", out + err)
    rc, out, err = run(["apply", CONTOSO, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0, "apply succeeds", out + err)
    check("Apply complete" in out, "apply reports completion", out)
    rc, out, err = plan_rc(t)
    check(rc == 0, "after apply, plan shows no changes", out + err)
    check("No changes." in out, "plan says 'No changes.'", out)
    json.load(open(t))  # the snapshot is still valid JSON


def scenario_saved_plan(tmp):
    t = tenant_copy(tmp)
    p = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + t, "-o", p])
    check(rc == 0 and os.path.exists(p), "plan -o saves the plan", out + err)
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 0, "applying the saved plan succeeds", out + err)
    rc, out, err = plan_rc(t)
    check(rc == 0, "after applying the saved plan, no changes", out + err)
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 1, "applying the same saved plan twice is refused (the tenant changed)", out + err)


def scenario_stale_plan(tmp):
    t = tenant_copy(tmp)
    p = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + t, "-o", p])
    check(rc == 0, "plan -o", out + err)
    before = open(t, encoding="utf-8").read()
    doc = json.loads(before)
    pols = doc["collections"]["identity/conditionalAccess/policies"]
    victim = next(x for x in pols if x["displayName"].startswith("CA002"))
    victim["state"] = "disabled"  # someone switched it off in the portal
    doc["collections"]["identity/conditionalAccess/namedLocations"].append({
        "@odata.type": "#microsoft.graph.ipNamedLocation", "id": "0f0f0f0f-1111-4222-8333-444444444444",
        "displayName": "Added by hand", "isTrusted": False,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/28"}]})
    with open(t, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    edited = open(t, encoding="utf-8").read()
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 1, "a stale saved plan is refused", out + err)
    check("tenant changed since the plan was made" in err, "the refusal says why", err)
    check(victim["displayName"] in err, "the refusal names the changed policy", err)
    check("Added by hand" in err, "the refusal names the added location", err)
    check(open(t, encoding="utf-8").read() == edited, "a refused apply writes nothing")


def scenario_fail_midway(tmp):
    t = tenant_copy(tmp)
    rc, out, err = run(["apply", CONTOSO, "--tenant", "file:" + t, "--auto-approve"],
                       {"IDPC_TEST_FAIL_AFTER": "17"})
    check(rc == 1, "an injected failure makes apply fail", out + err)
    check("injected failure" in out + err, "the failure is reported", out + err)
    check("17 changes were applied" in err, "apply reports what was applied", err)
    rc, out, err = plan_rc(t)
    check(rc == 2, "after a partial apply, changes remain", out + err)
    rc, out, err = run(["apply", CONTOSO, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0, "re-running apply converges", out + err)
    rc, out, err = plan_rc(t)
    check(rc == 0, "after the re-run, no changes", out + err)


def scenario_concurrent(tmp):
    t = tenant_copy(tmp)
    results = [None, None]

    def one(i):
        results[i] = run(["apply", CONTOSO, "--tenant", "file:" + t, "--auto-approve"])
    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for rc, out, err in results:
        check(rc == 0, "both concurrent applies succeed", out + err)
    completes = sum("Apply complete" in r[1] for r in results)
    nochange = sum("No changes." in r[1] for r in results)
    check(completes == 1 and nochange == 1,
          "the lock serialises them: one applies, the other then finds nothing to do",
          results[0][1] + results[1][1])
    json.load(open(t))
    rc, out, err = plan_rc(t)
    check(rc == 0, "the tenant is consistent after two concurrent applies", out + err)


def scenario_no_tty(tmp):
    t = tenant_copy(tmp)
    before = open(t, encoding="utf-8").read()
    rc, out, err = run(["apply", CONTOSO, "--tenant", "file:" + t])
    check(rc == 1, "apply without a terminal and without --auto-approve refuses", out + err)
    check("--auto-approve" in err, "the refusal tells how to proceed", err)
    check(open(t, encoding="utf-8").read() == before, "nothing was written")


def scenario_env_tenant(tmp):
    t = tenant_copy(tmp)
    rc, out, err = run(["plan", CONTOSO], {"IDPC_TENANT": "file:" + t})
    check(rc == 0 and "Plan:" in out, "IDPC_TENANT selects the tenant", out + err)
    rc, out, err = run(["plan", CONTOSO])
    check(rc == 1 and "IDPC_TENANT" in err, "no tenant at all is a clear error", out + err)


def scenario_huge_snapshot(tmp):
    # A sparse file of 2 GiB + 1 byte: refused from its size, before it is read.
    t = os.path.join(tmp, "huge.json")
    with open(t, "wb") as f:
        f.truncate(2**31)
    rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + t], timeout=60)
    check(rc == 1, "a snapshot over 2 GiB is refused", out + err)
    check("tenant snapshot is 2147483648 bytes" in err and "graph:" in err,
          "the refusal gives the size, the limit and the way out", err)


LICENSES = "tests/golden/plan/licenses/config"
LICENSES_TENANT = "tests/golden/plan/licenses/tenant.json"
SKU_E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
SKU_EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
SKU_P2 = "84a661c4-e949-4bd2-a560-ed7766fcaf2b"


def group_licences(tenant):
    doc = json.load(open(tenant, encoding="utf-8"))
    return {g["displayName"]: sorted(x["skuId"] for x in g.get("assignedLicenses", []))
            for g in doc["collections"]["groups"]}


def edit_group(tenant, name, fn):
    doc = json.load(open(tenant, encoding="utf-8"))
    fn(next(g for g in doc["collections"]["groups"] if g["displayName"] == name))
    with open(tenant, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)


def scenario_licenses(tmp):
    """Group-based licensing: assignLicense applied, then no changes; drift and stale plans seen."""
    t = tenant_copy(tmp, LICENSES_TENANT)
    lic = ["plan", LICENSES, "--tenant", "file:" + t, "--detailed-exitcode"]
    p = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", LICENSES, "--tenant", "file:" + t, "-o", p])
    check(rc == 0, "plan -o", out + err)
    # someone licenses a group by hand after the plan was made: the saved plan is refused
    saved = open(t, encoding="utf-8").read()
    edit_group(t, "Licensed", lambda g: g["assignedLicenses"].append(
        {"disabledPlans": [], "skuId": SKU_EMS}))
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 1 and "Licensed" in err, "a saved plan is refused after a licence changed", out + err)
    rc, out, err = run(lic)
    check(rc == 2 and '~ licenses: - "EMS"' in out, "the hand-made licence is planned away", out)
    with open(t, "w", encoding="utf-8") as f:
        f.write(saved)
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 0, "the saved plan applies", out + err)
    got = group_licences(t)
    want = {"Staff": sorted([SKU_E5, SKU_P2]), "Admins": [SKU_P2], "Licensed": [SKU_P2],
            "Left alone": [SKU_EMS], "Contractors": sorted([SKU_E5, SKU_EMS])}
    check(got == want, "assignedLicenses after apply: %s" % got)
    rc, out, err = run(lic)
    check(rc == 0 and "No changes." in out, "after apply, plan shows no changes", out + err)
    # a licence removed in the portal comes back
    edit_group(t, "Contractors", lambda g: g.__setitem__(
        "assignedLicenses", [x for x in g["assignedLicenses"] if x["skuId"] != SKU_E5]))
    rc, out, err = run(lic)
    check(rc == 2 and '~ licenses: + "SPE_E5"' in out, "drift in licences is planned", out)
    rc, out, err = run(["apply", LICENSES, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0, "apply restores the licence", out + err)
    rc, out, err = run(lic)
    check(rc == 0, "and plan is empty again", out + err)


# Every warning a named location can get, and the checks that run after the locations are
# lowered (an unused template, a strength register_device cannot use, a report-only block).
LOCATION_WARNINGS = """\
location "Warned ranges" {
  ip "203.0.113.7/24", "198.51.100.0/24", "198.51.100.0/24", "198.51.100.128/25"
  ip "10.0.0.0/8", "2001:db8::/32"
}
location "Warned countries" {
  countries "FR", "DE", "FR"
}
template unused {
  grant mfa
}
strength "Device bound" {
  allow fido2
}
policy "Block warned places" {
  state report_only
  users include all
  apps include all
  locations include location "Warned ranges", location "Warned countries"
  grant block
}
policy "Register with a passkey" {
  state report_only
  users include all
  apps include action register_device
  grant strength "Device bound"
}
"""


def scenario_location_warnings(tmp):
    """plan freezes each named location as soon as it is lowered (docs/architecture.md,
    "Memory"); its diagnostics are validate's, which keeps every location as a tree."""
    cfg = os.path.join(tmp, "warn.idp")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(LOCATION_WARNINGS)
    rc, out, verr = run(["validate", cfg])
    check(rc == 0 and "8 warnings" in out, "validate: valid with 8 warnings", out + verr)
    for w in ["has host bits set", "198.51.100.0/24 is listed twice", "lies inside",
              "private address space", "country 'FR' is listed twice", "never used",
              "only Windows Hello", "blocks all users"]:
        check(w in verr, "validate warns: " + w, verr)
    rc, out, perr = run(["plan", cfg, "--tenant", "file:" + CONTOSO_TENANT])
    check(rc == 0 and "Warned ranges" in out, "the plan is made", out + perr)
    check(perr == verr, "plan's diagnostics are validate's",
          "".join(difflib.unified_diff(verr.splitlines(True), perr.splitlines(True), "validate",
                                       "plan")))


SCENARIOS = {
    "idempotence": scenario_idempotence,
    "saved_plan": scenario_saved_plan,
    "stale_plan": scenario_stale_plan,
    "fail_midway": scenario_fail_midway,
    "concurrent": scenario_concurrent,
    "no_tty": scenario_no_tty,
    "env_tenant": scenario_env_tenant,
    "licenses": scenario_licenses,
    "huge_snapshot": scenario_huge_snapshot,
    "location_warnings": scenario_location_warnings,
}


def main():
    global IDPC, ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("what")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    IDPC = os.path.abspath(a.idpc)
    ROOT = os.path.abspath(a.root)
    if a.what == "golden":
        golden(a.case)
    with tempfile.TemporaryDirectory() as tmp:
        SCENARIOS[a.what](tmp)
    print("ok")


if __name__ == "__main__":
    main()
