#!/usr/bin/env python3
"""End-to-end tests of idpc's graph: backend against the Graph emulator: real sockets, real TLS
(certificates made at test time), the real idpc binary. One subcommand per ctest test:

  snapshot   idpc snapshot of the emulator's tenant equals the emulator's own state; plan
             against the snapshot equals plan against graph:
  contoso    plan -> apply -> plan is empty for policies/contoso (--auth secret|cert|cert-ps256|
             federated); no duplicates, nothing written outside the plan, plan reads without
             listing users
  large      the same for a generated tenant (50,000 users, 2,000 groups, 195 policies): plan
             uses a constant number of requests and never lists users or groups
  faults     --fault-rate 0.2 for N seeds: every apply converges (plan empty afterwards), no
             duplicates, nothing outside the plan touched
  tls        an untrusted certificate is refused with a clear error; only IDPC_CA_BUNDLE
             trusts the test CA
  hidden     a policy that Graph v1.0 leaves out (beta-only features) is reported by id
  saved      a plan saved from --tenant graph: records graph:public and is applied by
             `idpc apply PLAN` with no --tenant, from a directory without the configuration
  identities policies/contoso plus new cloud-only users (initial_password env) and time-bound
             active role assignments: apply without the password variables writes nothing and
             names them; plan -> apply -> plan is empty; a changed end is one renewal; a
             synchronised user is refused at its line; export round-trips to "No changes";
             the passwords appear in no output, plan, snapshot, export or emulator state
  faults_identities  the fault storm of `faults` on that configuration

Every test ends by scanning all it produced (outputs, logs, saved states) for the client
secret, private keys, assertions and tokens.

Usage: test_graph.py --idpc BIN --emulator BIN --source DIR --workdir DIR TEST [options]
"""
import argparse
import json
import shutil
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_lib as E  # noqa: E402

CONTOSO_CONFIG = "policies/contoso"
WRONG_SECRET = "wrongSecret~Zz9Yy8Xx7Ww6Vv5Uu4"
CONTOSO_TENANT = "policies/contoso-tenant.json"


def contoso_paths(ctx):
    cfg = os.path.join(ctx.source, CONTOSO_CONFIG)
    ten = os.path.join(ctx.source, CONTOSO_TENANT)
    if not (os.path.isdir(cfg) and os.path.exists(ten)):
        # fall back to our own small fixture while the Contoso example is being written
        cfg = os.path.join(ctx.source, "tests/e2e/graph/fixtures/config")
        ten = os.path.join(ctx.source, "tests/e2e/graph/fixtures/tenant.json")
    return cfg, ten


def users_listed(requests):
    """Directory listings (GET users/groups/servicePrincipals without $filter)."""
    return ["%s %s" % (r["method"], r["path"]) for r in requests
            if r["method"] == "GET" and r["path"] in ("/v1.0/users", "/v1.0/groups",
                                                      "/v1.0/servicePrincipals")
            and "$filter" not in (r.get("query") or {})]


def plan_apply_plan(ctx, state, config, auth, label, check_reads=True):
    """plan -o → apply plan.json → plan (empty). Returns (emulator saved state, stats)."""
    emu = E.Emulator(ctx, state, name=label)
    stats = {}
    try:
        env = E.auth_env(ctx, emu, auth)
        plan_file = ctx.path(label + "-plan.json")
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", "-o", plan_file,
                         config], env, expect=(0, 2), name=label + "-plan")
        reqs = emu.requests()
        stats["plan_requests"] = sum(1 for r in reqs if not r["batch"])
        if check_reads:
            listed = users_listed(reqs)
            E.check(not listed, "%s: plan listed a directory: %s" % (label, listed))
        E.check("graph: read" in p.stderr, "%s: no progress lines with IDPC_PROGRESS=1" % label)
        m = re.search(r"looked up (\d+) names and ids.*\((\d+) requests?\)", p.stderr)
        stats["lookup_values"], stats["lookup_requests"] = (int(m.group(1)), int(m.group(2))) \
            if m else (0, 0)
        with open(plan_file) as f:
            plan = json.load(f)
        emu.clear_log()
        p = E.idpc(ctx, ["apply", "--tenant", "graph:", plan_file], env, expect=0,
                   name=label + "-apply")
        reqs = emu.requests()
        stats["apply_requests"] = sum(1 for r in reqs if not r["batch"])
        outside = E.writes_outside(reqs, E.plan_request_patterns(plan))
        E.check(not outside, "%s: apply wrote outside the plan: %s" % (label, outside[:5]))
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", config], env,
                   expect=0, name=label + "-replan")
        E.check("No changes" in p.stdout, "%s: the second plan is not empty" % label)
    finally:
        saved = emu.stop()
    E.check(saved is not None, "%s: the emulator saved no state" % label)
    d = E.duplicates(saved)
    E.check(not d, "%s: duplicates after apply: %s" % (label, d))
    return saved, stats


# ---- tests ----

