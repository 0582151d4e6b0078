#!/usr/bin/env python3
"""End-to-end tests of the lockout guard of `idpc plan` and `idpc apply` (docs/lockout.md).

  lockout_e2e.py --idpc BIN --root REPO SCENARIO

Each scenario writes real configuration files and file tenants in a temporary directory:
either the Contoso configuration (policies/contoso) against a Contoso tenant that is already
in sync with it (the shipped snapshot after `idpc apply`), with one change, or a small
Fabrikam configuration against a tenant built here. Every lockout scenario must be refused
(exit 1, the identity, the sign-in and the deciding policy with its .idp line on stderr, no
saved plan, no write); every safe plan must pass.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys

IDPC = None
ROOT = None
CONTOSO = "policies/contoso"
CONTOSO_TENANT = "policies/contoso-tenant.json"
FABRIKAM_TENANT = "tests/golden/plan/fabrikam-tenant.json"
GA = "62e90394-69f5-4237-9190-012177145e10"


def run(args, env_extra=None):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("IDPC_TENANT", None)
    env.pop("IDPC_TEST_FAIL_AFTER", None)
    if env_extra:
        env.update(env_extra)
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


# ---- Contoso fixtures ----

def contoso(tmp, edits=None, extra=None):
    """A copy of the Contoso configuration: edits = {file: [(old, new)]}, extra = {file: text}."""
    d = os.path.join(tmp, "contoso")
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(os.path.join(ROOT, CONTOSO), d)
    for name, subs in (edits or {}).items():
        p = os.path.join(d, name)
        text = open(p, encoding="utf-8").read()
        for old, new in subs:
            assert old in text, "%s not in %s" % (old, name)
            text = text.replace(old, new)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    for name, text in (extra or {}).items():
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(text)
    return d


def synced_tenant(tmp):
    """The Contoso snapshot after applying the Contoso configuration: nothing left to change."""
    t = os.path.join(tmp, "tenant.json")
    shutil.copy(os.path.join(ROOT, CONTOSO_TENANT), t)
    rc, out, err = run(["apply", CONTOSO, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0, "the Contoso configuration applies to the Contoso snapshot", out + err)
    return t


def policy(name, body):
    return 'policy "%s" {\n  state on\n%s\n}\n' % (name, body)


def refused(cfg, tenant, what, must=(), line=None):
    """Plan (with -o) and apply must both refuse; returns plan's stderr."""
    saved = os.path.join(os.path.dirname(tenant), "refused-plan.json")
    before = open(tenant, encoding="utf-8").read()
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + tenant, "-o", saved])
    check(rc == 1, what + ": plan refuses (exit 1)", out + err)
    check("Plan:" in out, what + ": the plan is printed before the refusal", out)
    check("error: lockout: after this plan" in err, what + ": an error block", err)
    check("--allow-lockout-risk" in err, what + ": the refusal names the override", err)
    check(not os.path.exists(saved), what + ": -o saved nothing")
    for m in must:
        check(m in err, "%s: the refusal says %r" % (what, m), err)
    if line:
        check(re.search(line, err) is not None, "%s: the refusal gives the .idp line %s" % (what, line),
              err)
    rc, out2, err2 = run(["apply", cfg, "--tenant", "file:" + tenant, "--auto-approve"])
    check(rc == 1 and "error: lockout" in err2, what + ": apply refuses too", out2 + err2)
    check("Applying to" not in out2, what + ": apply refuses before any write", out2)
    check(open(tenant, encoding="utf-8").read() == before, what + ": the tenant is unchanged")
    return err


def passes(cfg, tenant, what):
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + tenant])
    check(rc == 0, what + ": plan passes", out + err)
    check(": lockout:" not in err and "LOCKOUT" not in out + err, what + ": no lockout message",
          out + err)
    return out, err


BG1 = 'user "bg1@contoso.onmicrosoft.com"'
BG2 = 'user "bg2@contoso.onmicrosoft.com"'
NEW = "lockout.idp"


def new_policy_line(name):
    return r"%s:1:1" % re.escape(NEW)


# ---- scenarios: each way a policy can lock an account out ----

