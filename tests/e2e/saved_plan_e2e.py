#!/usr/bin/env python3
"""End-to-end tests of the saved-plan contract (docs/runtime.md, "Saved plans").

  saved_plan_e2e.py --idpc BIN --root REPO SCENARIO

A saved plan is a review artifact: `idpc apply PLAN` compiles the configuration the plan carries,
plans it again against the tenant as it is now, and runs only a plan equal to the saved one. Each
tampering scenario edits a saved plan the way a hostile user would and checks that apply refuses
(exit 1), names what differs, and leaves the tenant file byte for byte as it was. The honest
scenarios check that an unchanged plan applies (from another directory too), that an unrelated
change is accepted and a change the plan shows is refused, and that a re-applied plan says so
first.
"""
import json
import os
import shutil
import subprocess
import sys

IDPC = None
ROOT = None
CONTOSO = "policies/contoso"
CONTOSO_TENANT = "policies/contoso-tenant.json"


def run(args, cwd=None):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("IDPC_TENANT", None)
    env.pop("IDPC_TEST_FAIL_AFTER", None)
    p = subprocess.run([IDPC] + args, cwd=cwd or ROOT, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, out=""):
    if not cond:
        print("FAIL: " + what)
        if out:
            print(out)
        sys.exit(1)


def saved_plan(tmp, cfg=CONTOSO, extra=()):
    """A copy of the Contoso tenant and a plan saved against it (paths absolute)."""
    t = os.path.join(tmp, "tenant.json")
    shutil.copy(os.path.join(ROOT, CONTOSO_TENANT), t)
    p = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t, "-o", p] + list(extra))
    check(rc == 0 and os.path.exists(p), "plan -o saves the plan", out + err)
    return t, p


def load(p):
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def save(p, doc):
    with open(p, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)


def edit_tenant(t, fn):
    doc = load(t)
    fn(doc["collections"])
    save(t, doc)


def refused(t, p, what, must, args=()):
    """apply must refuse p: exit 1, a message containing each of `must`, the tenant unchanged."""
    before = open(t, "rb").read()
    rc, out, err = run(["apply", p, "--tenant", "file:" + t] + list(args))
    check(rc == 1, what + ": apply refuses (exit 1, got %d)" % rc, out + err)
    for m in must:
        check(m in err, "%s: the refusal says %r" % (what, m), err)
    check("Applying to" not in out and "done" not in out, what + ": nothing was sent", out)
    check(open(t, "rb").read() == before, what + ": the tenant file is byte for byte unchanged")
    print("ok: %s: %s" % (what, err.strip().splitlines()[0][:300]))


def tamper(fn, what, must, args=()):
    def scenario(tmp):
        t, p = saved_plan(tmp)
        doc = load(p)
        fn(doc)
        save(p, doc)
        # "%d" stands for the real summary.create, which summary_edit records
        refused(t, p, what, [m % SUMMARY_CREATE["real"] if "%d" in m else m for m in must], args)
    return scenario


def first_action(doc, op, word):
    return next(a for a in doc["actions"] if a["op"] == op and a["word"] == word)


def add_actions(doc):
    """A DELETE of an unmanaged group and a policy switched to disabled, appended as actions."""
    g = next(u for u in doc["unmanaged"] if u["word"] == "group")
    upd = first_action(doc, "update", "policy")
    n = len(doc["actions"])
    doc["actions"].append({"index": n, "op": "delete", "kind": "group", "word": "group",
                           "name": g["name"], "id": g["id"], "at": None, "changes": [],
                           "requests": [{"phase": 9, "method": "DELETE", "path": "groups/" + g["id"],
                                         "description": "delete group"}], "dependsOn": []})
    doc["actions"].append({"index": n + 1, "op": "update", "kind": upd["kind"], "word": "policy",
                           "name": upd["name"], "id": upd["id"], "at": upd["at"], "changes": [],
                           "requests": [{"phase": 4, "method": "PATCH",
                                         "path": "identity/conditionalAccess/policies/" + upd["id"],
                                         "body": {"state": "disabled"},
                                         "description": "disable"}], "dependsOn": []})