def t_snapshot(ctx, a):
    config, state = contoso_paths(ctx)
    emu = E.Emulator(ctx, state, name="snap")
    try:
        env = E.auth_env(ctx, emu, "secret")
        out = ctx.path("snapshot.json")
        p = E.idpc(ctx, ["snapshot", "--tenant", "graph:", "-o", out, config], env, expect=0)
        E.check("graph: read" in p.stderr, "snapshot: no progress lines")
        n = emu.http_count()
        with open(out) as f:
            snap = json.load(f)
        E.check(snap["format"] == "idpc-tenant/1", "snapshot: wrong format")
        E.check(snap["tenantId"] == emu.tenant_id, "snapshot: wrong tenant id")
        # plan against the snapshot == plan against the live tenant
        emu.clear_log()
        live = E.idpc(ctx, ["plan", "--no-color", "--tenant", "graph:", config], env,
                      expect=0, name="plan-live")
        offline = E.idpc(ctx, ["plan", "--no-color", "--tenant", "file:" + out, config], env,
                         expect=0, name="plan-offline")
        # graph: looks groups up instead of listing them, so it does not count the unmanaged
        # groups nothing refers to (docs/graph-backend.md); everything else must be equal
        strip = lambda s: "\n".join(l for l in s.splitlines()[1:] if "unmanaged" not in l and
                                    not re.match(r"\s+\d+ groups \(listed", l))
        E.check(strip(live.stdout) == strip(offline.stdout),
                "snapshot: plan against the snapshot differs from plan against graph:")
    finally:
        saved = emu.stop()
    # the snapshot holds what the emulator holds (users/groups/SPs with the selected properties)
    sc, ec = snap["collections"], saved["collections"]
    for path, v in sc.items():
        if path not in ec:
            continue
        if isinstance(v, list):
            ids = sorted(o.get("id", "") for o in v)
            eids = sorted(o.get("id", "") for o in ec[path])
            if path.startswith("policies/roleManagementPolic"):
                # the directory's PIM policies, and the groups' of the groups the config's
                # pim_group blocks name (not every group's: docs/graph-backend.md)
                eids = sorted(o.get("id", "") for o in ec[path] if o.get("scopeType") ==
                              "Directory" or o.get("scopeId") in
                              {x.get("scopeId") for x in v if x.get("scopeType") == "Group"})
            E.check(ids == eids, "snapshot: %s differs from the emulator's (%d vs %d)" %
                    (path, len(ids), len(eids)))
    pols = {o["id"]: o for o in ec["identity/conditionalAccess/policies"]}
    for o in sc["identity/conditionalAccess/policies"]:
        e = pols[o["id"]]
        # (reads expand grantControls.authenticationStrength; the saved state keeps the id)
        sid = lambda p: ((p.get("grantControls") or {}).get("authenticationStrength") or
                         {}).get("id")
        E.check(o["conditions"] == e["conditions"] and o["state"] == e["state"] and
                sid(o) == sid(e), "snapshot: policy %s differs" % o["displayName"])
    E.check(n <= 40, "snapshot: %d requests for a small tenant" % n)
    print("snapshot: %d collections, %d HTTP requests" % (len(sc), n))


def t_contoso(ctx, a):
    config, state = contoso_paths(ctx)
    _, st = plan_apply_plan(ctx, state, config, a.auth, "contoso-" + a.auth)
    print("contoso (%s): plan %d requests, apply %d requests" % (a.auth, st["plan_requests"],
                                                                 st["apply_requests"]))


def selected_config(ctx, name, groups):
    """policies/contoso with its group expiration applied to `groups` only."""
    config, state = contoso_paths(ctx)
    out = ctx.path(name)
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(config, out)
    path = os.path.join(out, "settings.idp")
    with open(path) as f:
        text = f.read()
    line = 'group_expiration 365d notify "it-groups@contoso.com"'
    E.check(line in text, "selected: policies/contoso/settings.idp no longer has %r" % line)
    sel = ", ".join('group "%s"' % g for g in groups)
    text = text.replace(line, 'group_expiration 365d for %s notify "it-groups@contoso.com"' % sel)
    with open(path, "w") as f:
        f.write(text)
    return out, state


def export_round_trip(ctx, state_doc, name, written):
    """The tenant `state_doc` in an emulator: `export --tenant graph:` into a fresh folder,
    `written(folder)` checks what it wrote, and the export plans "No changes" against it."""
    state = ctx.path("%s-exported-state.json" % name)
    with open(state, "w") as f:
        json.dump(state_doc, f)
    emu = E.Emulator(ctx, state, name=name + "-export")
    try:
        env = E.auth_env(ctx, emu, "secret")
        out = ctx.path(name + "-export")
        if os.path.exists(out):
            shutil.rmtree(out)
        E.idpc(ctx, ["export", "--tenant", "graph:", "-o", out], env, expect=0,
               name=name + "-export")
        written(out)
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", out], env,
                   expect=0, name=name + "-export-plan")
        E.check("No changes" in p.stdout,
                "%s: the exported configuration plans changes:\n%s" % (name, p.stdout[-800:]))
    finally:
        emu.stop()


