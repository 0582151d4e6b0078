#!/usr/bin/env python3
"""Schema conformance: every compiled Graph body validates against Microsoft Graph v1.0.

Compiles every tests/golden/compile/*.idp (and policies/contoso when it has .idp files) with
`idpc compile`, replaces every symbolic reference {"$ref": ...} by a placeholder GUID (what plan
time resolution would put there), and validates each object's body with python3 jsonschema:

  conditionalAccessPolicy       -> $IDPC_SHARED_DIR/graph/schema/conditionalAccessPolicy.schema.json
  namedLocation                 -> namedLocation.schema.json
  authenticationStrengthPolicy  -> authenticationStrengthPolicy.schema.json
  authenticationContextClassReference -> the type of that name in the $defs those files share
  unifiedRoleManagementPolicy, authenticationMethodConfiguration, authenticationMethodsPolicy,
  groupSetting, groupLifecyclePolicy, onPremisesDirectorySynchronization, adminConsentRequestPolicy,
  authorizationPolicy, unifiedRoleAssignmentScheduleRequest (a time-bound active assignment:
  extra.request), user
                                -> tests/golden/schema/<kind>.schema.json (in this repository,
                                   written from the Graph v1.0 reference pages; --local)

The schemas are strict v1.0 (additionalProperties false), so a beta-only or misspelt property
fails. Without jsonschema or without the shared folder the test prints "skipped: <reason>" and
exits 77 (ctest SKIP_RETURN_CODE), never a silent pass. With --local it checks only the
repository's own schemas (tests/golden/schema) and needs no shared folder (ctest
golden.schema_local).
"""
import argparse
import glob
import json
import os
import subprocess
import sys

SKIP = 77
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"
SCHEMAS = {
    "conditionalAccessPolicy": "conditionalAccessPolicy.schema.json",
    "namedLocation": "namedLocation.schema.json",
    "authenticationStrengthPolicy": "authenticationStrengthPolicy.schema.json",
}
# Kinds validated against a type of the shared $defs (the same CSDL fragment) rather than a root.
DEF_KINDS = {
    "authenticationContextClassReference": "authenticationContextClassReference",
}
LOCAL_SCHEMAS = {
    "unifiedRoleManagementPolicy": "unifiedRoleManagementPolicy.schema.json",
    "authenticationMethodConfiguration": "authenticationMethodConfiguration.schema.json",
    "authenticationMethodsPolicy": "authenticationMethodsPolicy.schema.json",
    "groupSetting": "groupSetting.schema.json",
    "groupLifecyclePolicy": "groupLifecyclePolicy.schema.json",
    "onPremisesDirectorySynchronization": "onPremisesDirectorySynchronization.schema.json",
    "adminConsentRequestPolicy": "adminConsentRequestPolicy.schema.json",
    "authorizationPolicy": "authorizationPolicy.schema.json",
    "unifiedRoleAssignmentScheduleRequest": "unifiedRoleAssignmentScheduleRequest.schema.json",
    "user": "user.schema.json",
}


# Bodies the local schemas must reject (each schema can fail: a beta-only or misspelt property, a
# wrong value type or format, a type v1.0 does not have).
MUST_FAIL = [
    ("onPremisesDirectorySynchronization", {"configuration": {"synchronizationInterval": "PT30M"}}),
    ("onPremisesDirectorySynchronization", {"features": {"passwordSyncEnabled": "yes"}}),
    ("onPremisesDirectorySynchronization", {"features": {"passwordHashSyncEnabled": True}}),
    ("groupSetting", {"templateId": "5cf42378-d67d-4f36-ba46-e8b86229381d",
                      "values": [{"name": "EnableGroupCreation", "value": "True"}]}),
    ("groupLifecyclePolicy", {"groupLifetimeInDays": 10}),
    ("groupLifecyclePolicy", {"groupLifetimeInDays": 180, "managedGroupTypes": "Some"}),
    ("authenticationMethodConfiguration",
     {"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration",
      "id": "HardwareOath", "state": "enabled"}),
    ("authenticationMethodConfiguration",
     {"@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
      "id": "X509Certificate", "certificateUserBindings": [
          {"priority": 1, "userProperty": "mail", "x509CertificateField": "PrincipalName"}]}),
    ("authenticationMethodsPolicy", {"registrationEnforcement": {
        "authenticationMethodsRegistrationCampaign": {"snoozeDurationInDays": 30}}}),
]


