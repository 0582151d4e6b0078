#!/usr/bin/env python3
"""Every ```idp block in docs/, README.md and policies/*/README.md is a whole, real example: it
validates (`idpc validate`, no tenant needed) and is in the canonical layout (`idpc fmt --check`).

Also: no document points at files outside the repository (`shared/graph/...`, `../shared`,
absolute paths of a workplace), and the counts the documents state about the bundled Contoso
example are the example's (docs/cli.md's validate summary line; policies/contoso/README.md's
number of test scenarios, of CA001–CA0nn starting-point policies, of policies in its table and
of `$admin_roles`).
Usage: doc_examples.py IDPC SOURCE_DIR WORKDIR
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

FENCE = re.compile(r"^```idp[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def docs(src):
    files = [os.path.join(src, "README.md")] + sorted(
        glob.glob(os.path.join(src, "docs", "**", "*.md"), recursive=True))
    files += sorted(glob.glob(os.path.join(src, "policies", "*", "README.md")))
    return files


def counts(idpc, src):
    """The numbers the documents state about policies/contoso, against the example itself."""
    fails = []
    ex = os.path.join(src, "policies", "contoso")
    v = subprocess.run([idpc, "validate", ex], capture_output=True, text=True)
    summary = (v.stdout + v.stderr).strip().splitlines()[-1]
    with open(os.path.join(src, "docs", "cli.md"), encoding="utf-8") as f:
        cli = f.read()
    m = re.search(r"`(\d+ files, \d+ objects: valid,\s+\d+ warnings)`", cli)
    if not m or " ".join(m.group(1).split()) != summary:
        fails.append("docs/cli.md: the validate summary line says %r; idpc validate %s prints %r"
                     % (m.group(1) if m else None, "policies/contoso", summary))
    t = subprocess.run([idpc, "test", ex], capture_output=True, text=True)
    tm = re.search(r"^(\d+) tests:", t.stdout, re.M)
    with open(os.path.join(ex, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    rm = re.search(r"`tests.idp` \| (\d+) sign-in scenarios", readme)
    if not (tm and rm and tm.group(1) == rm.group(1)):
        fails.append("policies/contoso/README.md: %s sign-in scenarios stated, idpc test runs %s"
                     % (rm.group(1) if rm else "no count of", tm.group(1) if tm else "?"))
    c = subprocess.run([idpc, "compile", ex], capture_output=True, text=True)
    try:
        objs = json.loads(c.stdout)["objects"]
    except (ValueError, KeyError):
        return fails + ["idpc compile policies/contoso: no model"]
    names = [o.get("name", "") for o in objs if o.get("kind") in ("ca_policy", "conditionalAccessPolicy")
             or str(o.get("name", "")).startswith("CA")]
    pol = sorted(n for n in names if re.match(r"CA\d{3}: ", n))
    rows = re.findall(r"^\| (CA\d{3}: [^|]*?) \|", readme, re.M)
    if sorted(r.strip() for r in rows) != pol:
        fails.append("policies/contoso/README.md: the policy table lists %d policies, the example "
                     "has %d (missing: %s; extra: %s)" % (
                         len(rows), len(pol), sorted(set(pol) - set(rows)), sorted(set(rows) - set(pol))))
    rng = re.search(r"\| CA001–CA0(\d\d): starting point \|", readme)
    base = [n for n in pol if n.startswith("CA0")]
    if not rng or int(rng.group(1)) != len(base):
        fails.append("policies/contoso/README.md: 'CA001–CA0%s: starting point' but the example "
                     "has %d CA0nn policies" % (rng.group(1) if rng else "??", len(base)))
    am = re.search(r"`\$admin_roles` \(the (\d+) roles", readme)
    with open(os.path.join(ex, "ca-templates.idp"), encoding="utf-8") as f:
        tpl = f.read()
    dm = re.search(r"define admin_roles = (.*?)\n\n", tpl, re.S)
    n_roles = len(re.findall(r'role "', dm.group(1))) if dm else -1
    if not am or int(am.group(1)) != n_roles:
        fails.append("policies/contoso/README.md: $admin_roles has %s roles stated, %d defined"
                     % (am.group(1) if am else "no count of", n_roles))
    return fails


def main():
    idpc, src, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    fails = []
    n = 0
    for path in docs(src):
        rel = os.path.relpath(path, src)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in FENCE.finditer(text):
            n += 1
            line = text.count("\n", 0, m.start()) + 2  # the block's first line
            d = os.path.join(work, "%03d" % n)
            os.makedirs(d)
            f_idp = os.path.join(d, "example.idp")
            with open(f_idp, "w", encoding="utf-8") as f:
                f.write(m.group(1))
            where = "%s:%d" % (rel, line)
            v = subprocess.run([idpc, "validate", d], capture_output=True, text=True)
            if v.returncode != 0:
                fails.append("%s: the example does not validate:\n%s" % (
                    where, v.stderr.replace(f_idp, where + "+")))
                continue
            fm = subprocess.run([idpc, "fmt", "--check", "--diff", d], capture_output=True, text=True)
            if fm.returncode != 0:
                fails.append("%s: the example is not fmt-clean (idpc fmt):\n%s" % (
                    where, fm.stdout + fm.stderr))
    # No document sends a reader to files outside this repository.
    outside = re.compile(r"(?<![\w.-])(\.\./shared/|shared/(graph|corpus|design)/|/work/)")
    for path in docs(src):
        rel = os.path.relpath(path, src)
        with open(path, encoding="utf-8") as f:
            for i, l in enumerate(f, 1):
                if outside.search(l):
                    fails.append("%s:%d: points outside the repository: %s" % (rel, i, l.strip()))
    fails += counts(idpc, src)
    for f in fails:
        print("FAIL: " + f)
    print("doc examples: %d idp blocks checked, %d failed" % (n, len(fails)))
    sys.exit(1 if fails or n == 0 else 0)


main()
