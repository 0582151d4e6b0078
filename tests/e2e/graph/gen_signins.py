#!/usr/bin/env python3
"""Generates a tenant with realistic sign-in logs, for `idpc replay` (tests and benchmarks).
Deterministic: the same arguments give the same bytes (random.Random(seed), ids from names).

The tenant (file-tenant format, also the Graph emulator's --state): USERS users, GROUPS groups
with direct members (each user in one to three groups), two named locations (a trusted office
range, a country list) and POLICIES Conditional Access policies in five realistic shapes (MFA
for a group, app protection on mobile for everyone, block legacy clients for a group, MFA at
medium or high sign-in risk, MFA outside trusted locations), in mixed states.

The sign-ins (Graph v1.0 signIn shape, "signIn resource type"): each by a tenant user, to one of
the common Microsoft 365 apps, from a browser, a modern client, Exchange ActiveSync or a legacy
protocol, on Windows/macOS/iOS/Android (registered and compliant or not), mostly from the user's
office or home address in their country and sometimes travelling, mostly without risk; spread
over the DAYS days before END, newest first. A few records lack deviceDetail or name a user the
tenant does not have, as real logs do. appliedConditionalAccessPolicies is empty (as Graph
returns it to a caller without the permission to read it).

Usage: gen_signins.py OUT_DIR [--users N] [--groups N] [--policies N] [--signins N]
                      [--embed] [--jsonl FILE] [--seed N]
  OUT_DIR/tenant.json           the tenant; with --embed its "auditLogs/signIns" holds the sign-ins
  OUT_DIR/proposed/changes.idp  a configuration change to replay (a new policy), for `idpc export`'s
                                output of the tenant plus this file
  --jsonl FILE                  the sign-ins as JSON lines, written as they are made (any size)
"""
import argparse
import json
import os
import random
import time
import uuid

NS = uuid.UUID("0e5d3c2b-1a09-4f8e-b7d6-c5b4a3928170")
DOMAIN = "replay.onmicrosoft.com"
TENANT_ID = str(uuid.uuid5(NS, "tenant"))
END = "2026-11-30T23:59:59Z"
OFFICE = "198.51.100.0/24"

APPS = [  # (appId, name, resourceId, resource name, weight)
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online",
     "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", 30),
    ("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online",
     "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", 20),
    ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams",
     "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams", 25),
    ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome",
     "00000003-0000-0000-c000-000000000000", "Microsoft Graph", 15),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal",
     "797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API", 3),
    ("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office",
     "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", 7),
]
CLIENTS = [("Browser", 45), ("Mobile Apps and Desktop clients", 48), ("Exchange ActiveSync", 3),
           ("IMAP4", 2), ("Authenticated SMTP", 2)]
OSES = [("Windows10", "Edge 124.0.0", 55), ("MacOs", "Safari 17.4", 12), ("Ios 17.4", "", 18),
        ("Android 14", "", 15)]
COUNTRIES = ["FR", "DE", "US", "GB", "ES", "IT", "NL"]
TRAVEL = ["JP", "BR", "IN", "CA", "AU", "MX", "ZA"]


def gid(kind, name):
    return str(uuid.uuid5(NS, kind + ":" + name))


def pick(rng, items):
    return rng.choices(items, weights=[i[-1] for i in items])[0]


def upn(i):
    return "user%05d@%s" % (i, DOMAIN)


def user(i):
    return {"id": gid("user", upn(i)), "displayName": "User %05d" % i,
            "userPrincipalName": upn(i), "userType": "Member", "accountEnabled": True,
            "mail": upn(i), "usageLocation": COUNTRIES[i % len(COUNTRIES)]}


def group(i):
    name = "Team %04d" % i
    return {"id": gid("group", name), "displayName": name, "description": None,
            "groupTypes": [], "mailEnabled": False, "mailNickname": "team%04d" % i,
            "securityEnabled": True, "isAssignableToRole": None, "membershipRule": None,
            "membershipRuleProcessingState": None, "visibility": None,
            "createdDateTime": "2024-01-01T00:00:00Z"}


