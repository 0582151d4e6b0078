#!/usr/bin/env python3
"""Generates a large configuration and a matching file-tenant snapshot for the plan benchmark.

  gen.py OUTDIR [--policies 195] [--locations 195] [--users 50000] [--groups 10000]

Writes OUTDIR/config/*.idp, OUTDIR/tenant.json (indented, as `idpc snapshot` writes it) and
OUTDIR/tenant-compact.json (the same document without whitespace). The tenant holds every user
and group (each group with a few members), every named location and policy of the
configuration, mostly in sync with it: one policy in ten and one location in twenty differ, so
that the plan has real work.
Deterministic (no randomness), so that runs compare.
"""
import argparse
import json
import os
import uuid

NS = uuid.UUID("0b6f7c1e-6a43-4e0f-9d4e-6a1c7a2b9e10")
TID = "5e0c8d2a-7b31-4f6e-a9c4-1d2e3f4a5b6c"


def gid(kind, n):
    return str(uuid.uuid5(NS, "%s:%s" % (kind, n)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--policies", type=int, default=195)
    ap.add_argument("--locations", type=int, default=195)  # Entra allows 195 named locations
    ap.add_argument("--users", type=int, default=50000)
    ap.add_argument("--groups", type=int, default=10000)
    ap.add_argument("--ranges", type=int, default=3, help="IP ranges per location (at most 2000)")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "config"), exist_ok=True)

    upn = lambda i: "user%05d@bench.example.com" % i
    gname = lambda i: "Group %05d" % i
    lname = lambda i: "Site %04d" % i
    # a /24 per range, counting up from 52.0.0.0/24 (valid up to about 11 million ranges)
    stride = max(4, a.ranges)
    cidr = lambda i, k: "%d.%d.%d.0/24" % (52 + (i * stride + k) // 65536,
                                           (i * stride + k) // 256 % 256, (i * stride + k) % 256)

    # ---- configuration ----
    with open(os.path.join(a.out, "config", "tenant.idp"), "w") as f:
        f.write('tenant "bench.onmicrosoft.com"\n')
        f.write('emergency_access user "%s", user "%s"\n' % (upn(0), upn(1)))
        f.write("manage exclusively policies, locations\n")
    with open(os.path.join(a.out, "config", "locations.idp"), "w") as f:
        for i in range(a.locations):
            f.write('location "%s" {\n  ip %s\n}\n\n' % (lname(i), ", ".join('"%s"' % cidr(i, k) for k in range(a.ranges))))
    with open(os.path.join(a.out, "config", "policies.idp"), "w") as f:
        for i in range(a.policies):
            f.write('policy "CA%03d: Require MFA for group block %d" {\n' % (i, i))
            f.write('  state %s\n' % ("on" if i % 3 else "report_only"))
            groups = ", ".join('group "%s"' % gname((i * 7 + k) % a.groups) for k in range(5))
            f.write("  users include %s\n" % groups)
            f.write('  users exclude user "%s", user "%s", user "%s"\n' % (upn(0), upn(1), upn(2 + i)))
            f.write("  apps include all\n")
            f.write('  locations include all\n  locations exclude location "%s", location "%s"\n'
                    % (lname(i % a.locations), lname((i * 13 + 1) % a.locations)))
            f.write("  client_apps browser, mobile_desktop\n" if i % 2 else "")
            f.write("  grant mfa\n}\n\n")

    # ---- tenant snapshot ----
    users = [{"id": gid("u", i), "businessPhones": [], "displayName": "User %05d" % i,
              "givenName": "User", "jobTitle": None, "mail": upn(i), "mobilePhone": None,
              "officeLocation": None, "preferredLanguage": None, "surname": "%05d" % i,
              "userPrincipalName": upn(i)} for i in range(a.users)]
    groups = [{"id": gid("g", i), "deletedDateTime": None, "classification": None,
               "createdDateTime": "2022-01-01T00:00:00Z", "creationOptions": [],
               "description": "Benchmark group %d" % i, "displayName": gname(i),
               "expirationDateTime": None, "groupTypes": [], "isAssignableToRole": None,
               "mail": None, "mailEnabled": False, "mailNickname": "group%05d" % i,
               "membershipRule": None, "membershipRuleProcessingState": None,
               "onPremisesSyncEnabled": None, "preferredDataLocation": None,
               "proxyAddresses": [], "renewedDateTime": "2022-01-01T00:00:00Z",
               "securityEnabled": True, "securityIdentifier": "S-1-12-1-%d" % i,
               "visibility": None} for i in range(a.groups)]
    coll = {
        "organization": [{"id": TID, "displayName": "Bench", "onPremisesSyncEnabled": None,
                          "verifiedDomains": [{"name": "bench.onmicrosoft.com", "isDefault": True, "isInitial": True}]}],
        "users": users,
        "groups": groups,
    }
    for i in range(0, a.groups, 10):
        coll["groups/%s/members" % gid("g", i)] = [
            {"@odata.type": "#microsoft.graph.user", "id": gid("u", (i * 5 + k) % a.users),
             "displayName": "User %05d" % ((i * 5 + k) % a.users)} for k in range(5)]
    locations = []
    for i in range(a.locations):
        ranges = [cidr(i, k) for k in range(a.ranges if i % 20 else a.ranges - 1)]
        locations.append({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": gid("l", i),
                          "displayName": lname(i), "modifiedDateTime": "2023-01-01T00:00:00Z",
                          "createdDateTime": "2023-01-01T00:00:00Z", "isTrusted": False,
                          "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": r} for r in ranges]})
    policies = []
    for i in range(a.policies):
        policies.append({
            "id": gid("p", i), "templateId": None,
            "displayName": "CA%03d: Require MFA for group block %d" % (i, i),
            "createdDateTime": "2023-01-01T00:00:00Z", "modifiedDateTime": None,
            "state": ("enabled" if i % 3 else "enabledForReportingButNotEnforced") if i % 10 else "disabled",
            "conditions": {
                "userRiskLevels": [], "signInRiskLevels": [],
                "clientAppTypes": ["browser", "mobileAppsAndDesktopClients"] if i % 2 else ["all"],
                "servicePrincipalRiskLevels": [], "insiderRiskLevels": None, "platforms": None,
                "locations": {"includeLocations": ["All"],
                              "excludeLocations": [gid("l", (i * 13 + 1) % a.locations), gid("l", i % a.locations)]},
                "devices": None, "clientApplications": None, "authenticationFlows": None,
                "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": [],
                                 "includeAuthenticationContextClassReferences": [], "applicationFilter": None},
                "users": {"includeUsers": [], "excludeUsers": [gid("u", 2 + i), gid("u", 1), gid("u", 0)],
                          "includeGroups": [gid("g", (i * 7 + k) % a.groups) for k in range(5)],
                          "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                          "includeGuestsOrExternalUsers": None, "excludeGuestsOrExternalUsers": None}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [],
                              "termsOfUse": [], "authenticationStrength@odata.context": "x", "authenticationStrength": None},
            "sessionControls": None})
    coll.update({
        "servicePrincipals": [], "subscribedSkus": [],
        "roleManagement/directory/roleDefinitions": [], "roleManagement/directory/roleAssignments": [],
        "roleManagement/directory/roleEligibilitySchedules": [],
        "identity/conditionalAccess/policies": policies,
        "identity/conditionalAccess/namedLocations": locations,
        "policies/authenticationStrengthPolicies": [],
        "groupSettings": [],
    })
    doc = {"format": "idpc-tenant/1", "tenantId": TID, "collections": coll}
    with open(os.path.join(a.out, "tenant.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(a.out, "tenant-compact.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