def add_request(doc):
    upd = first_action(doc, "update", "policy")
    upd["requests"].append({"phase": 4, "method": "PATCH",
                            "path": "identity/conditionalAccess/policies/" + upd["id"],
                            "body": {"state": "disabled"}, "description": "disable"})


def phase_99(doc):
    doc["actions"][0]["requests"][0]["phase"] = 99


def edit_source(doc):
    """The carried configuration is edited (a policy switched off) without touching the actions."""
    for s in doc["config"]["sources"]:
        if s["path"].endswith("ca-baseline.idp") and "state on" in s["text"]:
            s["text"] = s["text"].replace("state on", "state off", 1)
            return
    raise AssertionError("no 'state on' in ca-baseline.idp")


def other_tenant(doc):
    doc["tenant"]["id"] = "00000000-0000-4000-8000-000000000001"


def redirect_backend(tmp_holder):
    pass


SUMMARY_CREATE = {}


def summary_edit(doc):
    SUMMARY_CREATE["real"] = doc["summary"]["create"]
    doc["summary"]["create"] = 1


def unknown_field(doc):
    doc["approvedBy"] = "mallory"


def unknown_nested(doc):
    doc["actions"][0]["requests"][0]["ifMatch"] = "*"


def wrong_type(doc):
    doc["actions"][0]["requests"][0]["phase"] = "4"


def cloud_changed(doc):
    doc["tenant"]["cloud"] = "usgov"


def deleted(*path):
    def fn(doc):
        d = doc
        for k in path[:-1]:
            d = d[k]
        del d[path[-1]]
    return fn


def setter(value, *path):
    def fn(doc):
        d = doc
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return fn


def scenario_reads_deleted_tenant_changed(tmp):
    """The first finding of issue 10: reads deleted, the tenant changed after the plan."""
    t, p = saved_plan(tmp)
    doc = load(p)
    del doc["reads"]
    save(p, doc)

    def change(c):
        pol = next(x for x in c["identity/conditionalAccess/policies"]
                   if x["displayName"].startswith("CA001"))
        pol["state"] = "disabled"
    edit_tenant(t, change)
    refused(t, p, "reads deleted, tenant changed", ['field "reads" is missing'])
    # reads emptied instead of deleted: the re-derived plan differs
    doc["reads"] = []
    save(p, doc)
    refused(t, p, "reads emptied, tenant changed", ["CA001"])


def scenario_redirect_backend(tmp):
    """tenant.backend pointed at another snapshot (another tenant): the identity check refuses."""
    t, p = saved_plan(tmp)
    other = os.path.join(tmp, "other.json")
    shutil.copy(os.path.join(ROOT, "tests/golden/plan/fabrikam-tenant.json"), other)
    doc = load(p)
    doc["tenant"]["backend"] = "file:" + other
    save(p, doc)
    before = open(other, "rb").read()
    rc, out, err = run(["apply", p])
    check(rc == 1 and "refusing to apply it to another tenant" in err,
          "a plan redirected to another tenant is refused", out + err)
    check(open(other, "rb").read() == before, "the other tenant is unchanged")
    print("ok: backend redirected: " + err.strip().splitlines()[0])


def scenario_duplicate_key(tmp):
    t, p = saved_plan(tmp)
    text = open(p, encoding="utf-8").read()
    text = text.replace('"format": "idpc-plan/1",', '"format": "idpc-plan/1",\n  "reads": [],', 1)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    refused(t, p, "duplicate key", ["duplicate object key"])


