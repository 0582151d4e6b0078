#!/usr/bin/env python3
"""Writes policies/contoso-signins.jsonl: a hand-made sign-in log for the Contoso tenant
(policies/contoso-tenant.json), one Graph v1.0 signIn record per line ("signIn resource type").

Every record below was chosen by hand to show one thing `idpc replay policies/contoso` must
explain, and its appliedConditionalAccessPolicies were written by hand from Microsoft's documented
rules, NOT computed by idpc:

  - a policy applies when every assignment and condition holds ("Building a Conditional Access
    policy"); exclusions win over inclusions ("Users and groups": "exclusions take precedence");
  - result "success"/"failure" for an enabled policy that applied (failure: the grant was not
    met, or block), "notApplied" when a condition did not hold, "notEnabled" for an off policy;
    report-only policies give reportOnlySuccess / reportOnlyFailure / reportOnlyNotApplied
    ("appliedConditionalAccessPolicy resource type"; "Report-only mode");
  - client apps: IMAP4 and other legacy protocols are "Other clients" ("Conditions": Client apps).

`APPLIED` lists, per record, the tenant policies that applied and their result; every other
tenant policy gets the not-applied result of its state (notApplied, reportOnlyNotApplied,
notEnabled). The comment above each record says what the replay shows for it.

Usage: make_contoso_signins.py TENANT.json OUTPUT.jsonl   (from the repository root)
       make_contoso_signins.py TENANT.json OUTPUT.jsonl --planted   (one planted disagreement)
"""
import json
import sys

EXO = ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online")
SPO = ("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online")
GRAPH = ("00000003-0000-0000-c000-000000000000", "Microsoft Graph")
TEAMS = ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams")
AZURE_PORTAL = ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal")
ARM = ("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API")
AAD_CONNECT = ("cb1056e2-e479-49de-ae31-7812af012ed8", "Microsoft Azure Active Directory Connect")

USERS = {
    "adele": ("cfed9184-ce4b-55c3-9f81-e0b2916af19e", "adele.vance@contoso.com", "Adele Vance"),
    "alice": ("58331a13-fe49-519f-95ac-480f972c3446", "admin-alice@contoso.onmicrosoft.com",
              "Admin Alice"),
    "bob": ("8c7f148d-f0a6-592f-8d45-150e6c16fa12", "admin-bob@contoso.onmicrosoft.com",
            "Admin Bob"),
    "fay": ("2fbc6ba0-c012-5513-b51a-c919948bea12", "admin-fay@contoso.onmicrosoft.com",
            "Admin Fay"),
    "alex": ("4f1ff9af-530a-5ab7-9cce-eda96d0d32be", "alex.wilber@contoso.com", "Alex Wilber"),
    "bg1": ("da5e2ad2-ab43-5a72-8ecf-ee7bbafd7254", "bg1@contoso.onmicrosoft.com",
            "Break Glass 1"),
    "joni": ("d6c0fa88-140a-5336-8a64-76fa9ad86e5a", "joni.sherman@contoso.com", "Joni Sherman"),
    "lee": ("e0357c54-9f81-5e30-abca-b1150b314248", "lee.gu@contoso.com", "Lee Gu"),
    "megan": ("e931f8a4-ee33-5dcb-973a-b7874114fde7", "megan.bowen@contoso.com", "Megan Bowen"),
    "nestor": ("e4ef6856-ec8b-507f-95fa-b9a3339a858c", "nestor.wilke@contoso.com",
               "Nestor Wilke"),
    "sync": ("8ab93487-28a4-5bfd-9aa2-63b8984084d2",
             "Sync_PARIS-DC01_4f1b2c3d5e6a@contoso.onmicrosoft.com", "On-Premises Directory "
             "Synchronization Service Account"),
}

HYBRID_PC = {"deviceId": "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "displayName": "PAR-PC-0142",
             "operatingSystem": "Windows10", "browser": "Edge 124.0.0", "isCompliant": True,
             "isManaged": True, "trustType": "Hybrid Azure AD joined"}
UNREGISTERED = {"deviceId": "", "displayName": "", "operatingSystem": "", "browser": "",
                "isCompliant": False, "isManaged": False, "trustType": ""}


def device(os_name, browser="", **kw):
    d = {"deviceId": "", "displayName": "", "operatingSystem": os_name, "browser": browser,
         "isCompliant": False, "isManaged": False, "trustType": ""}
    d.update(kw)
    return d