def scenario_block_all(tmp):
    t = synced_tenant(tmp)
    cfg = contoso(tmp, extra={NEW: policy("LK: Block everyone",
                                          "  users include all\n  apps include all\n"
                                          "  grant block")})
    err = refused(cfg, t, "block all users without excluding the break-glass accounts",
                  must=(BG1, BG2, 'policy "LK: Block everyone"', ": block", "would be blocked",
                        "Office 365 Exchange Online", "tenant.idp:14:1",
                        "every Global Administrator"),
                  line=new_policy_line(NEW))


def scenario_grant_mfa_password_only(tmp):
    t = synced_tenant(tmp)
    body = "  users include all\n  apps include all\n  grant mfa"
    cfg = contoso(tmp, extra={NEW: policy("LK: MFA for everyone", body)})
    passes(cfg, t, "MFA for everyone, break-glass accounts satisfy fido2")
    cfg = contoso(tmp, edits={"tenant.idp": [("emergency_access $breakglass satisfies fido2",
                                              "emergency_access $breakglass")]},
                  extra={NEW: policy("LK: MFA for everyone", body)})
    refused(cfg, t, "MFA when the accounts satisfy only a password",
            must=(BG1, "would be required to satisfy a control it cannot",
                  "it satisfies: password", 'policy "LK: MFA for everyone"', "requires mfa"),
            line=new_policy_line(NEW))


def scenario_grant_strength(tmp):
    t = synced_tenant(tmp)
    body = ('  users include all\n  apps include all\n'
            '  grant strength "Phishing-resistant MFA"')
    cfg = contoso(tmp, extra={NEW: policy("LK: Phishing-resistant for everyone", body)})
    passes(cfg, t, "phishing-resistant strength, accounts satisfy fido2")
    cfg = contoso(tmp, edits={"tenant.idp": [("satisfies fido2", "satisfies mfa")]},
                  extra={NEW: policy("LK: Phishing-resistant for everyone", body)})
    refused(cfg, t, "a strength the accounts lack",
            must=(BG1, BG2, "cannot", "authenticationStrength:Phishing-resistant MFA",
                  "it satisfies: password, mfa"),
            line=new_policy_line(NEW))


def scenario_grant_compliant(tmp):
    t = synced_tenant(tmp)
    body = "  users include all\n  apps include all\n  grant compliant_device"
    cfg = contoso(tmp, extra={NEW: policy("LK: Compliant devices only", body)})
    refused(cfg, t, "a compliant device the accounts do not have",
            must=(BG1, "requires compliantDevice", "unregistered device"),
            line=new_policy_line(NEW))
    cfg = contoso(tmp, edits={"tenant.idp": [("satisfies fido2",
                                              "satisfies fido2, compliant_device")]},
                  extra={NEW: policy("LK: Compliant devices only", body)})
    passes(cfg, t, "compliant device required, accounts satisfy compliant_device")


def scenario_remove_exclusion(tmp):
    t = synced_tenant(tmp)
    old = ('policy "CA005: Block legacy authentication" {\n  use all_users\n')
    new = ('policy "CA005: Block legacy authentication" {\n  users include all\n')
    cfg = contoso(tmp, edits={"ca-baseline.idp": [(old, new)]})
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t])
    check("~ policy \"CA005: Block legacy authentication\"" in out and
          "- users.exclude: " + BG1 in out,
          "the plan removes the exclusions of CA005", out + err)
    refused(cfg, t, "removing the break-glass exclusion from an existing block policy",
            must=(BG1, BG2, 'policy "CA005: Block legacy authentication"', "client exchangeActiveSync"),
            line=r"ca-baseline\.idp:50:1")


def scenario_location_block(tmp):
    t = synced_tenant(tmp)
    body = ('  users include all\n  apps include all\n'
            '  locations include location "Embargoed countries"\n  grant block')
    cfg = contoso(tmp, extra={NEW: policy("LK: Block embargoed countries", body)})
    refused(cfg, t, "a new block on a country location",
            must=(BG1, 'named location "Embargoed countries"', "would be blocked"),
            line=new_policy_line(NEW))
    body = ('  users include all\n  apps include all\n'
            '  locations include all\n  locations exclude trusted\n  grant block')
    cfg = contoso(tmp, extra={NEW: policy("LK: Block outside the office", body)})
    refused(cfg, t, "a new block outside trusted locations",
            must=(BG1, "from an untrusted location"), line=new_policy_line(NEW))