def scenario_not_json(tmp):
    t, p = saved_plan(tmp)
    text = open(p, encoding="utf-8").read()
    with open(p, "w", encoding="utf-8") as f:
        f.write(text[: len(text) // 2])
    refused(t, p, "truncated plan", ["not a JSON plan"])


def scenario_printed_json(tmp):
    """`plan --format json` output carries no configuration: apply says how to save a plan."""
    t, p = saved_plan(tmp)
    rc, js, err = run(["plan", CONTOSO, "--tenant", "file:" + t, "--format", "json"])
    with open(p, "w", encoding="utf-8") as f:
        f.write(js)
    refused(t, p, "printed JSON", ['field "config.sources" is missing', "idpc plan -o"])


def scenario_lockout_forged(tmp):
    """A plan saved with --allow-lockout-risk whose recorded risks are emptied: the re-derived plan
    has the risks, so the allowance does not carry over and apply refuses."""
    t = os.path.join(tmp, "tenant.json")
    shutil.copy(os.path.join(ROOT, CONTOSO_TENANT), t)
    rc, out, err = run(["apply", CONTOSO, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0, "sync the tenant", out + err)
    cfg = os.path.join(tmp, "contoso")
    shutil.copytree(os.path.join(ROOT, CONTOSO), cfg)
    with open(os.path.join(cfg, "lockout.idp"), "w", encoding="utf-8") as f:
        f.write('policy "LK: Block everyone" {\n  state on\n  users include all\n'
                '  apps include all\n  grant block\n}\n')
    p = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t, "-o", p, "--allow-lockout-risk"])
    check(rc == 0, "a risky plan is saved with --allow-lockout-risk", out + err)
    good = load(p)
    doc = json.loads(json.dumps(good))
    doc["lockoutRisk"] = {"allowed": True, "scenarios": []}
    save(p, doc)
    refused(t, p, "lockoutRisk forged (scenarios emptied)", ["lockoutRisk.scenarios"])
    doc = json.loads(json.dumps(good))
    doc["emergencyAccess"] = []
    save(p, doc)
    refused(t, p, "emergencyAccess emptied", ["emergencyAccess"])
    doc = json.loads(json.dumps(good))
    del doc["lockoutRisk"]
    save(p, doc)
    refused(t, p, "lockoutRisk deleted", ["lockoutRisk"])
    # The allowance covers exactly the recorded risks: a third break-glass account appears in the
    # configuration carried by the plan -> the risks differ -> refused.
    doc = json.loads(json.dumps(good))
    for s in doc["config"]["sources"]:
        if s["path"].endswith("lockout.idp"):
            s["text"] = s["text"].replace("users include all", "users include all\n  users exclude user \"bg1@contoso.onmicrosoft.com\"")
    save(p, doc)
    refused(t, p, "sources edited under an accepted risk", ["refusing to apply"])
    # the honest plan applies, with a warning
    save(p, good)
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 0 and "Apply complete" in out and "saved with --allow-lockout-risk" in err,
          "the untouched risky plan applies with its recorded allowance", out + err)


def scenario_unchanged_applies(tmp):
    """The honest case, from a directory without the configuration: the plan carries it."""
    t, p = saved_plan(tmp)
    elsewhere = os.path.join(tmp, "release-job")
    os.makedirs(elsewhere)
    shutil.copy(p, os.path.join(elsewhere, "plan.json"))
    rc, out, err = run(["apply", "plan.json", "--tenant", "file:" + t], cwd=elsewhere)
    check(rc == 0 and "Apply complete" in out, "the unchanged plan applies elsewhere", out + err)
    rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + t, "--detailed-exitcode"])
    check(rc == 0, "after applying, nothing is left to do", out + err)
    # applying it again: one line first, then the details
    before = open(t, "rb").read()
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 1, "re-applying is refused", out + err)
    first = err.splitlines()[0]
    check(first.startswith("idpc apply: error: this plan has already been applied, or the tenant changed "
                           "the same way"), "the first line says it was applied already", err)
    check(len(err.splitlines()) > 1, "details follow", err)
    names = [l for l in err.splitlines()[1:] if '"CA007' in l]
    check(len(names) == 1, "each object is named once", err)
    check(open(t, "rb").read() == before, "the tenant is unchanged")


