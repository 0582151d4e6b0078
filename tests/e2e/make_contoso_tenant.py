#!/usr/bin/env python3
"""Writes policies/contoso-tenant.json: the Contoso tenant in the middle of its migration to idpc.

The snapshot is built from the compiled configuration (`idpc compile policies/contoso`) so that
the parts that are meant to be in sync really are, then bent into a believable half-migrated
state. Everything is stored exactly as Microsoft Graph v1.0 returns it (server-filled defaults,
nulls, annotations; the Graph v1.0 reference pages of each resource type). What the plan should
then show:

  policies   CA001 made by hand in the portal (report-only, plain MFA instead of the strength);
             CA002, CA003 in sync; CA006 still in its older form (MFA and password change,
             which the configuration replaces with risk remediation, as Entra's current
             guidance does); CA004 lacks the CA-Exclusion exclusion; CA005 exists
             as "ca005: block legacy authentication" (case differs: renamed); the rest missing;
             two hand-made policies the config does not declare (deleted: manage exclusively).
  locations  "Contoso HQ" in sync (IPv6 range written the long way); "Contoso regional hubs"
             missing; "Embargoed countries" lacks SY; an old trusted VPN location (untrusted,
             then deleted).
  strengths  built-ins only, plus a test strength (deleted); the Contoso strength is missing.
  groups     CA-Exclusion, GRP-Executive-Staff, PIM-Global-Admins, PIM-Security-Admins in sync
             (PIM-Security-Admins keeps its two permanent members from before PIM for Groups;
             the configuration no longer lists members, so the plan leaves them alone);
             "Admin Accounts" has one leaver and lacks one admin; "All Staff" has last year's rule
             and no licence yet (SPE_E5 is assigned by the plan: group-based licensing is new);
             "M365 Group Creators" has another description; the rest missing; four unmanaged
             groups. Groups carry assignedLicenses (idpc reads them with $select).
  roles      bg1's Global Administrator assignment exists, bg2's is missing; two PIM
             eligibilities exist; a direct Global Administrator assignment is unmanaged.
  settings   authentication methods, authorization policy (user consent for all apps) and Group.Unified
             settings differ; the admin consent workflow is off.
  hybrid     Entra Connect syncs with password hash sync on, but soft match and hard-match
             takeover are not blocked yet and deletion prevention is Microsoft's default (500).

Usage: make_contoso_tenant.py IDPC_BINARY OUTPUT.json [--check]   (run from the repository root)
       --check compares OUTPUT.json with what would be written (the ctest e2e.contoso_tenant)
"""
import json
import re
import subprocess
import sys
import uuid

sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
import pim_defaults  # noqa: E402

NS = uuid.UUID("6f1c2a9e-1d0b-4c55-9a43-0c0a5e5d1c00")
TENANT_ID = "9a3c1f7e-4b2d-4e8a-b6f0-2c5d8e1a7b43"
# the roles whose PIM policies the snapshot holds (every role has one in a real tenant)
PIM_ROLES = {"Global Administrator", "Privileged Role Administrator", "Security Administrator",
             "Conditional Access Administrator", "User Administrator", "Helpdesk Administrator",
             "Authentication Administrator", "Hybrid Identity Administrator",
             "Exchange Administrator", "SharePoint Administrator", "Intune Administrator",
             "Global Reader"}
T0 = "2023-03-14T09:12:44Z"
T1 = "2024-11-05T16:40:02Z"


def gid(kind, name):
    return str(uuid.uuid5(NS, kind + ":" + name))