def scenario_platform_block(tmp):
    t = synced_tenant(tmp)
    body = "  users include all\n  apps include all\n  platforms include linux\n  grant block"
    cfg = contoso(tmp, extra={NEW: policy("LK: Block Linux", body)})
    refused(cfg, t, "a new block on a platform", must=(BG1, "platform linux"),
            line=new_policy_line(NEW))


def scenario_client_block(tmp):
    t = synced_tenant(tmp)
    body = "  users include all\n  apps include all\n  client_apps mobile_desktop\n  grant block"
    cfg = contoso(tmp, extra={NEW: policy("LK: Block desktop clients", body)})
    refused(cfg, t, "a new block on a client app type",
            must=(BG1, "client mobileAppsAndDesktopClients"), line=new_policy_line(NEW))


def scenario_device_filter(tmp):
    t = synced_tenant(tmp)
    body = ('  users include all\n  apps include all\n'
            '  device_filter include "device.isCompliant -ne True"\n  grant block')
    cfg = contoso(tmp, extra={NEW: policy("LK: Block non-compliant devices", body)})
    refused(cfg, t, "a device filter that catches the accounts' devices",
            must=(BG1, "unregistered device", 'policy "LK: Block non-compliant devices"'),
            line=new_policy_line(NEW))


def scenario_risk_block(tmp):
    t = synced_tenant(tmp)
    body = "  users include all\n  apps include all\n  sign_in_risk high\n  grant block"
    cfg = contoso(tmp, extra={NEW: policy("LK: Block high sign-in risk", body)})
    refused(cfg, t, "a risk-based block", must=(BG1, "sign-in risk high"),
            line=new_policy_line(NEW))
    body = "  users include all\n  apps include all\n  user_risk high\n  grant block"
    cfg = contoso(tmp, extra={NEW: policy("LK: Block high user risk", body)})
    refused(cfg, t, "a user-risk block", must=(BG1, "user risk high"), line=new_policy_line(NEW))


# ---- Fabrikam: Global Administrators, groups, an already-at-risk tenant ----

def fabrikam_tenant(tmp, policies=(), emergency_group=False):
    d = json.load(open(os.path.join(ROOT, FABRIKAM_TENANT), encoding="utf-8"))
    c = d["collections"]
    users = [("aaaaaaaa-0000-4000-8000-000000000001", "bg1@fabrikam.onmicrosoft.com"),
             ("aaaaaaaa-0000-4000-8000-000000000002", "ann@fabrikam.com"),
             ("aaaaaaaa-0000-4000-8000-000000000003", "bob@fabrikam.com"),
             ("aaaaaaaa-0000-4000-8000-000000000004", "admin1@fabrikam.com"),
             ("aaaaaaaa-0000-4000-8000-000000000005", "admin2@fabrikam.com")]
    c["users"] = [{"id": i, "displayName": u, "userPrincipalName": u, "mail": u} for i, u in users]
    proto = c["groups"][0]
    groups = []
    for gid, name in (("bbbbbbbb-0000-4000-8000-0000000000a1", "GA-Eligible"),
                      ("bbbbbbbb-0000-4000-8000-0000000000a2", "Breakglass")):
        g = copy.deepcopy(proto)
        g.update({"id": gid, "displayName": name, "mailNickname": name.replace("-", ""),
                  "isAssignableToRole": name == "GA-Eligible"})
        groups.append(g)
    c["groups"] = groups
    for k in [k for k in c if k.startswith("groups/")]:
        del c[k]
    c["groups/bbbbbbbb-0000-4000-8000-0000000000a1/members"] = [
        {"@odata.type": "#microsoft.graph.user", "id": users[4][0], "displayName": users[4][1]}]
    c["groups/bbbbbbbb-0000-4000-8000-0000000000a2/members"] = [
        {"@odata.type": "#microsoft.graph.user", "id": users[0][0], "displayName": users[0][1]}]
    c["roleManagement/directory/roleAssignments"] = [
        {"id": "ga-admin1", "principalId": users[3][0], "directoryScopeId": "/",
         "roleDefinitionId": GA}]
    c["roleManagement/directory/roleEligibilitySchedules"] = [
        {"id": "ga-eligible", "principalId": "bbbbbbbb-0000-4000-8000-0000000000a1",
         "directoryScopeId": "/", "roleDefinitionId": GA, "status": "Provisioned",
         "memberType": "Direct"}]
    proto_pol = c["identity/conditionalAccess/policies"][0]
    pols = []
    for n, (name, users_cond, grant) in enumerate(policies):
        p = copy.deepcopy(proto_pol)
        p["id"] = "dddddddd-0000-4000-8000-0000000000%02d" % (n + 10)
        p["displayName"] = name
        p["state"] = "enabled"
        p["conditions"]["users"].update(users_cond)
        p["grantControls"]["builtInControls"] = [grant]
        pols.append(p)
    c["identity/conditionalAccess/policies"] = pols
    t = os.path.join(tmp, "fabrikam.json")
    with open(t, "w", encoding="utf-8") as f:
        json.dump(d, f, indent=2)
    return t