def scenario_default_backend(tmp):
    """Without --tenant, apply uses the spec the plan recorded."""
    t, p = saved_plan(tmp)
    rc, out, err = run(["apply", p])
    check(rc == 0 and "Apply complete" in out, "apply PLAN with no --tenant", out + err)


def scenario_unrelated_change(tmp):
    """Decision (docs/runtime.md): a change to an object the plan neither read nor listed does not
    matter; a change to one it shows (here a new named location) refuses, naming the object."""
    t, p = saved_plan(tmp)

    def user_title(c):
        c["users"][5]["jobTitle"] = "Changed after the plan"
    edit_tenant(t, user_title)

    def new_location(c):
        c["identity/conditionalAccess/namedLocations"].append({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "id": "0e6b0c0c-0000-4000-8000-00000000beef", "displayName": "Unrelated office",
            "isTrusted": False, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                                              "cidrAddress": "192.0.2.0/24"}]})
    t2 = os.path.join(tmp, "tenant2.json")
    shutil.copy(t, t2)
    edit_tenant(t2, new_location)
    refused(t2, p, "an unmanaged named location added since the plan", ['"Unrelated office"'])
    rc, out, err = run(["apply", p, "--tenant", "file:" + t])
    check(rc == 0 and "Apply complete" in out,
          "a user's job title changed since the plan does not stop it", out + err)


SCENARIOS = {
    "reads_deleted": tamper(deleted("reads"), "reads deleted", ['field "reads" is missing']),
    "reads_deleted_tenant_changed": scenario_reads_deleted_tenant_changed,
    "tenant_id_deleted": tamper(deleted("tenant", "id"), "tenant.id deleted",
                                ['field "tenant.id" is missing']),
    "tenant_id_other": tamper(other_tenant, "tenant.id of another tenant",
                              ["refusing to apply it to another tenant"]),
    "cloud_changed": tamper(cloud_changed, "tenant.cloud changed", ["refusing to apply it elsewhere"]),
    "backend_redirected": scenario_redirect_backend,
    "actions_added": tamper(add_actions, "actions added (group DELETE, policy disabled)",
                            ["is not what the configuration and the tenant make now"]),
    "request_added": tamper(add_request, "a request added to an action", ["requests["]),
    "phase_99": tamper(phase_99, "phase 99", ["phase is 99 in the saved plan"]),
    "summary_edited": tamper(summary_edit, "summary edited",
                             ["summary.create is 1 in the saved plan but %d now"]),
    "emergency_emptied": tamper(setter([], "emergencyAccess"), "emergencyAccess emptied",
                                ["emergencyAccess"]),
    "lockout_injected": tamper(setter({"allowed": True, "scenarios": []}, "lockoutRisk"),
                               "lockoutRisk injected", ['field "lockoutRisk" is in the saved plan']),
    "lockout_forged": scenario_lockout_forged,
    "unknown_field": tamper(unknown_field, "unknown top-level field",
                            ['field "approvedBy" is not part of a plan']),
    "unknown_nested_field": tamper(unknown_nested, "unknown field in a request",
                                   ['field "actions[0].requests[0].ifMatch" is not part']),
    "wrong_type": tamper(wrong_type, "phase as a string",
                         ['field "actions[0].requests[0].phase" must be a non-negative integer']),
    "source_edited": tamper(edit_source, "configuration source edited", ["refusing to apply"]),
    "sources_deleted": tamper(deleted("config", "sources"), "config.sources deleted",
                              ['field "config.sources" is missing']),
    "format_changed": tamper(setter("idpc-plan/2", "format"), "format changed",
                             ['is not an idpc plan of format "idpc-plan/1"']),
    "duplicate_key": scenario_duplicate_key,
    "not_json": scenario_not_json,
    "printed_json": scenario_printed_json,
    "unchanged_applies": scenario_unchanged_applies,
    "default_backend": scenario_default_backend,
    "unrelated_change": scenario_unrelated_change,
}



if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios
    scenarios.run(SCENARIOS, globals())