def cond(users, apps=None, clients=None, platforms=None, locations=None, risk=None):
    return {
        "applications": {"includeApplications": apps or ["All"], "excludeApplications": [],
                         "includeUserActions": [],
                         "includeAuthenticationContextClassReferences": [],
                         "applicationFilter": None},
        "users": dict({"includeUsers": [], "excludeUsers": [], "includeGroups": [],
                       "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                       "includeGuestsOrExternalUsers": None,
                       "excludeGuestsOrExternalUsers": None}, **users),
        "clientApplications": None, "clientAppTypes": clients or ["all"],
        "platforms": platforms, "locations": locations, "devices": None,
        "signInRiskLevels": risk or [], "userRiskLevels": [], "servicePrincipalRiskLevels": [],
        "insiderRiskLevels": None, "authenticationFlows": None}


def policy(i, nusers, ngroups, loc_id):
    g = gid("group", "Team %04d" % ((i * 7919) % ngroups))
    u = gid("user", upn((i * 104729) % nusers))
    shape = i % 5
    grant = ["mfa"]
    if shape == 0:
        c = cond({"includeGroups": [g], "excludeUsers": [u]})
        name = "GEN%03d: Require MFA for a team" % i
    elif shape == 1:
        c = cond({"includeUsers": ["All"], "excludeGroups": [g]}, apps=["Office365"],
                 platforms={"includePlatforms": ["android", "iOS"], "excludePlatforms": []})
        grant = ["compliantApplication"]
        name = "GEN%03d: App protection on mobile" % i
    elif shape == 2:
        c = cond({"includeGroups": [g]}, clients=["exchangeActiveSync", "other"])
        grant = ["block"]
        name = "GEN%03d: Block legacy clients for a team" % i
    elif shape == 3:
        c = cond({"includeUsers": ["All"], "excludeUsers": [u]}, risk=["medium", "high"])
        name = "GEN%03d: MFA at medium or high sign-in risk" % i
    else:
        c = cond({"includeGroups": [g]},
                 locations={"includeLocations": ["All"], "excludeLocations": [loc_id]})
        name = "GEN%03d: MFA outside the office" % i
    state = ["enabled", "enabled", "enabledForReportingButNotEnforced", "disabled"][i % 4]
    return {"id": gid("policy", name), "displayName": name, "state": state,
            "createdDateTime": "2024-02-01T00:00:00Z", "modifiedDateTime": None,
            "templateId": None, "conditions": c,
            "grantControls": {"operator": "OR", "builtInControls": grant,
                              "customAuthenticationFactors": [], "termsOfUse": [],
                              "authenticationStrength": None},
            "sessionControls": None}