def fabrikam_config(tmp, text, emergency='user "bg1@fabrikam.onmicrosoft.com"'):
    d = os.path.join(tmp, "fabrikam")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.idp"), "w", encoding="utf-8") as f:
        f.write('tenant "fabrikam.onmicrosoft.com"\n\nemergency_access %s satisfies fido2\n\n%s'
                % (emergency, text))
    return d


GA_BLOCK = '''policy "Block Global Administrators from the admin portals" {
  state on
  users include role "Global Administrator"
  users exclude user "bg1@fabrikam.onmicrosoft.com"
  apps include admin_portals
  grant block
}
'''


def scenario_global_admins(tmp):
    t = fabrikam_tenant(tmp)
    cfg = fabrikam_config(tmp, GA_BLOCK)
    refused(cfg, t, "a policy that blocks every Global Administrator from the admin portals",
            must=("every Global Administrator (2) would be blocked from the Microsoft Admin Portals",
                  'user "admin1@fabrikam.com"', 'user "admin2@fabrikam.com"',
                  'policy "Block Global Administrators from the admin portals"'),
            line=r"main\.idp:5:1")
    cfg = fabrikam_config(tmp, GA_BLOCK.replace(
        'users exclude user "bg1@fabrikam.onmicrosoft.com"',
        'users exclude user "bg1@fabrikam.onmicrosoft.com", user "admin2@fabrikam.com"'))
    passes(cfg, t, "the same policy with one eligible Global Administrator excluded")
    cfg = fabrikam_config(tmp, GA_BLOCK.replace("grant block", "grant mfa"))
    passes(cfg, t, "MFA for Global Administrators on the admin portals")


def scenario_emergency_group(tmp):
    t = fabrikam_tenant(tmp)
    block = ('policy "Block everyone but break-glass" {\n  state on\n  users include all\n'
             '  users exclude group "Breakglass"\n  apps include all\n  grant block\n}\n')
    cfg = fabrikam_config(tmp, block, emergency='group "Breakglass"')
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t])
    # The group's member is excluded; Global Administrators are blocked everywhere though.
    check(rc == 1 and 'group "Breakglass"' not in err and "every Global Administrator" in err,
          "an emergency group excluded by group passes the emergency check", out + err)
    allow_ga = block.replace('users exclude group "Breakglass"',
                             'users exclude group "Breakglass", role "Global Administrator"')
    cfg = fabrikam_config(tmp, allow_ga, emergency='group "Breakglass"')
    passes(cfg, t, "block all but the break-glass group and Global Administrators")
    bad = allow_ga.replace('group "Breakglass", ', "")
    cfg = fabrikam_config(tmp, bad, emergency='group "Breakglass"')
    refused(cfg, t, "a block that does not exclude the emergency group",
            must=('emergency-access group "Breakglass" would be blocked',),
            line=r"main\.idp:5:1")