def t_selected(ctx, a):
    """The group expiration policy applied to selected groups (addGroup/removeGroup): plan ->
    apply -> plan empty, then a group taken out of the list, then export -> plan: No changes."""
    cfg1, state = selected_config(ctx, "selected-1", ["GRP-Sales", "GRP-Executive-Staff"])
    saved, _ = plan_apply_plan(ctx, state, cfg1, "secret", "selected-1", check_reads=False)
    sel = [k for k in saved["collections"] if k.startswith("groupLifecyclePolicies/")]
    E.check(len(sel) == 1 and len(saved["collections"][sel[0]]) == 2,
            "selected: the policy applies to the two groups: %s" % sel)
    state2 = ctx.path("selected-state-2.json")
    with open(state2, "w") as f:
        json.dump(saved, f)
    cfg2, _ = selected_config(ctx, "selected-2", ["GRP-Executive-Staff"])
    saved2, _ = plan_apply_plan(ctx, state2, cfg2, "secret", "selected-2", check_reads=False)
    E.check(len(saved2["collections"][sel[0]]) == 1, "selected: GRP-Sales was removed")
    def written(out):
        with open(os.path.join(out, "settings.idp")) as f:
            text = f.read()
        E.check('group_expiration 365d for group "GRP-Executive-Staff"' in text,
                "selected: export writes the selected group")
        E.check('user_consent verified_publishers_low_impact' in text and
                'admin_consent_requests on' in text,
                "selected: export writes the consent settings")
    export_round_trip(ctx, saved2, "selected", written)
    print("selected: added, removed, exported")


def t_saved(ctx, a):
    """A plan saved from --tenant graph: records a tenant spec apply uses as is: `idpc apply
    PLAN` with no --tenant (and no IDPC_TENANT) applies it to the emulator; applying it again says
    so on its first line (docs/runtime.md, "Saved plans")."""
    config, state = contoso_paths(ctx)
    emu = E.Emulator(ctx, state, name="saved")
    try:
        env = E.auth_env(ctx, emu, "secret")
        env.pop("IDPC_TENANT", None)
        plan_file = ctx.path("saved-plan.json")
        E.idpc(ctx, ["plan", "--tenant", "graph:", "-o", plan_file, config], env, expect=0,
               name="saved-plan")
        with open(plan_file) as f:
            plan = json.load(f)
        t = plan["tenant"]
        E.check(t["backend"] == "graph:public" and t["cloud"] == "public" and
                t["id"] == emu.tenant_id,
                "the plan records graph:public, the cloud and the tenant id: %s" % t)
        E.check(plan["config"]["sources"] and all(not os.path.isabs(s["path"]) or
                                                  s["path"].startswith(ctx.source)
                                                  for s in plan["config"]["sources"]),
                "the plan carries the configuration's sources")
        # the release job: another directory, no configuration, no --tenant
        job = ctx.path("release-job")
        os.makedirs(job, exist_ok=True)
        p = E.idpc(ctx, ["apply", plan_file], env, expect=0, name="saved-apply", cwd=job)
        E.check("Apply complete" in p.stdout, "apply PLAN with no --tenant applied it")
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", config], env,
                   expect=0, name="saved-replan")
        E.check("No changes" in p.stdout, "after the saved plan, nothing is left to do")
        p = E.idpc(ctx, ["apply", plan_file], env, expect=1, name="saved-again", cwd=job)
        first = p.stderr.splitlines()[0] if p.stderr else ""
        lines = [l for l in p.stderr.splitlines() if not l.startswith("graph: ")]
        E.check(lines and lines[0].startswith("idpc apply: error: this plan has already been applied"),
                "re-applying says so on its first line: %r" % (lines[:1] or first))
        # another tenant's credentials: the identity check refuses before any write
        emu.clear_log()
        other = dict(env)
        plan["tenant"]["id"] = "00000000-0000-4000-8000-00000000abcd"
        forged = ctx.path("forged-plan.json")
        with open(forged, "w") as f:
            json.dump(plan, f)
        p = E.idpc(ctx, ["apply", forged], other, expect=1, name="saved-other-tenant", cwd=job)
        E.check("refusing to apply it to another tenant" in p.stderr,
                "a plan for another tenant id is refused")
        writes = [r for r in emu.requests() if r["method"] in ("POST", "PATCH", "DELETE")
                  and "/oauth2/" not in r["path"]]
        E.check(not writes, "no write was sent: %s" % writes[:3])
    finally:
        emu.stop()