def tenant(a):
    rng = random.Random(a.seed)
    users = [user(i) for i in range(a.users)]
    groups = [group(i) for i in range(a.groups)]
    members = {g["id"]: [] for g in groups}
    for u in users:
        for g in rng.sample(groups, rng.randint(1, min(3, len(groups)))):
            members[g["id"]].append({"@odata.type": "#microsoft.graph.user", "id": u["id"],
                                     "displayName": u["displayName"],
                                     "userPrincipalName": u["userPrincipalName"]})
    office = {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": gid("location", "Office"),
              "displayName": "Office", "isTrusted": True, "createdDateTime": None,
              "modifiedDateTime": None,
              "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                            "cidrAddress": OFFICE}]}
    countries = {"@odata.type": "#microsoft.graph.countryNamedLocation",
                 "id": gid("location", "Blocked countries"), "displayName": "Blocked countries",
                 "countriesAndRegions": ["KP", "IR"], "includeUnknownCountriesAndRegions": False,
                 "countryLookupMethod": "clientIpAddress", "createdDateTime": None,
                 "modifiedDateTime": None}
    coll = {
        "organization": [{"id": TENANT_ID, "displayName": "Replay",
                          "verifiedDomains": [{"name": DOMAIN, "isDefault": True,
                                               "isInitial": True, "type": "Managed",
                                               "capabilities": "Email"}],
                          "onPremisesSyncEnabled": None, "onPremisesLastSyncDateTime": None}],
        "users": users, "groups": groups, "servicePrincipals": [],
        "identity/conditionalAccess/policies": [policy(i, a.users, a.groups, office["id"])
                                                for i in range(a.policies)],
        "identity/conditionalAccess/namedLocations": [office, countries],
    }
    for gidv, m in members.items():
        coll["groups/%s/members" % gidv] = m
    return {"format": "idpc-tenant/1", "tenantId": TENANT_ID, "collections": coll}


def signins(a):
    """Yields the sign-in records, newest first. Per-user values are made once (uuid5 is slow)
    and record ids count up, so that a million records take a minute, not an hour."""
    rng = random.Random(a.seed + 1)
    end = 1796083199  # END as a Unix time
    span = a.days * 86400
    cache = {}
    for n in range(a.signins):
        t = end - (n * span) // max(a.signins, 1)
        i = rng.randrange(a.users)
        if i not in cache:
            # each user has a PC and a phone, each registered (and compliant) or not, for good
            urng = random.Random(i)
            devices = []
            for kind, oses in (("PC", OSES[:2]), ("PHONE", OSES[2:])):
                os_name, browser, _ = pick(urng, oses)
                registered = urng.random() < (0.8 if kind == "PC" else 0.5)
                devices.append((os_name, browser, gid("device", "%s%d" % (kind, i)),
                                "%s-%05d" % (kind, i), registered,
                                registered and urng.random() < 0.8))
            cache[i] = (user(i), devices)
        u, devices = cache[i]
        app = pick(rng, APPS)
        client = pick(rng, CLIENTS)[0]
        os_name, browser, dev_id, dev_name, registered, compliant = \
            devices[0 if rng.random() < 0.6 else 1]
        home = u["usageLocation"]
        r = rng.random()
        if r < 0.55:
            ip, country = "198.51.100.%d" % (1 + i % 250), home  # at the office
        elif r < 0.95:
            ip, country = "203.0.%d.%d" % (i % 200, 1 + (i * 7) % 250), home  # at home
        else:
            ip, country = "192.0.2.%d" % (1 + rng.randrange(250)), rng.choice(TRAVEL)
        risk = rng.choices(["none", "low", "medium", "high"], weights=[950, 30, 15, 5])[0]
        rec = {
            "id": "%08x-5e1f-4a00-8000-%012x" % (a.seed, n),
            "createdDateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)),
            "userDisplayName": u["displayName"], "userPrincipalName": u["userPrincipalName"],
            "userId": u["id"], "appId": app[0], "appDisplayName": app[1],
            "ipAddress": ip, "clientAppUsed": client,
            "correlationId": "%08x-c0de-4a00-8000-%012x" % (a.seed, n),
            "conditionalAccessStatus": "notApplied",
            "isInteractive": client == "Browser", "riskDetail": "none",
            "riskLevelAggregated": risk, "riskLevelDuringSignIn": risk, "riskState": "none",
            "riskEventTypes_v2": [], "resourceDisplayName": app[3], "resourceId": app[2],
            "status": {"errorCode": 0, "failureReason": "Other.", "additionalDetails": None},
            "deviceDetail": {"deviceId": dev_id if registered else "",
                             "displayName": dev_name if registered else "",
                             "operatingSystem": os_name, "browser": browser,
                             "isCompliant": compliant,
                             "isManaged": registered,
                             "trustType": "Azure AD joined" if registered else ""},
            "location": {"city": "", "state": "", "countryOrRegion": country,
                         "geoCoordinates": {"altitude": None, "latitude": None,
                                            "longitude": None}},
            "appliedConditionalAccessPolicies": [],
        }
        if n % 997 == 5:
            del rec["deviceDetail"]  # some records come without device detail
        if n % 1499 == 7:
            rec["userId"] = gid("user", "deleted%d" % n)  # a user since deleted
            rec["userPrincipalName"] = "deleted%d@%s" % (n, DOMAIN)
        yield rec


PROPOSED = """# The change under review: block legacy authentication for everyone, and require MFA for
# every Office 365 sign-in from outside the office.
policy "NEW1: Block legacy authentication" {
  state on
  users include all
  apps include all
  client_apps exchange_active_sync, other
  grant block
}

policy "NEW2: Require MFA for Office 365 outside the office" {
  state on
  users include all
  apps include office365
  locations include all
  locations exclude location "Office"
  grant mfa
}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--groups", type=int, default=100)
    ap.add_argument("--policies", type=int, default=195)
    ap.add_argument("--signins", type=int, default=1000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--embed", action="store_true")
    ap.add_argument("--jsonl")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "proposed"), exist_ok=True)
    t = tenant(a)
    if a.embed:
        t["collections"]["auditLogs/signIns"] = list(signins(a))
    with open(os.path.join(a.out, "tenant.json"), "w") as f:
        json.dump(t, f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(a.out, "proposed", "changes.idp"), "w") as f:
        f.write(PROPOSED)
    if a.jsonl:
        with open(a.jsonl, "w") as f:
            for rec in signins(a):
                f.write(json.dumps(rec, separators=(",", ":")))
                f.write("\n")


if __name__ == "__main__":
    main()