def scenario_already_at_risk(tmp):
    # The tenant already blocks bg1 (an unmanaged policy); the plan adds an unrelated policy.
    t = fabrikam_tenant(tmp, policies=[("Legacy block all", {"excludeUsers": []}, "block")])
    cfg = fabrikam_config(tmp, 'policy "MFA for Ann" {\n  state on\n'
                               '  users include user "ann@fabrikam.com"\n'
                               '  apps include all\n  grant mfa\n}\n')
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t])
    check(rc == 0, "an already-at-risk tenant does not block an unrelated plan", out + err)
    check("lockout risk already in the tenant (not introduced by this plan)" in out and
          'policy "Legacy block all"' in out and "bg1@fabrikam.onmicrosoft.com" in out,
          "the existing risk is a warning naming the policy and the account", out)
    check("error: lockout" not in err, "no lockout error", err)
    rc, out, err = run(["apply", cfg, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0 and "Apply complete" in out, "apply goes ahead", out + err)
    # Making it worse is still refused: a second policy that blocks bg1.
    cfg = fabrikam_config(tmp, 'policy "Block everyone else" {\n  state on\n'
                               '  users include all\n  apps include all\n  grant block\n}\n')
    refused(cfg, t, "a new block on top of an existing one",
            must=('policy "Block everyone else"',))


# ---- safe plans, the override, saved plans ----

def scenario_safe(tmp):
    rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + CONTOSO_TENANT,
                        "--detailed-exitcode"])
    check(rc == 2 and ": lockout:" not in err and "LOCKOUT" not in out + err,
          "the Contoso plan (53 changes) passes the guard", out + err)
    t = synced_tenant(tmp)
    safe = {
        NEW: policy("LK: Block Linux (exclusions kept)",
                    "  use all_users\n  apps include all\n  platforms include linux\n"
                    "  grant block")
        + policy("LK: Block embargoed countries (exclusions kept)",
                 '  use all_users\n  apps include all\n'
                 '  locations include location "Embargoed countries"\n  grant block')
        + policy("LK: Block everyone (report-only)",
                 "  users include all\n  apps include all\n  grant block").replace(
                     "state on", "state report_only")
    }
    cfg = contoso(tmp, edits={"ca-baseline.idp": [(
        'policy "CA005: Block legacy authentication" {\n  use all_users\n  state on',
        'policy "CA005: Block legacy authentication" {\n  use all_users\n  state report_only')]},
        extra=safe)
    out, _ = passes(cfg, t, "new blocks that keep the exclusions, a report-only block all")
    check("3 to create, 1 to update" in out, "the safe plan has the changes", out)
    rc, out, err = run(["apply", cfg, "--tenant", "file:" + t, "--auto-approve"])
    check(rc == 0 and "Apply complete" in out, "the safe plan applies", out + err)


