#!/usr/bin/env python3
"""Validates `idpc check --format sarif` against the structure SARIF 2.1.0 requires.

The OASIS schema (sarif-schema-2.1.0.json) is not on this machine and Debian packages no copy
(python3-sarif-python-om and golang-github-haya14busa-go-sarif-dev ship classes, not the
schema), so this test carries a focused subset written from the SARIF 2.1.0 specification:
every object idpc emits, with the specification's required properties, value enums and
`additionalProperties: false` as in the OASIS schema, so a misspelt or invented property fails.
On top of the schema it checks what a schema cannot: ruleIndex points at the rule with that id,
locations point into files that exist, at lines they have.

Exit 0 on success, 1 on failure, 77 (skipped) without python3-jsonschema.
"""
import argparse
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("skipped: python3-jsonschema is not installed")
    sys.exit(77)

MESSAGE = {"type": "object", "additionalProperties": False, "required": ["text"],
           "properties": {"text": {"type": "string", "minLength": 1}}}
REGION = {"type": "object", "additionalProperties": False, "required": ["startLine"],
          "properties": {k: {"type": "integer", "minimum": 1}
                         for k in ("startLine", "startColumn", "endLine", "endColumn")}}
PHYSICAL = {"type": "object", "additionalProperties": False, "required": ["artifactLocation"],
            "properties": {
                "artifactLocation": {"type": "object", "additionalProperties": False,
                                     "required": ["uri"],
                                     "properties": {"uri": {"type": "string",
                                                            "pattern": r"^[A-Za-z0-9\-._~/%]+$"}}},
                "region": REGION}}
LEVEL = {"enum": ["none", "note", "warning", "error"]}
SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "additionalProperties": False, "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["tool"],
            "properties": {
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "tool": {"type": "object", "additionalProperties": False, "required": ["driver"],
                         "properties": {"driver": {
                             "type": "object", "additionalProperties": False,
                             "required": ["name"],
                             "properties": {
                                 "name": {"type": "string"}, "fullName": {"type": "string"},
                                 "version": {"type": "string"},
                                 "rules": {"type": "array", "items": {
                                     "type": "object", "additionalProperties": False,
                                     "required": ["id"],
                                     "properties": {
                                         "id": {"type": "string", "pattern": r"^IDP-(P2|CA|APP)-\d{3}$"},
                                         "name": {"type": "string"},
                                         "shortDescription": MESSAGE,
                                         "fullDescription": MESSAGE,
                                         "help": MESSAGE,
                                         "defaultConfiguration": {
                                             "type": "object", "additionalProperties": False,
                                             "properties": {"level": LEVEL}},
                                         "properties": {"type": "object"}}}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "kind": {"enum": ["notApplicable", "pass", "fail", "review", "open",
                                          "informational"]},
                        "level": LEVEL,
                        "message": MESSAGE,
                        "locations": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"physicalLocation": PHYSICAL}}},
                        "relatedLocations": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"id": {"type": "integer", "minimum": -1},
                                           "physicalLocation": PHYSICAL, "message": MESSAGE}}}}}}}}}},
}


def check(idpc, args, cwd):
    p = subprocess.run([idpc, "check", "--format", "sarif"] + args, cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode not in (0, 1):
        print(f"FAIL: idpc check exited {p.returncode}: {p.stderr.decode()}")
        return False
    log = json.loads(p.stdout)
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(log), key=str)
    for e in errors:
        print(f"FAIL ({' '.join(args)}): {'/'.join(map(str, e.absolute_path))}: {e.message}")
    if errors:
        return False
    # the subset schema must reject what SARIF rejects: an invented property, a bad level
    for mutate in (lambda l: l["runs"][0]["results"][0].__setitem__("severity", "error"),
                   lambda l: l["runs"][0]["results"][0].__setitem__("level", "fatal"),
                   lambda l: l["runs"][0].__delitem__("tool")):
        bad = json.loads(p.stdout)
        mutate(bad)
        if jsonschema.Draft7Validator(SCHEMA).is_valid(bad):
            print("FAIL: the schema accepts an invalid log")
            return False
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ok = True
    if len({r["id"] for r in rules}) != len(rules):
        print("FAIL: duplicate rule ids")
        ok = False
    for res in run["results"]:
        if "ruleIndex" in res and rules[res["ruleIndex"]]["id"] != res.get("ruleId"):
            print(f"FAIL: ruleIndex {res['ruleIndex']} is not rule {res.get('ruleId')}")
            ok = False
        if res.get("kind", "fail") != "fail" and res["level"] != "none":
            print(f"FAIL: a {res['kind']} result must have level none")
            ok = False
        for loc in res.get("locations", []) + res.get("relatedLocations", []):
            pl = loc.get("physicalLocation")
            if not pl:
                continue
            path = os.path.join(cwd, pl["artifactLocation"]["uri"])
            if not os.path.isfile(path):
                print(f"FAIL: location {path} does not exist")
                ok = False
                continue
            with open(path, encoding="utf-8") as f:
                nlines = len(f.read().split("\n"))
            if pl["region"]["startLine"] > nlines:
                print(f"FAIL: {path} has no line {pl['region']['startLine']}")
                ok = False
    kinds = {r.get("kind", "fail") for r in run["results"]}
    if "review" not in kinds:  # the manual criteria are always there
        print(f"FAIL: expected the manual criteria among the results, got {kinds}")
        ok = False
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True, help="the source tree")
    a = ap.parse_args()
    here = os.path.join(a.root, "tests", "golden", "check")
    ok = check(a.idpc, [os.path.join("..", "..", "..", "policies", "contoso")], here)
    ok = check(a.idpc, ["gaps.idp"], here) and ok
    print("sarif structure: ok" if ok else "sarif structure: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
