#!/usr/bin/env python3
"""Generates a large configuration for the compile benchmark, from policies/contoso.

  gen_config.py OUTDIR --copies N

Writes OUTDIR/config: Contoso's configuration once, then N copies of its Conditional Access
policies (renamed "NAME #k") and, per copy, a group, a named location and a policy that
references both. Deterministic. Prints the number of lines written.
"""
import argparse
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
CONTOSO = os.path.join(HERE, "..", "..", "policies", "contoso")
POLICY_FILES = ("ca-baseline.idp", "ca-regulated.idp", "ca-sensitive.idp")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--copies", type=int, default=10)
    a = ap.parse_args()
    cfg = os.path.join(a.out, "config")
    os.makedirs(cfg, exist_ok=True)
    lines = 0
    policies = ""
    for name in sorted(os.listdir(CONTOSO)):
        if not name.endswith(".idp"):
            continue
        with open(os.path.join(CONTOSO, name)) as f:
            text = f.read()
        with open(os.path.join(cfg, name), "w") as f:
            f.write(text)
        lines += text.count("\n")
        if name in POLICY_FILES:
            # the policy blocks only: the files' other declarations (templates, defines, the
            # authentication context) may be declared once
            policies += "".join(m.group(0) + "\n" for m in re.finditer(
                r'^policy "[^"]*" \{.*?^\}\n', text, re.S | re.M))
    pol = re.compile(r'^policy "([^"]*)"', re.M)
    with open(os.path.join(cfg, "copies.idp"), "w") as f:
        for k in range(1, a.copies + 1):
            text = pol.sub(lambda m: 'policy "%s #%d"' % (m.group(1), k), policies)
            text += (
                'group "Bench group %d" {\n  kind security\n  description "Copy %d"\n}\n\n'
                'location "Bench site %d" {\n  ip "%d.%d.%d.0/24"\n}\n\n'
                'policy "Bench policy %d" {\n  use all_users\n  state report_only\n'
                '  users exclude group "Bench group %d"\n  apps include all\n'
                '  locations include all\n  locations exclude location "Bench site %d"\n'
                "  grant mfa\n}\n\n"
                % (k, k, k, 11 + (k >> 16), (k >> 8) & 255, k & 255, k, k, k))
            f.write(text)
            lines += text.count("\n")
    print(lines)


if __name__ == "__main__":
    main()
