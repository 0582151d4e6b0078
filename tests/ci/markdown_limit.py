#!/usr/bin/env python3
"""The markdown plan is a pull-request comment: GitHub refuses comments over 65,536 characters.

Plans the bundled Contoso example and two generated bootstrap plans (an empty tenant: every
object is created) of 195 policies (tests/bench/gen.py) and 195 named locations (Entra's limits)
with 3 and 60 IP ranges each,
and checks that each comment
  - starts with the hidden marker `<!-- idpc plan: PATHS -->` (a workflow finds and updates it),
  - puts the summary line before the "Needs attention" list and the list before the table,
  - stays under 65,536 characters and bytes,
  - says where the full plan is when it had to leave details out, and leaves out none when it
    fits (Contoso).
Prints each comment's size in bytes. Usage: markdown_limit.py IDPC SOURCE_DIR WORKDIR
"""
import json
import os
import subprocess
import sys

LIMIT = 65536


def plan_md(idpc, cfg, tenant, cwd):
    r = subprocess.run([idpc, "plan", cfg, "--tenant", "file:" + tenant, "--format", "markdown"],
                       cwd=cwd, capture_output=True)
    if r.returncode != 0:
        sys.exit("idpc plan failed (%d): %s" % (r.returncode, r.stderr.decode()))
    return r.stdout


def check(name, md, marker, trimmed):
    text = md.decode("utf-8")
    fails = []
    first = text.split("\n", 1)[0]
    if first != "<!-- idpc plan: %s -->" % marker:
        fails.append("first line is %r" % first)
    if len(md) >= LIMIT or len(text) >= LIMIT:
        fails.append("%d bytes / %d characters: over the limit" % (len(md), len(text)))
    summary = text.find(" to create, ")
    attention = text.find("#### Needs attention")
    table = text.find("| Action | Kind | Name | Changes |")
    if not (0 < summary < attention < table):
        fails.append("order: summary %d, Needs attention %d, table %d" % (summary, attention, table))
    note = "The full plan is in" in text
    if note != trimmed:
        fails.append("trimmed note %s" % ("missing" if trimmed else "present though nothing was left out"))
    print("%s: %d bytes, %d characters, %d details%s" % (
        name, len(md), len(text), text.count("<details><summary>"), ", trimmed" if note else ""))
    for f in fails:
        print("FAIL: %s: %s" % (name, f))
    return not fails


def bootstrap(src, work, ranges):
    out = os.path.join(work, "bootstrap-%d" % ranges)
    subprocess.run([sys.executable, os.path.join(src, "tests/bench/gen.py"), out, "--policies", "195",
                    "--locations", "195", "--ranges", str(ranges), "--users", "2000", "--groups",
                    "500"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "tenant.json")) as f:
        t = json.load(f)
    for k in list(t["collections"]):
        if k.startswith("identity/conditionalAccess/"):
            t["collections"][k] = []  # an empty tenant: the plan creates every policy and location
    with open(os.path.join(out, "empty-tenant.json"), "w") as f:
        json.dump(t, f)
    return out


def main():
    idpc, src, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    ok = check("contoso", plan_md(idpc, "policies/contoso", "policies/contoso-tenant.json", src),
               "policies/contoso", trimmed=False)
    for n in (3, 60):
        d = bootstrap(src, work, n)
        md = plan_md(idpc, os.path.join(d, "config"), os.path.join(d, "empty-tenant.json"), src)
        ok &= check("bootstrap 195 policies, 195 locations of %d ranges" % n, md,
                    os.path.join(d, "config"),
                    trimmed=True)
        if b"created directly `on`" not in md:
            print("FAIL: the bootstrap's policies created directly on are not listed")
            ok = False
    print("markdown limit: %s" % ("ok" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


main()