def main():
    check = len(sys.argv) > 3 and sys.argv[3] == "--check"
    idpc, out = sys.argv[1], sys.argv[2]
    model = json.loads(subprocess.run([idpc, "compile", "policies/contoso"], check=True,
                                      stdout=subprocess.PIPE).stdout)
    objs = model["objects"]

    # ---- users ----
    upns = set()

    def collect(v):
        if isinstance(v, dict):
            if v.get("$ref") == "user" and "name" in v:
                upns.add(v["name"])
            for x in v.values():
                collect(x)
        elif isinstance(v, list):
            for x in v:
                collect(x)
    collect(model)
    upns |= {"alex.wilber@contoso.com", "lee.gu@contoso.com", "allan.deyoung@contoso.com", "henrietta.mueller@contoso.com",
             "joni.sherman@contoso.com", "lynne.robbins@contoso.com", "admin-gus@contoso.onmicrosoft.com",
             "Sync_PARIS-DC01_4f1b2c3d5e6a@contoso.onmicrosoft.com"}
    users = []
    for upn in sorted(upns, key=str.lower):
        local = upn.split("@")[0]
        cloud = upn.endswith(".onmicrosoft.com")
        name = " ".join(p.capitalize() for p in local.replace("-", ".").split("."))
        if local.startswith("bg"):
            name = "Break Glass " + local[2:]
        if local.startswith("Sync_"):
            name = "On-Premises Directory Synchronization Service Account"
        users.append({
            "id": gid("user", upn.lower()),
            "businessPhones": [],
            "displayName": name,
            "givenName": None if cloud else name.split(" ")[0],
            "jobTitle": None,
            "mail": None if cloud else upn,
            "mobilePhone": None,
            "officeLocation": None if cloud else "Paris",
            "preferredLanguage": None,
            "surname": None if cloud else name.split(" ")[-1],
            "userPrincipalName": upn,
            # read with $select by plans that manage the account (`user` blocks)
            "accountEnabled": True,
            "mailNickname": local,
            "usageLocation": None if local == "bg2" else "FR",  # bg2's is missing: the plan sets it
            "onPremisesSyncEnabled": None if cloud else True,
        })
    uid = {u["userPrincipalName"].lower(): u["id"] for u in users}

    # ---- groups ----
    desired_groups = {o["name"]: o for o in objs if o["kind"] == "group"}
    existing_groups = ["CA-Exclusion", "Admin Accounts", "GRP-Executive-Staff", "All Staff",
                       "M365 Group Creators", "PIM-Global-Admins", "PIM-Security-Admins"]
    group_ids = {n: gid("group", n) for n in existing_groups}

    def resolve(v, parent=None):
        """Symbolic references -> ids, as the tenant stores them."""
        if isinstance(v, dict):
            if "$ref" in v:
                k, n = v["$ref"], v.get("name")
                if "id" in v:
                    return v["id"]
                if k == "user":
                    return uid[n.lower()]
                if k == "group":
                    return group_ids.get(n) or gid("group", n)
                if k == "namedLocation":
                    return gid("location", n)
                if k == "authenticationStrengthPolicy":
                    return gid("strength", n)
                raise SystemExit("unexpected reference " + json.dumps(v))
            return {k: resolve(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [resolve(x, parent) for x in v]
        return v

    def group_obj(name, body, created=T0, nickname=None, extra=None):
        g = {
            "id": group_ids[name],
            "deletedDateTime": None,
            "classification": None,
            "createdDateTime": created,
            "creationOptions": ["YammerProvisioning"] if "Unified" in body.get("groupTypes", []) else [],
            "description": body.get("description"),
            "displayName": name,
            "expirationDateTime": None,
            "groupTypes": body.get("groupTypes", []),
            "isAssignableToRole": body.get("isAssignableToRole"),
            "mail": (nickname or body["mailNickname"]) + "@contoso.com" if body.get("mailEnabled") else None,
            "mailEnabled": body.get("mailEnabled", False),
            "mailNickname": nickname or body["mailNickname"],
            "membershipRule": body.get("membershipRule"),
            "membershipRuleProcessingState": body.get("membershipRuleProcessingState"),
            "onPremisesDomainName": None,
            "onPremisesLastSyncDateTime": None,
            "onPremisesNetBiosName": None,
            "onPremisesSamAccountName": None,
            "onPremisesSecurityIdentifier": None,
            "onPremisesSyncEnabled": None,
            "preferredDataLocation": None,
            "preferredLanguage": None,
            "proxyAddresses": ["SMTP:" + (nickname or body["mailNickname"]) + "@contoso.com"] if body.get("mailEnabled") else [],
            "renewedDateTime": created,
            "resourceBehaviorOptions": [],
            "resourceProvisioningOptions": ["Team"] if "Unified" in body.get("groupTypes", []) else [],
            "securityEnabled": body.get("securityEnabled", True),
            "securityIdentifier": "S-1-12-1-" + str(uuid.UUID(group_ids[name]).int % 4294967291),
            "theme": None,
            "visibility": body.get("visibility"),
            "onPremisesProvisioningErrors": [],
            "serviceProvisioningErrors": [],
            "assignedLicenses": [],
        }
        if extra:
            g.update(extra)
        return g

    groups, collections = [], {}

    def member_list(refs):
        out = []
        for r in refs:
            mid = resolve(r)
            if r["$ref"] == "user":
                u = next(x for x in users if x["id"] == mid)
                out.append({"@odata.type": "#microsoft.graph.user", "id": mid,
                            "displayName": u["displayName"], "userPrincipalName": u["userPrincipalName"]})
            else:
                out.append({"@odata.type": "#microsoft.graph.group", "id": mid, "displayName": r["name"]})
        return out

    for name in existing_groups:
        o = desired_groups[name]
        body = dict(o["body"])
        nickname = None
        if name == "CA-Exclusion":
            nickname = "CA-Exclusion-7f3"  # typed in the portal; not the derived nickname
        if name == "All Staff":
            body["membershipRule"] = "(user.accountEnabled -eq true) -and (user.userType -eq \"Member\")"
        if name == "M365 Group Creators":
            body["description"] = "People allowed to create Teams"
        groups.append(group_obj(name, body, nickname=nickname))
        extra = o.get("extra", {})
        if "members" in extra:
            members = member_list(extra["members"])
            if name == "Admin Accounts":
                members = [m for m in members if not m.get("userPrincipalName", "").startswith("admin-fay")]
                members.append(member_list([{"$ref": "user", "name": "admin-gus@contoso.onmicrosoft.com"}])[0])
            collections["groups/%s/members" % group_ids[name]] = members
        if name == "PIM-Security-Admins":
            collections["groups/%s/members" % group_ids[name]] = member_list(
                [{"$ref": "user", "name": "admin-alice@contoso.onmicrosoft.com"},
                 {"$ref": "user", "name": "admin-chen@contoso.onmicrosoft.com"}])
        if "owners" in extra:
            collections["groups/%s/owners" % group_ids[name]] = member_list(extra["owners"])
    for name, desc, sync in [("SG-Paris-Staff", "Synchronised from AD DS", True),
                             ("Marketing", "Marketing department", False),
                             ("Sales Team (legacy)", None, False)]:
        group_ids[name] = gid("group", name)
        g = group_obj(name, {"displayName": name, "description": desc, "groupTypes": [],
                             "mailEnabled": False, "mailNickname": name.replace(" ", "").replace("(", "").replace(")", ""),
                             "securityEnabled": True}, created="2019-06-02T08:00:00Z")
        if sync:
            g.update({"onPremisesSyncEnabled": True, "onPremisesLastSyncDateTime": T1,
                      "onPremisesDomainName": "contoso.com", "onPremisesNetBiosName": "CONTOSO",
                      "onPremisesSamAccountName": "SG-Paris-Staff",
                      "onPremisesSecurityIdentifier": "S-1-5-21-1004336348-1177238915-682003330-1105"})
        groups.append(g)
    group_ids["All Company"] = gid("group", "All Company")
    groups.append(group_obj("All Company", {"displayName": "All Company", "description": "This is the default group for everyone in the network",
                                            "groupTypes": ["Unified"], "mailEnabled": True, "mailNickname": "allcompany",
                                            "securityEnabled": False, "visibility": "Public"}, created="2018-01-10T10:00:00Z"))

    # ---- named locations ----
    def location(name, body, created=T0):
        b = {"@odata.type": body["@odata.type"], "id": gid("location", name), "displayName": name,
             "modifiedDateTime": created, "createdDateTime": created}
        if "ip" in body["@odata.type"]:
            b["isTrusted"] = body.get("isTrusted", False)
            b["ipRanges"] = body["ipRanges"]
        else:
            b["countriesAndRegions"] = body["countriesAndRegions"]
            b["includeUnknownCountriesAndRegions"] = body.get("includeUnknownCountriesAndRegions", False)
            b["countryLookupMethod"] = body.get("countryLookupMethod", "clientIpAddress")
        return b
    desired_locs = {o["name"]: o for o in objs if o["kind"] == "namedLocation"}
    locations = []
    hq = json.loads(json.dumps(desired_locs["Contoso HQ"]["body"]))
    for r in hq["ipRanges"]:
        if r["cidrAddress"] == "2001:db8:c0::/48":
            r["cidrAddress"] = "2001:0db8:00c0:0000:0000:0000:0000:0000/48"
    locations.append(location("Contoso HQ", hq))
    emb = json.loads(json.dumps(desired_locs["Embargoed countries"]["body"]))
    emb["countriesAndRegions"] = [c for c in emb["countriesAndRegions"] if c != "SY"]
    locations.append(location("Embargoed countries", emb))
    locations.append(location("Old VPN egress (2019)", {
        "@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": True,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/24"}]},
        created="2019-09-30T12:00:00Z"))

    # ---- authentication strengths ----
    strengths = [
        {"id": "00000000-0000-0000-0000-000000000002", "createdDateTime": "2022-09-30T10:59:01Z",
         "modifiedDateTime": "2022-09-30T10:59:01Z", "displayName": "Multifactor authentication",
         "description": "Combinations of methods that satisfy strong authentication, such as a password + SMS",
         "policyType": "builtIn", "requirementsSatisfied": "mfa",
         "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
                                 "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse",
                                 "password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath",
                                 "password,x509CertificateSingleFactor", "password,x509CertificateMultiFactor",
                                 "password,sms", "password,voice", "federatedMultiFactor",
                                 "microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
                                 "hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor"],
         "combinationConfigurations@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationStrengthPolicies('00000000-0000-0000-0000-000000000002')/combinationConfigurations",
         "combinationConfigurations": []},
        {"id": "00000000-0000-0000-0000-000000000003", "createdDateTime": "2022-09-30T10:59:01Z",
         "modifiedDateTime": "2022-09-30T10:59:01Z", "displayName": "Passwordless MFA",
         "description": "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
         "policyType": "builtIn", "requirementsSatisfied": "mfa",
         "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"],
         "combinationConfigurations@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationStrengthPolicies('00000000-0000-0000-0000-000000000003')/combinationConfigurations",
         "combinationConfigurations": []},
        {"id": "00000000-0000-0000-0000-000000000004", "createdDateTime": "2022-09-30T10:59:01Z",
         "modifiedDateTime": "2022-09-30T10:59:01Z", "displayName": "Phishing-resistant MFA",
         "description": "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
         "policyType": "builtIn", "requirementsSatisfied": "mfa",
         "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
         "combinationConfigurations@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationStrengthPolicies('00000000-0000-0000-0000-000000000004')/combinationConfigurations",
         "combinationConfigurations": []},
        {"id": gid("strength", "Test strength (Pierre)"), "createdDateTime": "2023-05-02T14:01:19Z",
         "modifiedDateTime": "2023-05-02T14:01:19Z", "displayName": "Test strength (Pierre)",
         "description": None, "policyType": "custom", "requirementsSatisfied": "mfa",
         "allowedCombinations": ["password,sms", "password, microsoftAuthenticatorPush"],
         "combinationConfigurations@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationStrengthPolicies('x')/combinationConfigurations",
         "combinationConfigurations": []},
    ]
    strength_by_id = {s["id"]: s for s in strengths}

    # ---- conditional access policies (as GET returns them) ----
    def lst(d, k):
        v = d.get(k) if d else None
        return v if isinstance(v, list) else []

    def ca_get(pid, name, body, created, modified):
        c = body.get("conditions", {})
        a, u = c.get("applications", {}), c.get("users", {})
        g = body.get("grantControls")
        grant = None
        if g:
            sref = g.get("authenticationStrength")
            grant = {"operator": g.get("operator", "OR"), "builtInControls": lst(g, "builtInControls"),
                     "customAuthenticationFactors": lst(g, "customAuthenticationFactors"),
                     "termsOfUse": lst(g, "termsOfUse"),
                     "authenticationStrength@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies('%s')/grantControls/authenticationStrength/$entity" % pid,
                     "authenticationStrength": strength_by_id.get(sref["id"]) if sref else None}
        sc = body.get("sessionControls")
        if sc:
            sc = dict(sc)
            for k in ("signInFrequency", "persistentBrowser", "cloudAppSecurity", "applicationEnforcedRestrictions"):
                sc.setdefault(k, None)
            sc.setdefault("disableResilienceDefaults", None)
            if sc.get("signInFrequency"):
                f = dict(sc["signInFrequency"])
                f.setdefault("value", None)
                f.setdefault("type", None)
                f.setdefault("authenticationType", "primaryAndSecondaryAuthentication")
                sc["signInFrequency"] = f
        pair = lambda v, i, e: None if not v else {i: lst(v, i), e: lst(v, e)}
        return {
            "id": pid, "templateId": None, "displayName": name, "createdDateTime": created,
            "modifiedDateTime": modified, "state": body["state"],
            "conditions": {
                "userRiskLevels": lst(c, "userRiskLevels"), "signInRiskLevels": lst(c, "signInRiskLevels"),
                "clientAppTypes": c.get("clientAppTypes") or ["all"],
                "servicePrincipalRiskLevels": lst(c, "servicePrincipalRiskLevels"),
                "insiderRiskLevels": c.get("insiderRiskLevels"),
                "platforms": pair(c.get("platforms"), "includePlatforms", "excludePlatforms"),
                "locations": pair(c.get("locations"), "includeLocations", "excludeLocations"),
                "devices": c.get("devices"), "clientApplications": c.get("clientApplications"),
                "authenticationFlows": c.get("authenticationFlows"),
                "applications": {"includeApplications": lst(a, "includeApplications"),
                                 "excludeApplications": lst(a, "excludeApplications"),
                                 "includeUserActions": lst(a, "includeUserActions"),
                                 "includeAuthenticationContextClassReferences": lst(a, "includeAuthenticationContextClassReferences"),
                                 "applicationFilter": a.get("applicationFilter")},
                "users": {k: lst(u, k) for k in ("includeUsers", "excludeUsers", "includeGroups", "excludeGroups",
                                                   "includeRoles", "excludeRoles")} | {
                    "includeGuestsOrExternalUsers": u.get("includeGuestsOrExternalUsers"),
                    "excludeGuestsOrExternalUsers": u.get("excludeGuestsOrExternalUsers")},
            },
            "grantControls": grant,
            "sessionControls": sc or None,
        }

    desired_pols = {o["name"].split(":")[0]: o for o in objs if o["kind"] == "conditionalAccessPolicy"}
    policies = []
    for code in ["CA001", "CA002", "CA003", "CA004", "CA005", "CA006"]:
        o = desired_pols[code]
        body = resolve(o["body"])
        name = o["name"]
        if code == "CA001":
            body["state"] = "enabledForReportingButNotEnforced"
            body["grantControls"] = {"operator": "OR", "builtInControls": ["mfa"]}
        if code == "CA004":
            body["conditions"]["users"]["excludeGroups"] = []
        if code == "CA005":
            name = name.lower()
        if code == "CA006":
            name = "CA006: High-risk users must change password"
            body["grantControls"] = dict(body["grantControls"], operator="AND",
                                         builtInControls=["mfa", "passwordChange"])
        # the portal keeps lists in the order they were clicked
        for k in ("excludeUsers", "includeRoles"):
            if body["conditions"]["users"].get(k):
                body["conditions"]["users"][k] = list(reversed(body["conditions"]["users"][k]))
        policies.append(ca_get(gid("policy", code), name, body, T0, T1 if code in ("CA001", "CA004") else None))
    policies.append(ca_get(gid("policy", "legacy"), "Legacy: Require MFA for all users (portal)", {
        "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": [uid["bg1@contoso.onmicrosoft.com"]]},
                       "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["browser", "mobileAppsAndDesktopClients"]},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}, "2021-02-11T08:30:00Z", "2022-06-01T12:00:00Z"))
    policies.append(ca_get(gid("policy", "test"), "TEST - Block all (do not enable)", {
        "state": "disabled",
        "conditions": {"users": {"includeUsers": [uid["lee.gu@contoso.com"]]},
                       "applications": {"includeApplications": ["All"]},
                       "locations": {"includeLocations": [gid("location", "Old VPN egress (2019)")]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}}, "2023-05-02T14:05:00Z", None))

    # ---- roles ----
    role_defs = []
    for line in open("compiler/catalog_roles.def", encoding="utf-8"):
        line = line.strip()
        m = re.match(r'CAT_ROLE\("([^"]+)",\s*"([0-9a-f-]+)"', line)
        if not m:
            continue
        nm, tid = m.group(1), m.group(2)
        role_defs.append({"id": tid, "description": None, "displayName": nm, "isBuiltIn": True,
                          "isEnabled": True, "resourceScopes": ["/"], "templateId": tid, "version": "1",
                          "rolePermissions": []})
    assignments, eligibilities = [], []
    ga = "62e90394-69f5-4237-9190-012177145e10"

    def assignment(role, principal, n):
        return {"id": "lAPpYvVpN0KRkAEhdxReEH" + uuid.uuid5(NS, "ra%d" % n).hex[:20] + "-1",
                "principalId": principal, "directoryScopeId": "/", "roleDefinitionId": role}
    assignments.append(assignment(ga, uid["bg1@contoso.onmicrosoft.com"], 1))
    assignments.append(assignment(ga, uid["admin-alice@contoso.onmicrosoft.com"], 2))
    assignments.append(assignment("f2ef992c-3afb-46b9-b7cf-a126ee74c451", group_ids["Admin Accounts"], 3))
    assignments.append(assignment("d29b2b05-8046-44ba-8758-1e26182fcf32",
                                  uid["sync_paris-dc01_4f1b2c3d5e6a@contoso.onmicrosoft.com"], 4))
    for n, (role, g) in enumerate([(ga, "PIM-Global-Admins"),
                                   ("194ae4cb-b126-40b2-bd5b-6091b380977d", "PIM-Security-Admins")]):
        eligibilities.append({"id": str(uuid.uuid5(NS, "elig%d" % n)), "principalId": group_ids[g],
                              "directoryScopeId": "/", "appScopeId": None, "roleDefinitionId": role,
                              "createdUsing": str(uuid.uuid5(NS, "elig%d" % n)), "createdDateTime": T0,
                              "modifiedDateTime": None, "status": "Provisioned", "memberType": "Direct",
                              "scheduleInfo": {"startDateTime": T0, "recurrence": None,
                                               "expiration": {"type": "noExpiration", "endDateTime": None, "duration": None}}})

    # ---- authentication methods, settings ----
    def method(mid, odata, state, extra=None, include=None):
        m = {"@odata.type": "#microsoft.graph." + odata, "id": mid, "state": state, "excludeTargets": []}
        if include is not None:
            m["includeTargets"] = include
        if extra:
            m.update(extra)
        return m
    all_users = [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}]
    methods_policy = {
        "id": "authenticationMethodsPolicy", "displayName": "Authentication Methods Policy",
        "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
        "lastModifiedDateTime": T1, "policyVersion": "1.5", "reconfirmationInDays": None,
        "policyMigrationState": "migrationInProgress",
        "registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
            "snoozeDurationInDays": 1, "state": "default", "excludeTargets": [],
            "includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}]}},
        "authenticationMethodConfigurations": [
            method("Fido2", "fido2AuthenticationMethodConfiguration", "disabled",
                   {"isAttestationEnforced": False, "isSelfServiceRegistrationAllowed": True,
                    "keyRestrictions": {"isEnforced": False, "enforcementType": "block", "aaGuids": []}}, all_users),
            method("MicrosoftAuthenticator", "microsoftAuthenticatorAuthenticationMethodConfiguration", "enabled",
                   {"isSoftwareOathEnabled": False, "featureSettings": {
                       "displayAppInformationRequiredState": {"state": "enabled", "includeTarget": {"targetType": "group", "id": "all_users"}, "excludeTarget": {"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}},
                       "displayLocationInformationRequiredState": {"state": "enabled", "includeTarget": {"targetType": "group", "id": "all_users"}, "excludeTarget": {"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}}}},
                   [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False, "authenticationMode": "any"}]),
            method("TemporaryAccessPass", "temporaryAccessPassAuthenticationMethodConfiguration", "disabled",
                   {"defaultLifetimeInMinutes": 60, "defaultLength": 8, "minimumLifetimeInMinutes": 60,
                    "maximumLifetimeInMinutes": 480, "isUsableOnce": False}, all_users),
            method("Sms", "smsAuthenticationMethodConfiguration", "enabled", None,
                   [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False, "isUsableForSignIn": True}]),
            method("Voice", "voiceAuthenticationMethodConfiguration", "disabled", {"isOfficePhoneAllowed": False}, all_users),
            method("Email", "emailAuthenticationMethodConfiguration", "enabled", {"allowExternalIdToUseEmailOtp": "default"}, all_users),
            method("SoftwareOath", "softwareOathAuthenticationMethodConfiguration", "disabled", None, all_users),
            method("X509Certificate", "x509CertificateAuthenticationMethodConfiguration", "disabled",
                   {"certificateUserBindings": [], "authenticationModeConfiguration": {"x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor", "rules": []}}, all_users),
        ]}
    authorization = {
        "id": "authorizationPolicy", "allowInvitesFrom": "everyone", "allowedToSignUpEmailBasedSubscriptions": True,
        "allowedToUseSSPR": True, "allowEmailVerifiedUsersToJoinOrganization": False,
        "allowUserConsentForRiskyApps": None, "blockMsolPowerShell": False,
        "description": "Used to manage authorization related settings across the company.",
        "displayName": "Authorization Policy", "enabledPreviewFeatures": [],
        "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3", "permissionGrantPolicyIdsAssignedToDefaultUserRole": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"],
        "defaultUserRolePermissions": {"allowedToCreateApps": True, "allowedToCreateSecurityGroups": True,
                                       "allowedToCreateTenants": True, "allowedToReadBitlockerKeysForOwnedDevice": True,
                                       "allowedToReadOtherUsers": True, "permissionGrantPoliciesAssigned": [
                                           "ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
                                           # group owners' consent (Teams): not the user consent setting, kept by idpc
                                           "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"]}}
    unified_defaults = [("EnableGroupCreation", "true"), ("GroupCreationAllowedGroupId", ""), ("UsageGuidelinesUrl", ""),
                        ("ClassificationDescriptions", ""), ("DefaultClassification", ""), ("PrefixSuffixNamingRequirement", ""),
                        ("CustomBlockedWordsList", ""), ("EnableMSStandardBlockedWords", "false"),
                        ("AllowGuestsToBeGroupOwner", "false"), ("AllowGuestsToAccessGroups", "true"),
                        ("GuestUsageGuidelinesUrl", ""), ("AllowToAddGuests", "true"), ("ClassificationList", ""),
                        ("EnableMIPLabels", "false"), ("NewUnifiedGroupWritebackDefault", "true")]
    templates = [{"id": "62375ab9-6b52-47ed-826b-58e47e0e304b", "deletedDateTime": None, "displayName": "Group.Unified",
                  "description": "Setting templates define the different settings that can be used for the associated ObjectSettings. This template defines settings that can be used for Unified Groups.",
                  "values": [{"name": n, "type": "System.String", "defaultValue": v, "description": n} for n, v in unified_defaults]},
                 {"id": "08d542b9-071f-4e16-94b0-74abb372e3d9", "deletedDateTime": None, "displayName": "Group.Unified.Guest",
                  "description": "Settings for a specific Unified Group",
                  "values": [{"name": "AllowToAddGuests", "type": "System.Boolean", "defaultValue": "true", "description": "Flag indicating if guests are allowed in a specific Unified Group."}]},
                 # Microsoft Entra password protection and smart lockout
                 {"id": "5cf42378-d67d-4f36-ba46-e8b86229381d", "deletedDateTime": None, "displayName": "Password Rule Settings",
                  "description": "Settings for managing tenant-wide password rule settings.",
                  "values": [{"name": n, "type": t, "defaultValue": v, "description": n} for n, t, v in (
                      ("BannedPasswordCheckOnPremisesMode", "System.String", "Audit"),
                      ("EnableBannedPasswordCheckOnPremises", "System.Boolean", "True"),
                      ("EnableBannedPasswordCheck", "System.Boolean", "True"),
                      ("LockoutDurationInSeconds", "System.Int32", "60"),
                      ("LockoutThreshold", "System.Int32", "10"),
                      ("BannedPasswordList", "System.String", ""))]}]

    sps = [{"id": gid("sp", n), "appId": a, "displayName": n, "servicePrincipalType": "Application",
            "accountEnabled": True, "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a"}
           for n, a in [("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
                        ("Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"),
                        ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
                        ("Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"),
                        ("Microsoft Intune", "0000000a-0000-0000-c000-000000000000")]]
    sps.append({"id": gid("sp", "Contoso Expenses"), "appId": "3f6b2a41-8d0c-4a7e-9e3b-5c2d1f0a9b87",
                "displayName": "Contoso Expenses", "servicePrincipalType": "Application", "accountEnabled": True,
                "appOwnerOrganizationId": TENANT_ID})
    skus = [{"capabilityStatus": "Enabled", "consumedUnits": 212, "id": TENANT_ID + "_06ebc4ee-1bb5-47dd-8120-11324bc54e06",
             "prepaidUnits": {"enabled": 250, "suspended": 0, "warning": 0, "lockedOut": 0},
             "servicePlans": [], "skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "skuPartNumber": "SPE_E5", "appliesTo": "User"},
            {"capabilityStatus": "Enabled", "consumedUnits": 12, "id": TENANT_ID + "_84a661c4-e949-4bd2-a560-ed7766fcaf2b",
             "prepaidUnits": {"enabled": 25, "suspended": 0, "warning": 0, "lockedOut": 0},
             "servicePlans": [], "skuId": "84a661c4-e949-4bd2-a560-ed7766fcaf2b", "skuPartNumber": "AAD_PREMIUM_P2", "appliesTo": "User"}]

    org = [{"id": TENANT_ID, "deletedDateTime": None, "businessPhones": ["+33 1 55 55 01 00"], "city": "Paris",
            "country": None, "countryLetterCode": "FR", "createdDateTime": "2018-01-10T09:58:31Z",
            "displayName": "Contoso", "onPremisesLastSyncDateTime": T1, "onPremisesSyncEnabled": True,
            "postalCode": "75008", "preferredLanguage": "en", "state": None, "street": "1 Avenue des Champs",
            "tenantType": "AAD", "technicalNotificationMails": ["it-alerts@contoso.com"],
            "verifiedDomains": [
                {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": False, "isInitial": True, "name": "contoso.onmicrosoft.com", "type": "Managed"},
                {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": True, "isInitial": False, "name": "contoso.com", "type": "Federated"}]}]

    doc = {"format": "idpc-tenant/1", "tenantId": TENANT_ID, "collections": {
        "organization": org,
        "users": users,
        "groups": groups,
    }}
    c = doc["collections"]
    for k in sorted(collections):
        c[k] = collections[k]
    c["servicePrincipals"] = sps
    c["subscribedSkus"] = skus
    c["roleManagement/directory/roleDefinitions"] = role_defs
    c["roleManagement/directory/roleAssignments"] = assignments
    c["roleManagement/directory/roleEligibilitySchedules"] = eligibilities
    c["identity/conditionalAccess/policies"] = policies
    c["identity/conditionalAccess/namedLocations"] = locations
    c["identity/conditionalAccess/authenticationContextClassReferences"] = []
    c["policies/authenticationStrengthPolicies"] = strengths
    c["policies/authenticationMethodsPolicy"] = methods_policy
    c["policies/authorizationPolicy"] = authorization
    c["policies/identitySecurityDefaultsEnforcementPolicy"] = {
        "id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
        "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
        "isEnabled": False}
    # the admin consent workflow is off, as in a new tenant (Graph v1.0 "Get adminConsentRequestPolicy")
    c["policies/adminConsentRequestPolicy"] = {"isEnabled": False, "notifyReviewers": False, "remindersEnabled": False,
                                               "requestDurationInDays": 0, "version": 0, "reviewers": []}
    c["groupSettings"] = []
    c["groupSettingTemplates"] = templates
    # GET /directory/onPremisesSynchronization (Graph v1.0 "Get onPremisesDirectorySynchronization"
    # example response): one object whose id is the tenant's; every feature flag is returned.
    c["directory/onPremisesSynchronization"] = [{
        "id": TENANT_ID,
        "configuration": {"accidentalDeletionPrevention": {
            "synchronizationPreventionType": "enabledForCount", "alertThreshold": 500}},
        "features": {
            "passwordSyncEnabled": True, "passwordWritebackEnabled": False,
            "directoryExtensionsEnabled": False, "quarantineUponUpnConflictEnabled": True,
            "quarantineUponProxyAddressesConflictEnabled": True, "softMatchOnUpnEnabled": True,
            "cloudPasswordPolicyForPasswordSyncedUsersEnabled": False,
            "fopeConflictResolutionEnabled": False, "unifiedGroupWritebackEnabled": False,
            "userWritebackEnabled": False, "deviceWritebackEnabled": False,
            "synchronizeUpnForManagedUsersEnabled": True,
            "userForcePasswordChangeOnLogonEnabled": False,
            "concurrentOrgIdProvisioningEnabled": False, "concurrentCredentialUpdateEnabled": False,
            "groupWriteBackEnabled": False, "blockSoftMatchEnabled": False,
            "blockCloudObjectTakeoverThroughHardMatchEnabled": False,
            "bypassDirSyncOverridesEnabled": False}}]
    c["identityGovernance/termsOfUse/agreements"] = []
    # PIM role settings: the policies of the roles Contoso administers, as a new tenant has
    # them (Microsoft's defaults: 8-hour activation, no approval, permanent eligibility).
    pim_policies, pim_assignments = [], []
    for d in role_defs:
        if d["displayName"] in PIM_ROLES:
            p, a = pim_defaults.policy_for(TENANT_ID, d["id"])
            pim_policies.append(p)
            pim_assignments.append(a)
    # PIM for Groups: every group has a member and an owner policy (scope Group); the snapshot
    # holds those of the role-assignable groups. No group membership is PIM-managed yet, and
    # no access review exists: the plan creates them.
    for g in groups:
        if g.get("isAssignableToRole"):
            for access in ("member", "owner"):
                p, a = pim_defaults.group_policy_for(g["id"], access)
                pim_policies.append(p)
                pim_assignments.append(a)
    c["policies/roleManagementPolicies"] = pim_policies
    c["policies/roleManagementPolicyAssignments"] = pim_assignments
    c["identityGovernance/privilegedAccess/group/eligibilitySchedules"] = []
    c["identityGovernance/privilegedAccess/group/assignmentSchedules"] = []
    c["identityGovernance/accessReviews/definitions"] = []
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if check:
        # the committed snapshot must be what this script writes: a hand edit of one, or a change
        # here without regenerating, fails the test (regenerate and review the plan goldens)
        with open(out, encoding="utf-8") as f:
            have = f.read()
        if have != text:
            a, b = have.splitlines(), text.splitlines()
            n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            sys.exit("%s:%d: differs from what %s writes (%r, expected %r); regenerate it with "
                     "'%s IDPC %s' and review the plan goldens" %
                     (out, n + 1, sys.argv[0], a[n] if n < len(a) else "<end>",
                      b[n] if n < len(b) else "<end>", sys.argv[0], out))
        print("%s: up to date" % out)
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