def loc(city, country):
    return {"city": city, "state": "", "countryOrRegion": country,
            "geoCoordinates": {"altitude": None, "latitude": None, "longitude": None}}


PARIS = loc("Paris", "FR")
BERLIN = loc("Berlin", "DE")
SEATTLE = loc("Seattle", "US")
TEHRAN = loc("Tehran", "IR")

# (comment, user, app, resource, client, device, location, ip, risk, {policy prefix: result})
RECORDS = [
    # Adele reads mail in a browser at HQ: MFA today (Legacy), MFA under CA015. No change.
    ("adele", EXO, EXO, "Browser", HYBRID_PC, PARIS, "198.51.100.23", "none",
     {"Legacy": "success"}),
    # Alice (Global Administrator, Admin Accounts) opens the Azure portal: today CA003's MFA
    # strength (CA001 is report-only); proposed, CA001 is on with the phishing-resistant strength.
    ("alice", AZURE_PORTAL, ARM, "Browser", HYBRID_PC, PARIS, "198.51.100.40", "none",
     {"CA001": "reportOnlySuccess", "CA003": "success", "Legacy": "success"}),
    # Joni's old mail client uses IMAP: blocked today (ca005) and by CA005. No change; the record
    # has no platform (legacy protocols report none).
    ("joni", EXO, EXO, "IMAP4", UNREGISTERED, SEATTLE, "203.0.113.210", "none",
     {"ca005": "failure"}),
    # Megan (executive staff) with a low-risk sign-in on her iPhone: MFA today (Legacy) and under
    # CA101 and CA015. No change in the grant.
    ("megan", SPO, SPO, "Mobile Apps and Desktop clients", device("Ios 17.4"), PARIS,
     "198.51.100.61", "low", {"Legacy": "success"}),
    # Lee signs in from Iran: MFA today; CA011 blocks the embargoed countries. Newly blocked.
    ("lee", EXO, EXO, "Browser", device("Windows10", "Chrome 125.0.0"), TEHRAN, "5.160.12.9",
     "none", {"Legacy": "success"}),
    # The Entra Connect account from a Seattle address: the Legacy policy asks it for MFA today;
    # proposed, CA013 blocks it outside the corporate network. Newly blocked.
    ("sync", AAD_CONNECT, GRAPH, "Mobile Apps and Desktop clients", device("Windows Server 2022"),
     SEATTLE, "203.0.113.200", "none", {"Legacy": "success"}),
    # The same account from the Paris datacenter: MFA today (Legacy); proposed, every policy for
    # all users leaves the sync account out and CA013 spares the corporate network. Newly allowed
    # without MFA, as the configuration intends (it cannot do MFA).
    ("sync", AAD_CONNECT, GRAPH, "Mobile Apps and Desktop clients", device("Windows Server 2022"),
     PARIS, "198.51.100.10", "none", {"Legacy": "success"}),
    # bg1 (emergency access) in the Azure portal: every policy excludes it; Microsoft's own
    # portal MFA still applies. No change.
    ("bg1", AZURE_PORTAL, ARM, "Browser", HYBRID_PC, PARIS, "198.51.100.5", "none", {}),
    # Nestor at medium risk: MFA today (CA004, Legacy) and proposed (CA004, CA015). No change.
    ("nestor", SPO, SPO, "Browser", device("Windows10", "Edge 124.0.0"), BERLIN, "192.0.2.44",
     "medium", {"CA004": "success", "Legacy": "success"}),
    # Bob (Admin Accounts) at medium risk: blocked today (CA002) and proposed. No change.
    ("bob", EXO, EXO, "Browser", HYBRID_PC, PARIS, "198.51.100.41", "medium",
     {"CA001": "reportOnlySuccess", "CA002": "failure", "CA004": "success",
      "Legacy": "success"}),
    # Fay is an admin account the tenant's "Admin Accounts" group lacks (the configuration adds
    # her): MFA today; proposed, CA001 asks her for the phishing-resistant strength.
    ("fay", SPO, SPO, "Browser", device("MacOs", "Safari 17.4"), PARIS, "198.51.100.44", "none",
     {"Legacy": "success"}),
    # Alex in Teams on Android, and the record has no deviceDetail: counted as incomplete, and
    # evaluated with an unknown platform. MFA today and proposed. No change.
    ("alex", TEAMS, TEAMS, "Mobile Apps and Desktop clients", None, PARIS, "198.51.100.90",
     "none", {"Legacy": "success"}),
]