def generate(ctx, d, policies, users):
    """tests/bench/gen.py (the plan benchmark's generator) when present, else ours."""
    import subprocess
    bench = os.path.join(ctx.source, "tests/bench/gen.py")
    if os.path.exists(bench):
        cmd = [sys.executable, bench, d, "--policies", str(policies), "--locations", "100",
               "--users", str(users), "--groups", "10000"]
    else:
        cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "gen_tenant.py"), d,
               "--policies", str(policies), "--users", str(users), "--existing",
               str(policies // 4)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def t_large(ctx, a):
    gen = ctx.path("gen")
    counts = {}
    for n in a.policies:
        d = "%s-%d" % (gen, n)
        generate(ctx, d, n, a.users)
        _, st = plan_apply_plan(ctx, os.path.join(d, "tenant.json"), os.path.join(d, "config"),
                                "secret", "large-%d" % n)
        # reads: constant; look-ups: one $batch per 300 distinct names (20 queries of 15)
        counts[n] = st["plan_requests"] - st["lookup_requests"]
        per_batch = 15 * 20
        E.check(st["lookup_requests"] <= -(-st["lookup_values"] // per_batch) + 1,
                "large: %d look-up requests for %d names" % (st["lookup_requests"],
                                                             st["lookup_values"]))
        print("large: %d policies, %d users: plan %d requests (%d of them look up %d names), "
              "apply %d requests" % (n, a.users, st["plan_requests"], st["lookup_requests"],
                                     st["lookup_values"], st["apply_requests"]))
    vals = sorted(set(counts.values()))
    E.check(len(vals) == 1,
            "large: plan's reads grow with the number of policies: %s" % counts)


# Passwords of the users the identities tests create: they must never leave the environment.
IDENTITY_SECRETS = {"E2E_BG3_PASSWORD": "Bg3-e2e-Secret!7731-kzq",
                    "E2E_HANA_PASSWORD": "Hana-e2e-Secret!5519-wpx"}

IDENTITIES_IDP = """# Cloud-only accounts and time-bound active assignments (e2e)
user "bg3@contoso.onmicrosoft.com" {
  display_name "Break Glass 3"
  usage_location "FR"
  initial_password env E2E_BG3_PASSWORD change_at_next_sign_in off
}

user "admin-hana@contoso.onmicrosoft.com" {
  display_name "Admin Hana"
  given_name "Hana"
  job_title "Messaging administrator"
  usage_location "DE"
  initial_password env E2E_HANA_PASSWORD
}

role "Reports Reader" {
  active user "admin-hana@contoso.onmicrosoft.com" until "2027-03-31"
  active user "admin-alice@contoso.onmicrosoft.com" until "2027-02-15T18:00:00Z"
}
"""


def identities_config(ctx, extra=""):
    """policies/contoso plus IDENTITIES_IDP (and `extra`), in the work directory."""
    import shutil
    config, state = contoso_paths(ctx)
    dst = ctx.path("identities-config")
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    shutil.copytree(config, dst)
    with open(os.path.join(dst, "identities.e2e.idp"), "w") as f:
        f.write(IDENTITIES_IDP + extra)
    return dst, state


def with_secrets(env):
    e = dict(env)
    e.update(IDENTITY_SECRETS)
    return e


def t_identities(ctx, a):
    config, state = identities_config(ctx)
    emu = E.Emulator(ctx, state, name="ids")
    try:
        env = E.auth_env(ctx, emu, "secret")
        pf = ctx.path("ids-plan.json")
        p = E.idpc(ctx, ["plan", "--no-color", "--tenant", "graph:", "-o", pf, config], env,
                   expect=0, name="ids-plan")
        for want in ('+ user "bg3@contoso.onmicrosoft.com"',
                     "+ initial_password: (from env E2E_BG3_PASSWORD)",
                     '+ role_assignment "Reports Reader: user admin-hana@contoso.onmicrosoft.com"',
                     '+ until: "2027-03-31T00:00:00Z"'):
            E.check(want in p.stdout, "identities: the plan does not show %r" % want)
        # without the variables: an error naming them, at the declaration, before any write
        emu.clear_log()
        p = E.idpc(ctx, ["apply", "--tenant", "graph:", pf], env, name="ids-apply-noenv")
        E.check(p.returncode != 0, "identities: apply without the password variables succeeded")
        E.check("E2E_BG3_PASSWORD" in p.stderr and "identities.e2e.idp:2:1" in p.stderr and
                "nothing was applied" in p.stderr,
                "identities: the missing variable is not named at its line: %s" % p.stderr[-400:])
        writes = [r for r in emu.requests() if r["method"] in ("POST", "PATCH", "DELETE") and
                  "/oauth2/" not in r["path"] and r["path"] != "/v1.0/$batch"]
        E.check(not writes, "identities: apply without the variables wrote %s" % writes[:3])
        # with them: plan -> apply -> plan is empty
        envs = with_secrets(env)
        E.idpc(ctx, ["apply", "--tenant", "graph:", pf], envs, expect=0, name="ids-apply")
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", config], envs,
                   expect=0, name="ids-replan")
        E.check("No changes" in p.stdout, "identities: the second plan is not empty")
        # a new end date is one renewal (adminUpdate), then nothing
        with open(os.path.join(config, "identities.e2e.idp")) as f:
            text = f.read().replace('until "2027-03-31"', 'until "2027-06-30"')
        with open(os.path.join(config, "identities.e2e.idp"), "w") as f:
            f.write(text)
        pf2 = ctx.path("ids-renew.json")
        p = E.idpc(ctx, ["plan", "--no-color", "--tenant", "graph:", "-o", pf2, config], env,
                   expect=0, name="ids-renew-plan")
        E.check("renewal: the active assignment now ends" in p.stdout,
                "identities: the changed end is not planned as a renewal")
        with open(pf2) as f:
            reqs = [r for act in json.load(f)["actions"] for r in act["requests"]]
        E.check(len(reqs) == 1 and reqs[0]["body"]["action"] == "adminUpdate" and
                reqs[0]["path"].endswith("roleAssignmentScheduleRequests"),
                "identities: the renewal is not one adminUpdate request: %s" % reqs)
        E.idpc(ctx, ["apply", "--tenant", "graph:", pf2], env, expect=0, name="ids-renew-apply")
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", config], env,
                   expect=0, name="ids-renew-replan")
        # export of the tenant now holding them round-trips to "No changes"
        out = ctx.path("ids-export")
        E.idpc(ctx, ["export", "--tenant", "graph:", "-o", out], env, expect=0,
               name="ids-export")
        roles = open(os.path.join(out, "roles.idp")).read()
        E.check('active user "admin-hana@contoso.onmicrosoft.com" until "2027-06-30"' in roles,
                "identities: the export does not write the active assignment's end")
        p = E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", out], env,
                   expect=0, name="ids-export-plan")
        E.check("No changes" in p.stdout, "identities: the export does not round-trip")
        E.idpc(ctx, ["snapshot", "--tenant", "graph:", "-o", ctx.path("ids-snapshot.json")], env,
               expect=0, name="ids-snapshot")
        # a synchronised user cannot be written: an error at its line
        with open(os.path.join(config, "identities.e2e.idp"), "a") as f:
            f.write('\nuser "adele.vance@contoso.com" {\n  display_name "Adele V."\n}\n')
        p = E.idpc(ctx, ["plan", "--tenant", "graph:", config], env, name="ids-synced")
        E.check(p.returncode != 0 and "identities.e2e.idp:" in p.stderr and
                "synchronised from on-premises" in p.stderr,
                "identities: a synchronised user is not refused at its line: %s" % p.stderr[-400:])
    finally:
        saved = emu.stop()
    d = E.duplicates(saved)
    E.check(not d, "identities: duplicates after apply: %s" % d)
    users = {u["userPrincipalName"]: u for u in saved["collections"]["users"]}
    E.check("bg3@contoso.onmicrosoft.com" in users and
            users["bg3@contoso.onmicrosoft.com"].get("usageLocation") == "FR",
            "identities: bg3 was not created with its attributes")
    print("identities: users created without their passwords leaving the environment; "
          "renewal, export and sync checks ok")