def scenario_override(tmp):
    t = synced_tenant(tmp)
    cfg = contoso(tmp, extra={NEW: policy("LK: Block everyone",
                                          "  users include all\n  apps include all\n"
                                          "  grant block")})
    saved = os.path.join(tmp, "risky.json")
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t, "-o", saved,
                        "--allow-lockout-risk"])
    check(rc == 0, "--allow-lockout-risk turns the refusal into a warning", out + err)
    check("warning: lockout: after this plan" in err and "LOCKOUT RISK ACCEPTED" in err,
          "the warning is loud", err)
    check("LOCKOUT RISK ACCEPTED (--allow-lockout-risk)" in out and BG1 in out,
          "the text output records the accepted risk", out)
    doc = json.load(open(saved, encoding="utf-8"))
    lr = doc.get("lockoutRisk", {})
    check(lr.get("allowed") is True and len(lr.get("scenarios", [])) == 3,
          "the saved plan records lockoutRisk {allowed: true, scenarios}", json.dumps(lr)[:2000])
    kinds = sorted(s["kind"] for s in lr["scenarios"])
    check(kinds == ["emergency", "emergency", "globalAdministrators"],
          "two emergency accounts and the Global Administrators", str(kinds))
    s0 = lr["scenarios"][0]
    check(s0["policies"][0]["name"] == "LK: Block everyone" and
          s0["policies"][0]["at"].endswith("lockout.idp:1:1") and
          set(s0["scenario"]) >= {"app", "platform", "client", "location", "risk", "device"},
          "each scenario names the sign-in and the deciding policy with its line", json.dumps(s0))
    rc, md, err = run(["plan", cfg, "--tenant", "file:" + t, "--format", "markdown",
                       "--allow-lockout-risk"])
    check(rc == 0 and "Lockout risk accepted with `--allow-lockout-risk`" in md,
          "the markdown output records the accepted risk", md[:3000])
    rc, js, err = run(["plan", cfg, "--tenant", "file:" + t, "--format", "json",
                       "--allow-lockout-risk"])
    check(rc == 0 and json.loads(js)["lockoutRisk"]["allowed"] is True,
          "the JSON output records the accepted risk", js[:2000])
    rc, js, err = run(["plan", cfg, "--tenant", "file:" + t, "--format", "json"])
    check(rc == 1 and json.loads(js)["lockoutRisk"]["allowed"] is False,
          "without the flag the JSON says allowed: false (and plan exits 1)", js[:2000])
    # The saved plan applies as reviewed, and says so.
    rc, out, err = run(["apply", saved, "--tenant", "file:" + t])
    check(rc == 0 and "Apply complete" in out, "a plan saved with the override applies", out + err)
    check("saved with --allow-lockout-risk" in err, "apply says it applies an accepted risk", err)
    # apply with a configuration and the flag goes ahead too
    second = os.path.join(tmp, "second")
    os.makedirs(second)
    t2 = synced_tenant(second)
    rc, out, err = run(["apply", cfg, "--tenant", "file:" + t2, "--auto-approve",
                        "--allow-lockout-risk"])
    check(rc == 0 and "Apply complete" in out and "LOCKOUT RISK ACCEPTED" in err,
          "apply --allow-lockout-risk applies with a warning", out + err)