# Records whose inputs are incomplete and are not evaluated: a user the tenant no longer has,
# and a service principal (workload identity) sign-in.
EXTRA = [
    {"id": "7c0f6b9e-6a57-4f26-9d0e-000000000101", "createdDateTime": "2026-11-30T09:41:00Z",
     "userDisplayName": "Former Employee", "userPrincipalName": "former.employee@contoso.com",
     "userId": "0f0e0d0c-0b0a-4909-8807-060504030201", "appId": EXO[0], "appDisplayName": EXO[1],
     "resourceId": EXO[0], "resourceDisplayName": EXO[1], "ipAddress": "203.0.113.220",
     "clientAppUsed": "Browser", "conditionalAccessStatus": "notApplied",
     "riskLevelDuringSignIn": "none", "deviceDetail": device("Windows10"), "location": SEATTLE,
     "status": {"errorCode": 50057, "failureReason": "User account is disabled."},
     "appliedConditionalAccessPolicies": []},
    {"id": "7c0f6b9e-6a57-4f26-9d0e-000000000102", "createdDateTime": "2026-11-30T09:42:00Z",
     "userDisplayName": "", "userPrincipalName": "", "userId": "",
     "servicePrincipalId": "a7e38896-0e95-5493-9591-de11284c918f",
     "appId": "3f6b2a41-8d0c-4a7e-9e3b-5c2d1f0a9b87", "appDisplayName": "Contoso Expenses",
     "resourceId": GRAPH[0], "resourceDisplayName": GRAPH[1], "ipAddress": "198.51.100.200",
     "clientAppUsed": "", "conditionalAccessStatus": "notApplied",
     "riskLevelDuringSignIn": "none", "location": PARIS, "status": {"errorCode": 0},
     "appliedConditionalAccessPolicies": []},
]


def not_applied(state):
    return {"enabled": "notApplied", "disabled": "notEnabled"}.get(state,
                                                                    "reportOnlyNotApplied")


def main():
    tenant, out = sys.argv[1], sys.argv[2]
    planted = "--planted" in sys.argv[3:]
    policies = json.load(open(tenant))["collections"]["identity/conditionalAccess/policies"]
    lines = []
    for n, (who, app, res, client, dev, where, ip, risk, applied) in enumerate(RECORDS, 1):
        uid, upn, name = USERS[who]
        if planted and n == 1:
            # planted: Entra says CA004 applied, although the sign-in risk is none
            applied = dict(applied, CA004="success")
        acp = []
        for p in policies:
            prefix = p["displayName"].split(":")[0]
            result = applied.get(prefix, not_applied(p["state"]))
            acp.append({"id": p["id"], "displayName": p["displayName"],
                        "enforcedGrantControls": [], "enforcedSessionControls": [],
                        "result": result})
        unused = set(applied) - {p["displayName"].split(":")[0] for p in policies}
        assert not unused, unused
        blocked = any(r == "failure" for r in applied.values())
        rec = {
            "id": "7c0f6b9e-6a57-4f26-9d0e-%012d" % n,
            "createdDateTime": "2026-11-30T%02d:%02d:00Z" % (8 + n // 6, (n * 7) % 60),
            "userDisplayName": name, "userPrincipalName": upn, "userId": uid,
            "appId": app[0], "appDisplayName": app[1], "resourceId": res[0],
            "resourceDisplayName": res[1], "ipAddress": ip, "clientAppUsed": client,
            "correlationId": "0c6d5b4a-3928-4716-a5f4-e3d2c1b0a9%02d" % n,
            "conditionalAccessStatus": "failure" if blocked else
            ("success" if any(r == "success" for r in applied.values()) else "notApplied"),
            "isInteractive": True, "riskDetail": "none", "riskLevelAggregated": risk,
            "riskLevelDuringSignIn": risk, "riskState": "none", "riskEventTypes_v2": [],
            "status": {"errorCode": 53003 if blocked else 0,
                       "failureReason": "Access has been blocked by Conditional Access policies."
                       if blocked else "Other.", "additionalDetails": None},
            "location": where, "appliedConditionalAccessPolicies": acp,
        }
        if dev is not None:
            rec["deviceDetail"] = dev
        lines.append(json.dumps(rec, separators=(",", ":")))
    if not planted:
        lines += [json.dumps(r, separators=(",", ":")) for r in EXTRA]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