def t_faults(ctx, a):
    if a.test == "faults_identities":
        config, state = identities_config(ctx)
    else:
        config, state = contoso_paths(ctx)
    reruns = 0
    total_faults = 0
    for seed in range(1, a.seeds + 1):
        label = "seed%02d" % seed
        emu = E.Emulator(ctx, state, name=label,
                         extra=["--fault-rate", str(a.rate), "--seed", str(seed), "--slow-ms",
                                "200"])
        try:
            env = with_secrets(E.auth_env(ctx, emu, "secret"))
            plans = []
            ok = False
            for attempt in range(3):
                pf = ctx.path("%s-plan%d.json" % (label, attempt))
                p = E.idpc(ctx, ["plan", "--tenant", "graph:", "-o", pf, config], env,
                           name=label + "-plan")
                if p.returncode != 0:
                    reruns += 1
                    continue
                with open(pf) as f:
                    plans.append(json.load(f))
                p = E.idpc(ctx, ["apply", "--tenant", "graph:", pf], env, name=label + "-apply")
                if p.returncode == 0:
                    ok = True
                    break
                reruns += 1
            E.check(ok, "%s: apply did not converge in 3 runs (see %s)" % (label, ctx.work))
            reqs = emu.requests()
            total_faults += sum(1 for r in reqs if r.get("fault"))
            patterns = [x for pl in plans for x in E.plan_request_patterns(pl)]
            outside = E.writes_outside(reqs, patterns)
            E.check(not outside, "%s: writes outside the plan: %s" % (label, outside[:5]))
            # no create applied more often than the plans asked for it
            asked = {}
            for pl in plans[-1:]:
                for act in pl["actions"]:
                    for r in act.get("requests", []):
                        # creates only: $ref adds and actions (assignLicense,
                        # updateAllowedCombinations) are idempotent, a resend is no duplicate
                        if r["method"] == "POST" and "$ref" not in r["path"] and \
                                not r["path"].endswith(("/assignLicense",
                                                        "/updateAllowedCombinations")):
                            asked[r["path"]] = asked.get(r["path"], 0) + 1
            done = {}
            for r in reqs:
                if r["method"] == "POST" and r.get("applied") and not r["batch"] and \
                        r["path"][len("/v1.0/"):] in asked:
                    k = r["path"][len("/v1.0/"):]
                    done[k] = done.get(k, 0) + 1
            if len(plans) == 1:
                for k, v in done.items():
                    E.check(v <= asked[k], "%s: %d creates applied on %s for %d planned" %
                            (label, v, k, asked[k]))
        finally:
            saved = emu.stop()
        d = E.duplicates(saved)
        E.check(not d, "%s: duplicates: %s" % (label, d))
        # converged: a fault-free emulator on the result has nothing to change
        emu2 = E.Emulator(ctx, emu.save, name=label + "-check")
        try:
            env = E.auth_env(ctx, emu2, "secret")
            E.idpc(ctx, ["plan", "--detailed-exitcode", "--tenant", "graph:", config], env,
                   expect=0, name=label + "-check")
        finally:
            emu2.stop()
    print("faults: %d seeds at rate %.2f converged (%d faults injected, %d re-runs)" %
          (a.seeds, a.rate, total_faults, reruns))