def resolve_refs(v):
    """A copy of v with every {"$ref": ...} object replaced by a placeholder id."""
    if isinstance(v, dict):
        if "$ref" in v:
            # a reference inside a path (reviewer queries) keeps its prefix and suffix
            return v.get("prefix", "") + PLACEHOLDER + v.get("suffix", "")
        return {k: resolve_refs(x) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve_refs(x) for x in v]
    return v


def compile_model(idpc, path, cwd):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    p = subprocess.run([idpc, "compile", path], cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace")
    return json.loads(p.stdout), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True, help="the tests/golden directory")
    ap.add_argument("--contoso", help="policies/contoso (compiled when it has .idp files)")
    ap.add_argument("--local", action="store_true",
                    help="only this repository's schemas (tests/golden/schema); needs no shared "
                    "folder")
    a = ap.parse_args()

    try:
        import jsonschema
    except ImportError:
        print("skipped: python3 jsonschema is not installed (apt-get install python3-jsonschema)")
        return SKIP
    schemas = {}
    if a.local:
        local = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema")
        schemas.update({k: os.path.join(local, n) for k, n in LOCAL_SCHEMAS.items()})
    else:
        shared = os.environ.get("IDPC_SHARED_DIR")
        if not shared:
            print("skipped: IDPC_SHARED_DIR is not set")
            return SKIP
        schema_dir = os.path.join(shared, "graph", "schema")
        if not os.path.isdir(schema_dir):
            print(f"skipped: {schema_dir} does not exist")
            return SKIP
        schemas.update({k: os.path.join(schema_dir, n) for k, n in SCHEMAS.items()})
    validators = {}
    base = None
    for kind, name in schemas.items():
        with open(name) as f:
            schema = json.load(f)
        if kind in SCHEMAS:
            base = schema
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validators[kind] = cls(schema)
    for kind, name in DEF_KINDS.items() if base else ():
        schema = {"$schema": base["$schema"], "$ref": f"#/$defs/{name}", "$defs": base["$defs"]}
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validators[kind] = cls(schema)

    inputs = []
    compile_dir = os.path.join(os.path.abspath(a.root), "compile")
    for path in sorted(glob.glob(os.path.join(compile_dir, "*.idp"))):
        inputs.append((os.path.basename(path), compile_dir))
    if a.contoso and glob.glob(os.path.join(a.contoso, "*.idp")):
        inputs.append((os.path.abspath(a.contoso), os.getcwd()))
    if not inputs:
        print("FAIL: nothing to check: no tests/golden/compile/*.idp")
        return 1

    failures = 0
    checked = {k: 0 for k in validators}
    for kind, body in MUST_FAIL if a.local else ():
        if kind in validators and not list(validators[kind].iter_errors(body)):
            print(f"FAIL: the {kind} schema accepts {json.dumps(body)}")
            failures += 1
    for path, cwd in inputs:
        model, err = compile_model(a.idpc, path, cwd)
        if model is None:
            print(f"FAIL: idpc compile {path} failed:\n{err}")
            failures += 1
            continue
        for obj in model.get("objects", []):
            # a time-bound active assignment is a unifiedRoleAssignment of the model written as
            # the schedule request extra.request names
            kind = (obj.get("extra") or {}).get("request") or obj.get("kind")
            v = validators.get(kind)
            if v is None:
                continue
            body = resolve_refs(obj["body"])
            errors = sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))
            checked[kind] += 1
            for e in errors:
                where = "/".join(str(p) for p in e.absolute_path) or "(body)"
                print(f"FAIL: {path}: {kind} \"{obj.get('name')}\" ({obj.get('at')}): "
                      f"{where}: {e.message}")
                failures += 1
    summary = ", ".join(f"{n} {k}" for k, n in checked.items())
    print(f"checked {summary} from {len(inputs)} inputs; {failures} failures")
    if sum(checked.values()) == 0:
        print("FAIL: no object of a checked kind was compiled")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