def scenario_saved_recheck(tmp):
    t = synced_tenant(tmp)
    cfg = contoso(tmp, extra={NEW: policy("LK: Block Linux", "  use all_users\n"
                                          "  apps include all\n  platforms include linux\n"
                                          "  grant block")})
    saved = os.path.join(tmp, "plan.json")
    rc, out, err = run(["plan", cfg, "--tenant", "file:" + t, "-o", saved])
    check(rc == 0 and os.path.exists(saved), "a safe plan is saved", out + err)
    doc = json.load(open(saved, encoding="utf-8"))
    check("lockoutRisk" not in doc and len(doc["emergencyAccess"]) == 2,
          "it records the emergency-access identities, and no risk", json.dumps(doc)[:500])
    # Someone edits the saved plan: the new policy no longer excludes anyone.
    for a in doc["actions"]:
        for r in a["requests"]:
            if r.get("method") == "POST" and r["path"] == "identity/conditionalAccess/policies":
                r["body"]["conditions"]["users"]["excludeUsers"] = []
                r["body"]["conditions"]["users"]["excludeGroups"] = []
    with open(saved, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    before = open(t, encoding="utf-8").read()
    rc, out, err = run(["apply", saved, "--tenant", "file:" + t])
    # apply plans the configuration the plan carries again: the edited request is not what it
    # makes, so the plan is refused before the guard (which judges only the re-derived plan)
    check(rc == 1 and "refusing to apply" in err and 'create policy "LK: Block Linux"' in err and
          "excludeGroups" in err, "apply re-derives the saved plan and refuses the edited one",
          out + err)
    check(open(t, encoding="utf-8").read() == before, "nothing was written")


def scenario_methods_fido2(tmp):
    """The authentication methods policy: the break-glass accounts are declared `satisfies
    fido2`, so a plan that turns FIDO2 off, or leaves them out of its targets, locks them out."""
    t = synced_tenant(tmp)
    auth = "authentication.idp"
    lines = open(os.path.join(ROOT, CONTOSO, auth), encoding="utf-8").read().split("\n")
    fido_line = r"authentication\.idp:%d:3" % (lines.index("  fido2 on for all") + 1)
    cfg = contoso(tmp, edits={auth: [("fido2 on for all", 'fido2 on for all exclude group "TAP Onboarding"')]})
    passes(cfg, t, "FIDO2 on, excluding a group the break-glass accounts are not in")
    cfg = contoso(tmp, edits={auth: [("fido2 on for all", "fido2 off")]})
    refused(cfg, t, "FIDO2 turned off while the break-glass accounts satisfy fido2",
            must=(BG1, BG2, "is declared to satisfy fido2 but could not use Fido2",
                  "Fido2 configuration", ": disabled", "tenant.idp:14:1"),
            line=fido_line)
    cfg = contoso(tmp, edits={auth: [("fido2 on for all", 'fido2 on for group "TAP Onboarding"')]})
    refused(cfg, t, "FIDO2 only for a group the break-glass accounts are not in",
            must=(BG1, BG2, ": not included"), line=fido_line)
    cfg = contoso(tmp, edits={auth: [("fido2 on for all", "fido2 off")],
                              "tenant.idp": [("satisfies fido2", "satisfies mfa")]})
    passes(cfg, t, "FIDO2 off when the break-glass accounts are not declared to use it")


def scenario_many_locations(tmp):
    """A tenant with 30 more named locations, which no policy names but one: the guard keeps only
    the locations that can change an outcome, and counts the others as the untrusted address's
    sign-ins (docs/lockout.md, "Sign-ins"). The refusal's count is every location's."""
    t = fabrikam_tenant(tmp)
    d = json.load(open(t, encoding="utf-8"))
    locs = d["collections"]["identity/conditionalAccess/namedLocations"]
    for i in range(30):
        lid = "eeeeeeee-0000-4000-8000-0000000000%02d" % i
        if i == 12:
            locs.append({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": lid,
                         "displayName": "Branch %02d" % i, "countriesAndRegions": ["FR"],
                         "includeUnknownCountriesAndRegions": True})
            continue
        locs.append({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": lid,
                     "displayName": "Branch %02d" % i, "isTrusted": i in (20, 25),
                     "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                                   "cidrAddress": "203.0.%d.0/24" % i}]})
    with open(t, "w", encoding="utf-8") as f:
        json.dump(d, f, indent=2)
    body = ('  users include all\n  apps include all\n  locations include all\n'
            '  locations exclude trusted, location "Branch 27"\n  grant block')
    cfg = fabrikam_config(tmp, policy("Block outside trusted locations", body))
    # untrusted, then each untrusted named location but Branch 27, then an unknown country
    # (Branch 12 includes unknown countries)
    blocked = 1 + sum(1 for l in locs if not l.get("isTrusted") and l["displayName"] != "Branch 27") + 1
    refused(cfg, t, "a block outside trusted locations, among 31 named locations",
            must=("emergency-access user \"bg1@fabrikam.onmicrosoft.com\" would be blocked",
                  "from an untrusted location",
                  "(and %d more sign-ins decided alike)" % (blocked - 1)),
            line=r"main\.idp:5:1")


SCENARIOS = {
    "many_locations": scenario_many_locations,
    "methods_fido2": scenario_methods_fido2,
    "block_all": scenario_block_all,
    "grant_mfa_password_only": scenario_grant_mfa_password_only,
    "grant_strength": scenario_grant_strength,
    "grant_compliant": scenario_grant_compliant,
    "remove_exclusion": scenario_remove_exclusion,
    "location_block": scenario_location_block,
    "platform_block": scenario_platform_block,
    "client_block": scenario_client_block,
    "device_filter": scenario_device_filter,
    "risk_block": scenario_risk_block,
    "global_admins": scenario_global_admins,
    "emergency_group": scenario_emergency_group,
    "already_at_risk": scenario_already_at_risk,
    "safe": scenario_safe,
    "override": scenario_override,
    "saved_recheck": scenario_saved_recheck,
}



if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios
    scenarios.run(SCENARIOS, globals(), "ok")