def t_tls(ctx, a):
    config, state = contoso_paths(ctx)
    emu = E.Emulator(ctx, state, name="tls")
    other = ctx.path("other-ca")
    import subprocess
    subprocess.run(["sh", os.path.join(ctx.source, "tests/graph-emulator/make-certs.sh"), other],
                   check=True, capture_output=True)
    try:
        base = E.auth_env(ctx, emu, "secret", ca=False)
        test_ca = os.path.join(ctx.certs, "ca.pem")
        cases = [
            ("system store only", {}),
            ("another CA in IDPC_CA_BUNDLE", {"IDPC_CA_BUNDLE": os.path.join(other, "ca.pem")}),
            ("the test CA in SSL_CERT_FILE/CURL_CA_BUNDLE only",
             {"SSL_CERT_FILE": test_ca, "CURL_CA_BUNDLE": test_ca, "SSL_CERT_DIR": ctx.certs,
              "REQUESTS_CA_BUNDLE": test_ca}),
        ]
        for what, extra in cases:
            env = dict(base)
            env.update(extra)
            p = E.idpc(ctx, ["snapshot", "--tenant", "graph:", "-o", ctx.path("x.json")], env,
                       expect=1, name="tls-refused")
            E.check("not trusted" in p.stderr and "IDPC_CA_BUNDLE" in p.stderr,
                    "tls (%s): the error does not say the certificate is not trusted: %s" %
                    (what, p.stderr.strip()[-400:]))
            E.check(not os.path.exists(ctx.path("x.json")), "tls: a snapshot was written")
        E.check(emu.http_count() == 0, "tls: requests reached the server over untrusted TLS")
        env = dict(base)
        env["IDPC_CA_BUNDLE"] = test_ca
        E.idpc(ctx, ["snapshot", "--tenant", "graph:", "-o", ctx.path("ok.json")], env, expect=0,
               name="tls-trusted")
        # a refused credential: a clear error, and the secret that was tried is not in it
        env = dict(base)
        env["IDPC_CA_BUNDLE"] = test_ca
        env["AZURE_CLIENT_SECRET"] = WRONG_SECRET
        p = E.idpc(ctx, ["snapshot", "--tenant", "graph:"], env, expect=1, name="bad-secret")
        E.check("invalid_client" in p.stderr, "tls: a refused secret is not reported clearly: %s"
                % p.stderr[-300:])
        env = dict(base)
        env["IDPC_CA_BUNDLE"] = test_ca
        # plain http is refused outright
        env["IDPC_GRAPH_BASE"] = "http://127.0.0.1:%d/v1.0" % emu.port
        p = E.idpc(ctx, ["snapshot", "--tenant", "graph:"], env, expect=1, name="tls-http")
        E.check("https" in p.stderr, "tls: http:// was not refused clearly: %s" % p.stderr[-300:])
    finally:
        emu.stop()
    print("tls: untrusted certificates refused (3 ways), IDPC_CA_BUNDLE trusted, http refused")


# ---- a v1.0 that hides a policy (beta-only features), in front of the emulator ----

