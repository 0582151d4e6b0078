#!/usr/bin/env python3
"""End-to-end tests of Entra's tenant-wide limits at plan time (docs/runtime.md, "Limits").

  limits_e2e.py --idpc BIN --root REPO SCENARIO

policies    a tenant with 193 Conditional Access policies: a configuration creating 2 plans; one
            creating 3 is refused at the declaration of the 196th, file:line:col, and -o saves
            nothing; deleting others in the same plan does not make room (creations run first)
locations   the same for named locations (195)
impact      190 new policies that each name their own group, location, authentication context,
            platform, client app type and risk level split the sign-ins into more classes than a
            plan evaluates: the plan is made, and its impact section says it was not evaluated and
            why, in the text and in the saved plan (docs/plan-format.md, "impact")
"""
import copy
import json
import os
import re
import subprocess
import sys

IDPC = None
ROOT = None
BASE = "tests/golden/plan/fabrikam-tenant.json"


def run(args):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("IDPC_TENANT", None)
    p = subprocess.run([IDPC] + args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, out=""):
    if not cond:
        print("FAIL: " + what)
        if out:
            print(out)
        sys.exit(1)
    print("ok: " + what)


def tenant(tmp, path, count, make):
    """The Fabrikam snapshot with `count` objects in `path` (made by make(i))."""
    with open(os.path.join(ROOT, BASE), encoding="utf-8") as f:
        doc = json.load(f)
    doc["collections"][path] = [make(i) for i in range(count)]
    t = os.path.join(tmp, "tenant.json")
    with open(t, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    return t


def config(tmp, name, decls):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    with open(os.path.join(d, "main.idp"), "w", encoding="utf-8") as f:
        f.write('tenant "fabrikam.onmicrosoft.com"\n\n' + "\n".join(decls))
    return d


def policy_obj(base):
    def make(i):
        p = copy.deepcopy(base)
        p["id"] = "dddddddd-0000-4000-8000-%012d" % (1000 + i)
        p["displayName"] = "Existing %03d" % i
        return p
    return make


def location_obj(i):
    return {"@odata.type": "#microsoft.graph.ipNamedLocation",
            "id": "cccccccc-0000-4000-8000-%012d" % (1000 + i), "displayName": "Existing %03d" % i,
            "isTrusted": False, "createdDateTime": None, "modifiedDateTime": None,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                          "cidrAddress": "198.51.%d.0/24" % (i % 250)}]}


def new_policy(i):
    return ('policy "New %d" {\n  state report_only\n  users include all\n  apps include all\n'
            '  grant mfa\n}\n' % i)


def new_location(i):
    return 'location "New %d" {\n  ip "203.0.113.%d/32"\n}\n' % (i, i)


def scenario(tmp, what, path, limit, make, decl, manage):
    t = tenant(tmp, path, limit - 2, make)
    ok = config(tmp, "ok", [decl(i) for i in range(2)])
    rc, out, err = run(["plan", ok, "--tenant", "file:" + t])
    check(rc == 0, "%s: reaching the limit (%d) plans" % (what, limit), out + err)
    over = config(tmp, "over", [decl(i) for i in range(3)])
    saved = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", over, "--tenant", "file:" + t, "-o", saved])
    check(rc == 1, "%s: crossing the limit is refused (exit 1)" % what, out + err)
    m = re.search(r"over/main\.idp:(\d+):1: error: \S+ \"New 2\" would be %s %d of the tenant: "
                  r"Microsoft Entra allows at most %d" % (re.escape(what), limit + 1, limit), err)
    check(m is not None, "%s: the error is at the declaration that crosses it" % what, err)
    line = open(os.path.join(over, "main.idp"), encoding="utf-8").read().splitlines()[int(m.group(1)) - 1]
    check('"New 2"' in line, "%s: file:line:col points at that declaration" % what, line)
    check("creations run before deletions" in err, "%s: the note explains the count" % what, err)
    check(not os.path.exists(saved), "%s: -o saved nothing" % what)
    # deleting existing objects in the same plan does not make room: deletions run after creations
    mx = config(tmp, "manage", ["manage exclusively %s\n" % manage] +
                [decl(i) for i in range(3)])
    rc, out, err = run(["plan", mx, "--tenant", "file:" + t])
    check(rc == 1 and "would be %s %d" % (what, limit + 1) in err,
          "%s: deletions in the same plan free no room" % what, out + err)


def scenario_policies(tmp):
    with open(os.path.join(ROOT, BASE), encoding="utf-8") as f:
        base = json.load(f)["collections"]["identity/conditionalAccess/policies"][0]
    scenario(tmp, "Conditional Access policy", "identity/conditionalAccess/policies", 195,
             policy_obj(base), new_policy, "policies")


def scenario_locations(tmp):
    scenario(tmp, "named location", "identity/conditionalAccess/namedLocations", 195,
             location_obj, new_location, "locations")


def scenario_impact(tmp):
    def group(i):
        return {"id": "eeeeeeee-0000-4000-8000-%012d" % (1000 + i), "displayName": "Team %03d" % i,
                "groupTypes": [], "mailEnabled": False, "mailNickname": "team%03d" % i,
                "securityEnabled": True}
    t = tenant(tmp, "groups", 190, group)
    plats = ["android", "ios", "windows", "macos", "linux"]
    clients = ["browser", "mobile_desktop", "exchange_active_sync", "other"]
    decls = []
    for i in range(190):
        decls.append('location "Office %03d" {\n  ip "10.%d.%d.0/24"\n}\n' % (i, i // 100, i % 100))
        decls.append('policy "Policy %03d" {\n  state report_only\n  users include group "Team %03d"\n'
                     '  apps include context "c%d"\n  locations include location "Office %03d"\n'
                     '  platforms include %s\n  client_apps %s\n  sign_in_risk %s\n  grant mfa\n}\n'
                     % (i, i, i % 99 + 1, i, plats[i % 5], clients[i % 4],
                        ["low", "medium", "high"][i % 3]))
    cfg = config(tmp, "impact", decls)
    saved = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t, "-o", saved])
    check(rc in (0, 2), "impact: the plan is made (exit %d)" % rc, out + err)
    m = re.search(r"Impact on sign-ins: not evaluated: the policies split the (\d+) sign-in "
                  r"scenarios into (\d+) classes to evaluate, more than the 10000000 a plan "
                  r"evaluates; `idpc coverage` of the configuration shows who gets what after the "
                  r"plan\.", out)
    check(m is not None, "impact: the text says it was not evaluated and why", out[-3000:])
    check(int(m.group(2)) > 10000000 and int(m.group(1)) >= int(m.group(2)),
          "impact: the classes counted are over the limit and within the scenarios", m.group(0))
    check("Plan: 380 to create" in out, "impact: the rest of the plan is there", out[-600:])
    with open(saved, encoding="utf-8") as f:
        im = json.load(f)["impact"]
    check(im["evaluated"] == 0 and im["notEvaluated"]["limit"] == 10000000
          and im["notEvaluated"]["classes"] == int(m.group(2)) and "rows" not in im,
          "impact: the saved plan says the same", json.dumps(im))


SCENARIOS = {"policies": scenario_policies, "locations": scenario_locations,
             "impact": scenario_impact}



if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios
    scenarios.run(SCENARIOS, globals())
