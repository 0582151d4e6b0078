#!/usr/bin/env python3
"""Generates a large tenant (file-tenant format, for the Graph emulator's --state) and a matching
idpc configuration: POLICIES Conditional Access policies that each include a group and exclude a
user, chosen among USERS users and GROUPS groups. Deterministic (ids are derived from names).

Usage: gen_tenant.py OUT_DIR --policies N [--users N] [--groups N] [--existing N]
Writes OUT_DIR/tenant.json and OUT_DIR/config/policies.idp. With --existing K, the first K
policies already exist in the tenant (K/2 of them in sync, the rest with another state), so
that the plan has creates and updates.
"""
import argparse
import json
import os
import uuid

NS = uuid.UUID("6c1d3a1e-0c55-4f7e-9a35-0d6f8a2b1c00")
DOMAIN = "gen.onmicrosoft.com"
TENANT_ID = str(uuid.uuid5(NS, "tenant"))


def gid(kind, name):
    return str(uuid.uuid5(NS, kind + ":" + name))


def user(i):
    upn = "user%05d@%s" % (i, DOMAIN)
    return {"id": gid("user", upn), "displayName": "User %05d" % i, "userPrincipalName": upn,
            "userType": "Member", "accountEnabled": True, "mail": None}


def group(i):
    name = "Team %04d" % i
    return {"id": gid("group", name), "deletedDateTime": None, "classification": None,
            "createdDateTime": "2024-01-01T00:00:00Z", "description": None,
            "displayName": name, "expirationDateTime": None, "groupTypes": [],
            "isAssignableToRole": None, "mail": None, "mailEnabled": False,
            "mailNickname": "team%04d" % i, "membershipRule": None,
            "membershipRuleProcessingState": None, "onPremisesSyncEnabled": None,
            "proxyAddresses": [], "renewedDateTime": "2024-01-01T00:00:00Z",
            "securityEnabled": True, "securityIdentifier": "S-1-12-1-%d" % i, "theme": None,
            "visibility": None}


def policy_name(i):
    return "GEN%03d: Require MFA for team %04d" % (i, i)


def policy_refs(i, nusers, ngroups):
    return (i * 7919) % ngroups, (i * 104729) % nusers


def graph_policy(i, nusers, ngroups, state):
    g, u = policy_refs(i, nusers, ngroups)
    return {
        "id": gid("policy", policy_name(i)), "displayName": policy_name(i), "state": state,
        "createdDateTime": "2024-02-01T00:00:00Z", "modifiedDateTime": None, "templateId": None,
        "conditions": {
            "applications": {"includeApplications": ["All"], "excludeApplications": [],
                             "includeUserActions": [],
                             "includeAuthenticationContextClassReferences": [],
                             "applicationFilter": None},
            "users": {"includeUsers": [], "excludeUsers": [user(u)["id"]],
                      "includeGroups": [group(g)["id"]], "excludeGroups": [], "includeRoles": [],
                      "excludeRoles": [], "includeGuestsOrExternalUsers": None,
                      "excludeGuestsOrExternalUsers": None},
            "clientApplications": None, "clientAppTypes": ["all"], "platforms": None,
            "locations": None, "devices": None, "signInRiskLevels": [], "userRiskLevels": [],
            "servicePrincipalRiskLevels": [], "insiderRiskLevels": None,
            "authenticationFlows": None},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"],
                          "customAuthenticationFactors": [], "termsOfUse": [],
                          "authenticationStrength": None},
        "sessionControls": None,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--policies", type=int, required=True)
    ap.add_argument("--users", type=int, default=50000)
    ap.add_argument("--groups", type=int, default=2000)
    ap.add_argument("--existing", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "config"), exist_ok=True)
    pols = [graph_policy(i, a.users, a.groups,
                         "enabledForReportingButNotEnforced" if i % 2 == 0 else "disabled")
            for i in range(a.existing)]
    tenant = {
        "format": "idpc-tenant/1",
        "tenantId": TENANT_ID,
        "collections": {
            "organization": [{"id": TENANT_ID, "displayName": "Generated",
                              "verifiedDomains": [{"name": DOMAIN, "isDefault": True,
                                                   "isInitial": True, "type": "Managed",
                                                   "capabilities": "Email"}],
                              "onPremisesSyncEnabled": None, "onPremisesLastSyncDateTime": None}],
            "users": [user(i) for i in range(a.users)],
            "groups": [group(i) for i in range(a.groups)],
            "servicePrincipals": [],
            "identity/conditionalAccess/policies": pols,
            "identity/conditionalAccess/namedLocations": [],
        },
    }
    with open(os.path.join(a.out, "tenant.json"), "w") as f:
        json.dump(tenant, f, indent=1)
        f.write("\n")
    lines = ['tenant "%s"' % DOMAIN, "", "manage exclusively policies", ""]
    for i in range(a.policies):
        g, u = policy_refs(i, a.users, a.groups)
        lines += ['policy "%s" {' % policy_name(i),
                  "  state report_only",
                  '  users include group "Team %04d"' % g,
                  '  users exclude user "user%05d@%s"' % (u, DOMAIN),
                  "  apps include all",
                  "  grant mfa",
                  "}", ""]
    with open(os.path.join(a.out, "config", "policies.idp"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