class HidingProxy:
    """TLS proxy: forwards to the emulator, but drops one policy from v1.0 policy lists (keeping
    @odata.count) and serves /beta/ from /v1.0/, as Graph does for beta-only policies."""

    def __init__(self, ctx, emu, hide_id):
        target = emu.base()
        proxy_base = self.base
        upstream = ssl.create_default_context(cafile=os.path.join(ctx.certs, "ca.pem"))

        class H(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _go(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                path = self.path
                beta = path.startswith("/beta/")
                if beta:
                    path = "/v1.0/" + path[len("/beta/"):]
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("host", "content-length", "connection")}
                req = urllib.request.Request(target + path, data=body, headers=hdrs,
                                             method=self.command)
                try:
                    r = urllib.request.urlopen(req, context=upstream, timeout=60)
                    status, data, rh = r.status, r.read(), r.headers
                except urllib.error.HTTPError as e:
                    status, data, rh = e.code, e.read(), e.headers
                data = data.replace(target.encode(), proxy_base().encode())
                if (not beta and self.command == "GET" and
                        path.startswith("/v1.0/identity/conditionalAccess/policies?")):
                    js = json.loads(data)
                    js["value"] = [p for p in js["value"] if p.get("id") != hide_id]
                    data = json.dumps(js).encode()
                self.send_response(status)
                for k, v in rh.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _go

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(os.path.join(ctx.certs, "server.pem"),
                             os.path.join(ctx.certs, "server.key"))
        self.httpd.socket = sctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.t = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.t.start()

    def base(self):
        return "https://127.0.0.1:%d" % self.port

    def stop(self):
        self.httpd.shutdown()


def t_hidden(ctx, a):
    config, state = contoso_paths(ctx)
    with open(state) as f:
        pols = json.load(f)["collections"]["identity/conditionalAccess/policies"]
    E.check(pols, "hidden: the tenant has no policy to hide")
    victim = pols[-1]
    emu = E.Emulator(ctx, state, name="hidden")
    proxy = HidingProxy(ctx, emu, victim["id"])
    try:
        env = E.auth_env(ctx, emu, "secret")
        env["IDPC_GRAPH_BASE"] = proxy.base() + "/v1.0"
        env["IDPC_PROGRESS"] = "0"
        p = E.idpc(ctx, ["snapshot", "--tenant", "graph:", "-o", ctx.path("s.json")], env,
                   expect=0, name="hidden-snapshot")
        E.check(victim["id"] in p.stderr and "beta-only" in p.stderr,
                "hidden: the policy v1.0 left out is not reported by id: %s" % p.stderr[-600:])
        E.check(victim["displayName"] in p.stderr, "hidden: the hidden policy is not named")
    finally:
        proxy.stop()
        emu.stop()
    print("hidden: %s reported" % victim["id"])


def t_impact(ctx, a):
    """The plan's impact section against graph: equals the one against the same tenant as a
    snapshot; --impact=off leaves it out; after apply, the plan says no outcome changes."""
    config, state = contoso_paths(ctx)
    emu = E.Emulator(ctx, state, name="impact")
    try:
        env = E.auth_env(ctx, emu, "secret")
        p = E.idpc(ctx, ["plan", "--format", "json", "--tenant", "graph:", config], env,
                   expect=0, name="impact-json")
        live = json.loads(p.stdout)["impact"]
        E.check(live["changed"] > 0 and live["rows"], "impact: the Contoso plan changes nothing")
        E.check(live["scenarios"] >= live["evaluated"] > 0, "impact: no scenario evaluated")
        E.check(sum(r["scenarios"] for r in live["rows"]) == live["changed"],
                "impact: the rows do not add up to the changed scenarios")
        order = ["blocked", "unprotected", "weaker", "stronger", "changed"]
        sev = [order.index(r["severity"]) for r in live["rows"]]
        E.check(sev == sorted(sev), "impact: rows not most severe first: %s" % sev)
        E.check(any(r["severity"] == "blocked" and "new CA011" in r["text"] and
                    r["location"] == "Embargoed countries" for r in live["rows"]),
                "impact: CA011 does not newly block the embargoed countries")
        offline = E.idpc(ctx, ["plan", "--format", "json", "--tenant", "file:" + state, config],
                         env, expect=0, name="impact-offline")
        texts = lambda im: [r["text"] for r in im["rows"]]
        E.check(texts(json.loads(offline.stdout)["impact"]) == texts(live),
                "impact: graph: and the snapshot give different rows")
        md = E.idpc(ctx, ["plan", "--format", "markdown", "--tenant", "graph:", config], env,
                    expect=0, name="impact-md")
        E.check("#### Impact on sign-ins" in md.stdout and "**newly blocked**" in md.stdout,
                "impact: no impact section in the markdown plan")
        off = E.idpc(ctx, ["plan", "--format", "json", "--impact=off", "--tenant", "graph:",
                           config], env, expect=0, name="impact-off")
        E.check("impact" not in json.loads(off.stdout), "impact: --impact=off kept the field")
        plan_file = ctx.path("impact-plan.json")
        E.idpc(ctx, ["plan", "--tenant", "graph:", "-o", plan_file, config], env, expect=0,
               name="impact-save")
        E.idpc(ctx, ["apply", "--tenant", "graph:", plan_file], env, expect=0,
               name="impact-apply")
        again = E.idpc(ctx, ["plan", "--no-color", "--tenant", "graph:", config], env, expect=0,
                       name="impact-replan")
        E.check("Impact on sign-ins: no sign-in changes outcome" in again.stdout,
                "impact: the plan after apply does not say that nothing changes")
    finally:
        emu.stop()
    print("impact: %d of %d scenarios change (%d evaluated), %d rows" %
          (live["changed"], live["scenarios"], live["evaluated"], len(live["rows"])))


def t_delegated(ctx, a):
    """Graph v1.0 serves directory/onPremisesSynchronization to delegated callers only: against
    an emulator that refuses it (--delegated-only) as Graph refuses an application, plan fails
    at the on_premises_sync block with the reason, and writes nothing."""
    config, state = contoso_paths(ctx)
    emu = E.Emulator(ctx, state, name="delegated", extra=["--delegated-only"])
    try:
        env = E.auth_env(ctx, emu, "secret")
        p = E.idpc(ctx, ["plan", "--tenant", "graph:", config], env, expect=1,
                   name="delegated-plan")
        E.check("hybrid.idp:6:1: error: on_premises_sync: the tenant's on-premises directory "
                "synchronization object could not be read" in p.stderr
                and "delegated callers only" in p.stderr,
                "delegated: plan does not name the block and the reason: %s" % p.stderr[-600:])
        writes = [r for r in emu.requests() if r["method"] != "GET"
                  and r["path"] != "/v1.0/$batch" and "/oauth2/" not in r["path"]]
        E.check(not writes, "delegated: plan wrote %s" % writes[:3])
    finally:
        emu.stop()


def contexts_setup(ctx, manage_policies):
    """Contoso's configuration managing authentication contexts exclusively, and its tenant with
    two contexts it does not declare: c2 unused, c3 used by a hand-made policy."""
    import copy
    import shutil
    config, state = contoso_paths(ctx)
    cfg = ctx.path("contexts-config-%d" % manage_policies)
    shutil.rmtree(cfg, ignore_errors=True)
    shutil.copytree(config, cfg)
    kinds = "policies, locations, strengths" if manage_policies else "locations, strengths"
    with open(os.path.join(cfg, "tenant.idp")) as f:
        text = f.read()
    text = text.replace("manage exclusively policies, locations, strengths",
                        "manage exclusively %s, authentication_contexts" % kinds)
    with open(os.path.join(cfg, "tenant.idp"), "w") as f:
        f.write(text)
    with open(state) as f:
        doc = json.load(f)
    c = doc["collections"]
    c["identity/conditionalAccess/authenticationContextClassReferences"] = [
        {"id": "c2", "displayName": "Old pilot", "description": None, "isAvailable": False},
        {"id": "c3", "displayName": "Used by a hand-made policy", "description": None,
         "isAvailable": True}]
    pol = copy.deepcopy(c["identity/conditionalAccess/policies"][0])
    pol["id"] = "11111111-2222-4333-8444-555555555555"
    pol["displayName"] = "Hand-made: step-up for c3"
    pol["conditions"]["applications"] = {
        "includeApplications": [], "excludeApplications": [], "includeUserActions": [],
        "includeAuthenticationContextClassReferences": ["c3"]}
    c["identity/conditionalAccess/policies"].append(pol)
    st = ctx.path("contexts-tenant-%d.json" % manage_policies)
    with open(st, "w") as f:
        json.dump(doc, f, indent=2)
    return cfg, st


def t_contexts(ctx, a):
    """manage exclusively authentication_contexts: the undeclared contexts are deleted after the
    policy that used one is deleted (plan -> apply -> plan empty); when a policy the plan keeps
    still uses one, plan fails naming it, before any request to Graph's DELETE."""
    cfg, st = contexts_setup(ctx, True)
    saved, _ = plan_apply_plan(ctx, st, cfg, "secret", "contexts")
    left = [x["id"] for x in
            saved["collections"]["identity/conditionalAccess/authenticationContextClassReferences"]]
    E.check(sorted(left) == ["c1"], "contexts: the tenant keeps %s, not only the declared c1" % left)
    cfg, st = contexts_setup(ctx, False)
    with open(os.path.join(cfg, "tenant.idp")) as f:
        manage_line = 1 + [l.startswith("manage exclusively") for l in f].index(True)
    emu = E.Emulator(ctx, st, name="contexts-used")
    try:
        env = E.auth_env(ctx, emu, "secret")
        p = E.idpc(ctx, ["plan", "--tenant", "graph:", cfg], env, expect=1, name="contexts-used")
        E.check("authentication context \"c3\" is not declared, so 'manage exclusively "
                "authentication_contexts' would delete it, but policy \"Hand-made: step-up for "
                "c3\" still uses it" in p.stderr and "tenant.idp:%d:1: error" % manage_line in p.stderr,
                "contexts: plan does not name the policy that uses c3: " + p.stderr[-600:])
    finally:
        emu.stop()
    # A configuration that declares no context, with a declared policy naming the tenant's c3:
    # the policy's body is read before the plan's loop releases it, so the plan refuses the same
    # way (it once planned "- authentication_context" instead).
    cfg, st = contexts_setup(ctx, True)
    with open(os.path.join(cfg, "ca-regulated.idp")) as f:
        text = f.read()
    start = text.index('authentication_context "c1" {')
    text = text[:start] + text[text.index("}\n", start) + 2:]
    text = text.replace('apps include context "c1"', 'apps include context "c3"')
    with open(os.path.join(cfg, "ca-regulated.idp"), "w") as f:
        f.write(text)
    p = E.idpc(ctx, ["plan", "--tenant", "file:" + st, cfg], dict(os.environ), expect=1,
               name="contexts-declared")
    E.check("'manage exclusively authentication_contexts' would delete it, but policy \"CA203: "
            "Phishing-resistant MFA for highly regulated data (authentication context)\" still "
            "uses it" in p.stderr,
            "contexts: plan does not name the declared policy that uses c3: " + p.stderr[-600:])


def t_governance(ctx, a):
    """PIM for Groups and access reviews through Graph: Contoso applied to the emulator, then
    `export --tenant graph:` writes its pim_group and access_review blocks, and the exported
    configuration plans "No changes" against the same tenant."""
    config, state = contoso_paths(ctx)
    saved, _ = plan_apply_plan(ctx, state, config, "secret", "governance")
    def written(out):
        with open(os.path.join(out, "pim_groups.idp")) as f:
            pim = f.read()
        with open(os.path.join(out, "reviews.idp")) as f:
            reviews = f.read()
        E.check('pim_group "PIM-Security-Admins"' in pim and "eligible member" in pim and
                "active owner" in pim and 'until "2027-11-30' in pim,
                "governance: export does not write Contoso's PIM for Groups:\n" + pim[:600])
        E.check(reviews.count("access_review ") == 2 and
                'review role "Global Administrator"' in reviews and
                "review guests in microsoft365_groups" in reviews,
                "governance: export does not write Contoso's two access reviews:\n" +
                reviews[:600])
    export_round_trip(ctx, saved, "governance", written)
    print("governance: PIM for Groups and access reviews exported through Graph, No changes")


TESTS = {"snapshot": t_snapshot, "impact": t_impact, "delegated": t_delegated,
         "contexts": t_contexts, "contoso": t_contoso, "saved": t_saved, "large": t_large,
         "faults": t_faults, "tls": t_tls, "hidden": t_hidden, "selected": t_selected,
         "identities": t_identities, "faults_identities": t_faults,
         "governance": t_governance}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("test", choices=sorted(TESTS))
    ap.add_argument("--auth", default="secret",
                    choices=["secret", "cert", "cert-ps256", "federated"])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--rate", type=float, default=0.2)
    ap.add_argument("--users", type=int, default=50000)
    ap.add_argument("--policies", type=int, nargs="+", default=[10, 195])
    a = ap.parse_args()
    name = a.test + ("-" + a.auth if a.test == "contoso" else "")
    ctx = E.Ctx(a, name)
    t0 = time.time()
    try:
        TESTS[a.test](ctx, a)
        leaks = E.scan_for_secrets(ctx, extra=[WRONG_SECRET] + list(IDENTITY_SECRETS.values()))
        E.check(not leaks, "secrets found in the outputs:\n  " + "\n  ".join(leaks[:10]))
    except E.Failure as f:
        print("FAIL: %s" % f)
        return 1
    print("ok (%.1f s; outputs in %s)" % (time.time() - t0, ctx.work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
