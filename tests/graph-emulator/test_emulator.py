#!/usr/bin/env python3
"""Tests of the Graph emulator over real HTTPS on loopback.

Starts tests/graph-emulator's binary with a small snapshot, checks its response shapes against
../shared/graph/examples (skipped loudly when that folder is missing), and exercises paging,
$filter, $batch, tokens and assertions, errors, throttling, faults, replication lag, the request
log and --save. Standard library only; JWTs are signed with the openssl command-line tool.
"""
import argparse
import base64
import copy
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid

ARGS = None
SHARED = None
CERTS = None
FAILS = []
PASSES = 0
SKIPS = []
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "emulator-test-secret-Zq8"
TENANT = "84841066-274d-4ec0-a5c1-276be684bdd3"
FIC_ISS = "https://token.actions.githubusercontent.com"
FIC_SUB = "repo:contoso/policies:ref:refs/heads/main"
SECRETS_SEEN = set()


def check(cond, what):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILS.append(what)
        print("FAIL: " + what, flush=True)


def skip(what):
    SKIPS.append(what)
    print("skipped: " + what, flush=True)


def example(name):
    if not SHARED:
        return None
    with open(os.path.join(SHARED, "graph", "examples", name)) as f:
        return json.load(f)


class Emulator:
    def __init__(self, name, extra, state):
        self.dir = os.path.join(ARGS.workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port_file = os.path.join(self.dir, "port")
        self.log = os.path.join(self.dir, "requests.log")
        self.save = os.path.join(self.dir, "saved.json")
        for p in (self.port_file, self.log, self.save):
            if os.path.exists(p):
                os.remove(p)
        cmd = [ARGS.emulator, "--cert", os.path.join(CERTS, "server.pem"),
               "--key", os.path.join(CERTS, "server.key"), "--port-file", self.port_file,
               "--log", self.log, "--save", self.save, "--client-id", CLIENT_ID,
               "--client-secret", SECRET, "--client-cert", os.path.join(CERTS, "client.pem"),
               "--fic-issuer", FIC_ISS, "--fic-subject", FIC_SUB] + extra
        if state:
            cmd += ["--state", state]
        self.out = open(os.path.join(self.dir, "stdout"), "w")
        self.err = open(os.path.join(self.dir, "stderr"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.err)
        for _ in range(100):
            if os.path.exists(self.port_file):
                break
            if self.proc.poll() is not None:
                raise SystemExit("emulator exited early; see " + self.dir)
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.port = int(f.read().strip())
        self.token = None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=20)
        self.out.close()
        self.err.close()
        return rc

    def conn(self, ctx=None):
        if ctx is None:
            ctx = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.pem"))
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=30)

    def raw(self, method, path, body=None, headers=None):
        from urllib.parse import quote
        path = quote(path, safe="/?&=$'(),:@!*+;%")
        c = self.conn()
        h = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, payload

    def call(self, method, path, body=None, headers=None, token=True):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + self.get_token()
        st, hdrs, payload = self.raw(method, path, body, h)
        js = None
        if payload and hdrs.get("content-type", "").startswith("application/json"):
            js = json.loads(payload)
        elif payload:
            js = payload.decode()
        return st, hdrs, js

    def get(self, path, **kw):
        return self.call("GET", "/v1.0" + path, **kw)

    def post(self, path, body, **kw):
        return self.call("POST", "/v1.0" + path, body, **kw)

    def patch(self, path, body, **kw):
        return self.call("PATCH", "/v1.0" + path, body, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", "/v1.0" + path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", "/v1.0" + path, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", "/v1.0" + path, body, **kw)

    def token_request(self, form, tenant=TENANT):
        from urllib.parse import urlencode
        st, _, payload = self.raw("POST", "/%s/oauth2/v2.0/token" % tenant, urlencode(form),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        return st, json.loads(payload)

    def get_token(self):
        if not self.token:
            st, js = self.token_request({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                         "client_secret": SECRET,
                                         "scope": "https://graph.microsoft.com/.default"})
            assert st == 200, js
            self.token = js["access_token"]
            SECRETS_SEEN.add(self.token)
        return self.token

    def log_lines(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]


# ---------- comparison helpers ----------

IGNORED_KEYS = {"@odata.context", "@odata.id", "@odata.etag", "_note", "_headers"}
RETIRED_KEYS = {"times", "includeProtectionLevels"}  # retired beta fields in old doc examples


def keys_subset(ex, act, path="$"):
    """Every key of the example is present in the actual response (recursively)."""
    bad = []
    if isinstance(ex, dict):
        if not isinstance(act, dict):
            return ["%s: expected an object, got %r" % (path, type(act).__name__)]
        for k, v in ex.items():
            if k in IGNORED_KEYS or k in RETIRED_KEYS or k.endswith("@odata.context"):
                continue
            if k not in act:
                bad.append("%s.%s missing" % (path, k))
            else:
                bad += keys_subset(v, act[k], path + "." + k)
    elif isinstance(ex, list) and ex and isinstance(ex[0], dict) and isinstance(act, list) and act:
        bad += keys_subset(ex[0], act[0], path + "[0]")
    return bad


def same_keys(a, b, path="$"):
    bad = []
    if isinstance(a, dict) and isinstance(b, dict):
        ka = {k for k in a if k not in IGNORED_KEYS}
        kb = {k for k in b if k not in IGNORED_KEYS}
        for k in sorted(ka - kb):
            bad.append("%s.%s only in the example" % (path, k))
        for k in sorted(kb - ka):
            bad.append("%s.%s only in the emulator's response" % (path, k))
        for k in ka & kb:
            bad += same_keys(a[k], b[k], path + "." + k)
    elif isinstance(a, dict) != isinstance(b, dict):
        if a is not None and b is not None:
            bad.append("%s: object vs non-object" % path)
    return bad


VOLATILE = {"id", "createdDateTime", "modifiedDateTime", "renewedDateTime", "securityIdentifier",
            "completedDateTime", "startDateTime", "targetScheduleId", "lastModifiedDateTime",
            "createdBy", "mail", "proxyAddresses", "date", "request-id", "client-request-id"}


def values_match(ex, act, path="$"):
    """Non-volatile scalar values of the example equal the actual ones."""
    bad = []
    if isinstance(ex, dict) and isinstance(act, dict):
        for k, v in ex.items():
            if k in IGNORED_KEYS or k in VOLATILE or k in RETIRED_KEYS or "@odata" in k:
                continue
            if k in act:
                bad += values_match(v, act[k], path + "." + k)
    elif isinstance(ex, list) and isinstance(act, list):
        if all(not isinstance(x, (dict, list)) for x in ex):
            if ex != act:
                bad.append("%s: %r != %r" % (path, ex, act))
        elif len(ex) == len(act):
            for i, (x, y) in enumerate(zip(ex, act)):
                bad += values_match(x, y, "%s[%d]" % (path, i))
    elif ex != act:
        bad.append("%s: %r != %r" % (path, ex, act))
    return bad


def compare(name, ex, act, exact_keys=False, values=True):
    problems = (same_keys(ex, act) if exact_keys else keys_subset(ex, act))
    if values:
        problems += values_match(ex, act)
    check(not problems, "%s: %s" % (name, "; ".join(problems[:6])))


# ---------- JWTs signed with the openssl CLI ----------

def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_thumb(algo):
    der = subprocess.run(["openssl", "x509", "-in", os.path.join(CERTS, "client.pem"),
                          "-outform", "DER"], check=True, capture_output=True).stdout
    return b64u(hashlib.new(algo, der).digest())


def make_jwt(header, claims, pss=False, sign=True):
    signing = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
    if not sign:
        return signing + "." + b64u(b"unsigned")
    cmd = ["openssl", "dgst", "-sha256", "-sign", os.path.join(CERTS, "client.key")]
    if pss:
        cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]
    sig = subprocess.run(cmd, input=signing.encode(), check=True, capture_output=True).stdout
    return signing + "." + b64u(sig)


def assertion_claims(emu, **over):
    now = int(time.time())
    c = {"aud": "https://127.0.0.1:%d/%s/oauth2/v2.0/token" % (emu.port, TENANT),
         "iss": CLIENT_ID, "sub": CLIENT_ID, "jti": str(uuid.uuid4()), "nbf": now,
         "exp": now + 600}
    c.update(over)
    return c


def assertion_form(jwt):
    return {"grant_type": "client_credentials", "client_id": CLIENT_ID,
            "scope": "https://graph.microsoft.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": jwt}


# ---------- the tests ----------

def test_tls(emu):
    try:
        c = emu.conn(ssl.create_default_context())
        c.request("GET", "/v1.0/organization")
        c.getresponse()
        check(False, "tls: a client without the test CA must refuse the certificate")
    except ssl.SSLCertVerificationError:
        check(True, "tls")
    ctx = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.pem"))
    c = http.client.HTTPSConnection("localhost", emu.port, context=ctx, timeout=10)
    c.request("GET", "/v1.0/organization")
    check(c.getresponse().status == 401, "tls: localhost SAN accepted")


def test_token(emu):
    base = {"grant_type": "client_credentials", "client_id": CLIENT_ID,
            "scope": "https://graph.microsoft.com/.default"}
    st, js = emu.token_request(dict(base, client_secret=SECRET))
    check(st == 200 and js["token_type"] == "Bearer" and isinstance(js["expires_in"], int)
          and js["expires_in"] > 0 and "ext_expires_in" in js, "token: secret grant %r" % st)
    SECRETS_SEEN.add(js.get("access_token", ""))
    ex = example("v2-oauth2-client-creds-grant-flow.token-response-200.json")
    if ex:
        compare("token: response keys", ex, js, values=False)
    st, js = emu.token_request(dict(base, client_secret=SECRET), tenant="contoso.onmicrosoft.com")
    check(st == 200, "token: tenant by domain name")
    st, js = emu.token_request(dict(base, client_secret="wrong"))
    check(st == 401 and js["error"] == "invalid_client" and 7000215 in js["error_codes"],
          "token: wrong secret -> 401 invalid_client")
    ex = example("v2-oauth2-client-creds-grant-flow.token-error-400.json")
    if ex:
        compare("token: error keys", ex, js, values=False)
    st, js = emu.token_request(dict(base, client_secret=SECRET,
                                    scope="https://graph.microsoft.com/.default https://x/.default"))
    check(st == 400 and js["error"] == "invalid_scope", "token: two scopes -> invalid_scope")
    st, js = emu.token_request(dict(base, client_secret=SECRET), tenant="nosuch.example")
    check(st == 400 and 90002 in js["error_codes"], "token: unknown tenant")
    st, js = emu.token_request(dict(base, client_secret=SECRET, client_id="other"))
    check(st == 400 and js["error"] == "unauthorized_client", "token: unknown client id")
    st, js = emu.token_request(dict(base))
    check(st == 401 and js["error"] == "invalid_client", "token: no credential")
    st, js = emu.token_request(dict(base, grant_type="password", client_secret=SECRET))
    check(st == 400 and js["error"] == "unsupported_grant_type", "token: grant type")
    # HTTP Basic client authentication
    b = base64.b64encode(("%s:%s" % (CLIENT_ID, SECRET)).encode()).decode()
    from urllib.parse import urlencode
    st, _, payload = emu.raw("POST", "/%s/oauth2/v2.0/token" % TENANT,
                             urlencode({"grant_type": "client_credentials",
                                        "scope": "https://graph.microsoft.com/.default"}),
                             {"Content-Type": "application/x-www-form-urlencoded",
                              "Authorization": "Basic " + b})
    check(st == 200, "token: HTTP Basic client authentication")


def test_assertions(emu):
    def try_jwt(jwt):
        st, js = emu.token_request(assertion_form(jwt))
        if st == 200:
            SECRETS_SEEN.add(js["access_token"])
        return st, js

    rs = {"alg": "RS256", "typ": "JWT", "x5t": cert_thumb("sha1")}
    ps = {"alg": "PS256", "typ": "JWT", "x5t#S256": cert_thumb("sha256")}
    st, js = try_jwt(make_jwt(rs, assertion_claims(emu)))
    check(st == 200 and "access_token" in js, "assertion: RS256 + x5t accepted (%s %s)" % (st, js))
    st, js = try_jwt(make_jwt(ps, assertion_claims(emu), pss=True))
    check(st == 200, "assertion: PS256 + x5t#S256 accepted (%s %s)" % (st, js))
    st, js = try_jwt(make_jwt(rs, assertion_claims(emu), pss=True))
    check(st == 401, "assertion: RS256 header over a PSS signature refused")
    st, js = try_jwt(make_jwt(rs, assertion_claims(emu, exp=int(time.time()) - 10)))
    check(st == 401 and 700024 in js["error_codes"], "assertion: expired")
    st, js = try_jwt(make_jwt(rs, assertion_claims(emu, aud="https://elsewhere/x/oauth2/v2.0/token")))
    check(st == 401, "assertion: wrong audience")
    st, js = try_jwt(make_jwt({"alg": "RS256", "typ": "JWT"}, assertion_claims(emu)))
    check(st == 401, "assertion: RS256 without x5t")
    st, js = try_jwt(make_jwt(dict(rs, x5t=b64u(b"0" * 20)), assertion_claims(emu)))
    check(st == 401, "assertion: thumbprint of another certificate")
    good = make_jwt(rs, assertion_claims(emu))
    tampered = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
    st, js = try_jwt(tampered)
    check(st == 401, "assertion: bad signature")
    now = int(time.time())
    fed = {"iss": FIC_ISS, "sub": FIC_SUB, "aud": "api://AzureADTokenExchange", "exp": now + 300,
           "nbf": now, "jti": str(uuid.uuid4())}
    st, js = try_jwt(make_jwt({"alg": "RS256", "kid": "gh"}, fed, sign=False))
    check(st == 200, "assertion: federated credential accepted (%s %s)" % (st, js))
    st, js = try_jwt(make_jwt({"alg": "RS256", "kid": "gh"}, dict(fed, sub="repo:evil/x:ref:main"),
                              sign=False))
    check(st == 401 and 70021 in js["error_codes"], "assertion: federated subject mismatch")


def test_auth_errors(emu):
    st, h, js = emu.get("/identity/conditionalAccess/policies", token=False)
    check(st == 401 and js["error"]["code"] == "InvalidAuthenticationToken",
          "auth: missing bearer token -> 401")
    inner = js["error"].get("innerError", {})
    check(set(inner) >= {"date", "request-id", "client-request-id"}, "auth: innerError keys")
    check(h.get("request-id") == inner.get("request-id"), "auth: request-id header = innerError")
    ex = example("error-401-InvalidAuthenticationToken.observed.json")
    if ex:
        compare("auth: 401 envelope", ex, js, exact_keys=True, values=False)
    st, _, js = emu.get("/users", headers={"Authorization": "Bearer not-a-token"}, token=False)
    check(st == 401, "auth: unknown token -> 401")
    st, h, _ = emu.get("/users", headers={"client-request-id": "abc-123"})
    check(st == 200 and h.get("client-request-id") == "abc-123" and h.get("request-id"),
          "headers: request-id and client-request-id echoed")
    st, _, js = emu.get("/nosuchthing")
    check(st == 400 and js["error"]["code"] == "BadRequest", "routing: unknown segment -> 400")


def post_policy(emu, body):
    return emu.post("/identity/conditionalAccess/policies", body)


MINIMAL = {"displayName": "min", "state": "disabled",
           "conditions": {"applications": {"includeApplications": ["None"]},
                          "users": {"includeUsers": ["None"]}},
           "grantControls": {"operator": "OR", "builtInControls": ["block"]}}


def test_ca_shapes(emu):
    ex_req = example("conditionalaccessroot-post-policies.ex1.request.json")
    if ex_req is None:
        skip("CA policy example comparison: ../shared is missing")
    else:
        st, h, js = post_policy(emu, ex_req)
        check(st == 201, "ca: POST ex1 -> 201 (%s %s)" % (st, js))
        if st == 201:
            compare("ca: ex1 response", example("conditionalaccessroot-post-policies.ex1.response-201.json"), js)
            check(js["modifiedDateTime"] is None and js["createdDateTime"].endswith("Z"),
                  "ca: timestamps on create")
        st, _, js = post_policy(emu, example("conditionalaccessroot-post-policies.ex3-all-conditions.request.json"))
        check(st == 201, "ca: POST ex3 (all conditions) -> 201 (%s %s)" % (st, js))
        if st == 201:
            sc = js["sessionControls"]
            check(sc["signInFrequency"] == {"value": 4, "type": "hours",
                                            "authenticationType": "primaryAndSecondaryAuthentication",
                                            "frequencyInterval": "timeBased", "isEnabled": True},
                  "ca: signInFrequency defaults %r" % sc["signInFrequency"])
            check(sc["applicationEnforcedRestrictions"] is None, "ca: null session control kept null")
            compare("ca: list item keys", example("conditionalaccessroot-list-policies.response-200.json")["value"][0], js, values=False)
        modern = example("demisto-content.msgraph-identity-ca-policy-create.response-201-v1.0-modern.json")
        body = {"displayName": "test", "state": "disabled",
                "conditions": {"applications": {"includeApplications": ["None"]},
                               "users": {"includeUsers": ["All"]},
                               "platforms": {"includePlatforms": ["iOS"]},
                               "signInRiskLevels": ["low"], "userRiskLevels": ["low"]},
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}}
        st, _, js = post_policy(emu, body)
        check(st == 201, "ca: POST modern -> 201")
        compare("ca: modern v1.0 response (exact keys)", modern, js, exact_keys=True)
        check(js["grantControls"]["authenticationStrength@odata.context"].endswith(
            "policies('%s')/grantControls/authenticationStrength/$entity" % js["id"]),
            "ca: authenticationStrength@odata.context annotation")
        tf = example("terraform-azuread.derived.ca-policy-post-and-patch-body.json")
        tf.pop("_note")
        st, _, js = post_policy(emu, tf)
        check(st == 400, "ca: terraform body with a non-existent excluded group -> 400")
        tf["conditions"]["users"]["excludeGroups"] = ["ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba"]
        st, _, js = post_policy(emu, tf)
        check(st == 201, "ca: terraform-shaped body (explicit nulls, @odata.type) -> 201 (%s)" % js)
    # GET / PATCH / DELETE round trip
    st, _, created = post_policy(emu, MINIMAL)
    pid = created["id"]
    st, _, got = emu.get("/identity/conditionalAccess/policies/" + pid)
    check(st == 200 and {k: v for k, v in got.items() if k != "@odata.context"} ==
          {k: v for k, v in created.items() if k != "@odata.context"}, "ca: GET equals POST body")
    st, _, js = emu.patch("/identity/conditionalAccess/policies/" + pid,
                          {"state": "enabledForReportingButNotEnforced",
                           "conditions": {"users": {"includeUsers": ["All"]}}})
    check(st == 204 and js is None, "ca: PATCH -> 204 without body")
    st, _, got = emu.get("/identity/conditionalAccess/policies/" + pid)
    check(got["state"] == "enabledForReportingButNotEnforced" and got["modifiedDateTime"]
          and got["conditions"]["users"]["includeUsers"] == ["All"]
          and got["conditions"]["applications"]["includeApplications"] == ["None"],
          "ca: PATCH merged (conditions.users replaced, applications kept)")
    st, _, _ = emu.patch("/identity/conditionalAccess/policies/" + pid, {"sessionControls": None})
    check(st == 204, "ca: PATCH sessionControls null")
    st, _, js = emu.get("/identity/conditionalAccess/policies?$filter=displayName eq 'MIN'&$select=id,state")
    check(st == 200 and len(js["value"]) == 1 and set(js["value"][0]) == {"id", "state"}
          and js["@odata.context"].endswith("#identity/conditionalAccess/policies(id,state)"),
          "ca: $filter eq (case-insensitive) + $select")
    st, _, js = emu.get("/identity/conditionalAccess/policies/$count")
    check(st == 200 and int(js) >= 1, "ca: $count segment")
    st, _, js = emu.delete("/identity/conditionalAccess/policies/" + pid)
    check(st == 204, "ca: DELETE -> 204")
    st, _, js = emu.get("/identity/conditionalAccess/policies/" + pid)
    check(st == 404 and js["error"]["code"] == "ResourceNotFound", "ca: GET deleted -> 404")
    st, _, js = emu.delete("/identity/conditionalAccess/policies/" + pid)
    check(st == 404, "ca: DELETE missing -> 404")


def expect_400(emu, body, what, inner=None):
    st, _, js = post_policy(emu, body)
    ok = st == 400 and js["error"]["code"] == "BadRequest"
    if ok and inner:
        ok = inner in js["error"].get("innerError", {}).get("message", "") or inner in js["error"]["message"]
    check(ok, "ca validation: %s (%s %s)" % (what, st, js))


def test_ca_validation(emu):
    b = copy.deepcopy(MINIMAL)
    b["color"] = "red"
    expect_400(emu, b, "unknown property", "unknown property 'color'")
    st, _, js = post_policy(emu, b)
    check(js["error"]["message"].startswith("1007:"), "ca validation: schema error is 1007")
    b = copy.deepcopy(MINIMAL)
    b["sessionControls"] = {"continuousAccessEvaluation": {"mode": "strictEnforcement"}}
    expect_400(emu, b, "beta-only session control")
    b = copy.deepcopy(MINIMAL)
    b["state"] = "on"
    expect_400(emu, b, "bad enum")
    b = copy.deepcopy(MINIMAL)
    b["state"] = "ENABLEDforReportingButNotEnforced"
    b["conditions"]["clientAppTypes"] = ["Browser"]
    st, _, js = post_policy(emu, b)
    check(st == 201 and js["state"] == "enabledForReportingButNotEnforced"
          and js["conditions"]["clientAppTypes"] == ["browser"],
          "ca validation: enums case-insensitive, stored canonical")
    b = copy.deepcopy(MINIMAL)
    b["grantControls"]["builtInControls"] = ["block", "mfa"]
    expect_400(emu, b, "block with other controls")
    b = copy.deepcopy(MINIMAL)
    del b["conditions"]["users"]
    expect_400(emu, b, "missing users condition")
    b = copy.deepcopy(MINIMAL)
    b["conditions"]["applications"] = {"includeApplications": []}
    expect_400(emu, b, "missing applications")
    b = copy.deepcopy(MINIMAL)
    b["grantControls"] = None
    expect_400(emu, b, "no grant and no session control")
    b = copy.deepcopy(MINIMAL)
    b["grantControls"] = {"operator": "OR", "builtInControls": ["passwordChange"]}
    expect_400(emu, b, "passwordChange alone", "1032:")
    b = copy.deepcopy(MINIMAL)
    b["grantControls"] = {"operator": "OR", "builtInControls": ["mfa"],
                          "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}}
    expect_400(emu, b, "mfa with authenticationStrength")
    b = copy.deepcopy(MINIMAL)
    b["conditions"]["locations"] = {"includeLocations": ["6a4e2a5c-0000-4000-8000-000000000000"]}
    expect_400(emu, b, "unknown named location")
    b = copy.deepcopy(MINIMAL)
    b["grantControls"] = {"operator": "OR", "builtInControls": ["mfa"]}
    b["sessionControls"] = {"signInFrequency": {"isEnabled": True}}
    expect_400(emu, b, "signInFrequency without value/type")
    b["sessionControls"] = {"signInFrequency": {"isEnabled": True, "frequencyInterval": "everyTime",
                                                "value": 1, "type": "hours"}}
    expect_400(emu, b, "everyTime with a value")
    b["sessionControls"] = {"applicationEnforcedRestrictions": {"isEnabled": False}}
    st, _, js = post_policy(emu, b)
    check(st == 201 and js["sessionControls"] is None, "ca validation: ineffectual sessionControls -> null")
    b = copy.deepcopy(MINIMAL)
    b["grantControls"] = {"operator": "OR",
                          "authenticationStrength": {"@odata.type": "#microsoft.graph.authenticationStrengthPolicy",
                                                     "id": "00000000-0000-0000-0000-000000000004"}}
    st, _, js = post_policy(emu, b)
    check(st == 201 and js["grantControls"]["authenticationStrength"]["displayName"] == "Phishing resistant MFA",
          "ca: authenticationStrength by id, expanded on read")
    b = copy.deepcopy(MINIMAL)
    b["conditions"]["users"] = {"includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "internalGuest, B2bCollaborationGuest",
        "externalTenants": {"membershipKind": "all", "members": ["x"]}}}
    expect_400(emu, b, "externalTenants all with members")
    b["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"] = {"membershipKind": "all"}
    st, _, js = post_policy(emu, b)
    g = js.get("conditions", {}).get("users", {}).get("includeGuestsOrExternalUsers") if st == 201 else None
    check(g and g["guestOrExternalUserTypes"] == "internalGuest,b2bCollaborationGuest"
          and g["externalTenants"]["@odata.type"] == "#microsoft.graph.conditionalAccessAllExternalTenants",
          "ca: guest types flags canonicalised (%s %s)" % (st, js))


def test_named_locations(emu):
    base = "/identity/conditionalAccess/namedLocations"
    if SHARED:
        for n in ("ex1-ip", "ex2-country"):
            req = example("conditionalaccessroot-post-namedlocations.%s.request.json" % n)
            st, _, js = emu.post(base, req)
            check(st == 201, "nl: POST %s -> 201 (%s)" % (n, js))
            compare("nl: %s response" % n, example("conditionalaccessroot-post-namedlocations.%s.response-201.json" % n), js)
            check(js["createdDateTime"] == js["modifiedDateTime"], "nl: timestamps equal on create")
            if n == "ex1-ip":
                ip_id = js["id"]
        st, _, js = emu.patch(base + "/" + ip_id, example("ipnamedlocation-update.request.json"))
        check(st == 204, "nl: PATCH example -> 204")
        st, _, js = emu.get(base + "/" + ip_id)
        check(js["ipRanges"] == [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "6.5.4.3/18"}],
              "nl: PATCH replaced ipRanges")
    else:
        skip("named location example comparison: ../shared is missing")
    ip = {"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Wide", "isTrusted": True,
          "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "10.0.0.0/7"}]}
    st, _, js = emu.post(base, ip)
    check(st == 400, "nl: IPv4 wider than /8 -> 400")
    ip["ipRanges"][0]["cidrAddress"] = "10.0.0.0/8"
    st, _, js = emu.post(base, ip)
    check(st == 201 and js["isTrusted"] is True, "nl: /8 accepted")
    lid = js["id"]
    st, _, js = emu.post(base, {"displayName": "untyped", "ipRanges": []})
    check(st == 400, "nl: POST without @odata.type -> 400")
    st, _, js = emu.patch(base + "/" + lid, {"displayName": "x"})
    check(st == 400, "nl: PATCH without @odata.type -> 400")
    st, _, js = emu.post(base, {"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "bad",
                                "ipRanges": [{"cidrAddress": "1.2.3.0/24"}]})
    check(st == 400, "nl: ipRange without @odata.type -> 400")
    st, _, js = emu.delete(base + "/" + lid)
    check(st == 400, "nl: deleting a trusted location -> 400")
    st, _, _ = emu.patch(base + "/" + lid, {"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": False})
    check(st == 204, "nl: untrust")
    pol = copy.deepcopy(MINIMAL)
    pol["conditions"]["locations"] = {"includeLocations": [lid]}
    st, _, pjs = post_policy(emu, pol)
    check(st == 201 and pjs["conditions"]["locations"] == {"includeLocations": [lid], "excludeLocations": []},
          "nl: policy referencing the location")
    st, _, js = emu.delete(base + "/" + lid)
    check(st == 400, "nl: deleting a referenced location -> 400")
    emu.delete("/identity/conditionalAccess/policies/" + pjs["id"])
    st, _, js = emu.delete(base + "/" + lid)
    check(st == 204, "nl: delete after untrust -> 204")
    st, _, js = emu.get(base + "/00000000-0000-0000-0000-000000000000")
    check(st == 404 and js["error"]["code"] == "ResourceNotFound" and js["error"]["message"] ==
          "NamedLocation with id 00000000-0000-0000-0000-000000000000 does not exist in the directory.",
          "nl: 404 text as Graph")
    ex = example("issue-DCToolbox-5.error-ResourceNotFound-namedlocation.json")
    if ex:
        compare("nl: 404 envelope", ex, js, exact_keys=True)


def test_strengths(emu):
    base = "/policies/authenticationStrengthPolicies"
    st, _, js = emu.get(base)
    check(st == 200 and len(js["value"]) == 3, "strength: three built-ins")
    ex = example("authenticationstrengthroot-list-policies.response-200.json")
    if ex:
        for e, a in zip(ex["value"], js["value"]):
            compare("strength: built-in %s" % e["id"], e, a)
    req = example("authenticationstrengthroot-post-policies.request.json") or {
        "displayName": "Contoso authentication level", "allowedCombinations": ["password, hardwareOath", "password, sms"]}
    st, _, js = emu.post(base, req)
    check(st == 201 and js["policyType"] == "custom" and js["requirementsSatisfied"] == "mfa",
          "strength: POST -> 201 custom/mfa")
    check(js.get("allowedCombinations") == ["password,hardwareOath", "password,sms"],
          "strength: combinations stored canonical")
    ex = example("authenticationstrengthroot-post-policies.response-201.json")
    if ex:
        ex = dict(ex)
        ex.pop("@odata.type")
        ex.pop("allowedCombinations")
        compare("strength: POST response", ex, js)
    sid = js["id"]
    pol = copy.deepcopy(MINIMAL)
    pol["grantControls"] = {"operator": "OR", "authenticationStrength": {"id": sid}}
    st, _, pjs = post_policy(emu, pol)
    check(st == 201, "strength: referenced by a policy")
    body = example("authenticationstrengthpolicy-updateallowedcombinations.request.json") or {"allowedCombinations": ["password, voice"]}
    st, _, js = emu.post(base + "/" + sid + "/updateAllowedCombinations", body)
    check(st == 200 and js["currentCombinations"] == ["password,voice"]
          and js["conditionalAccessReferences"] == [pjs["id"]], "strength: updateAllowedCombinations")
    ex = example("authenticationstrengthpolicy-updateallowedcombinations.response-200.json")
    if ex:
        compare("strength: updateAllowedCombinations response", ex, js, values=False)
    st, _, js = emu.get(base + "/" + sid + "/usage")
    check(st == 200 and [p["id"] for p in js["mfa"]] == [pjs["id"]] and js["none"] == [], "strength: usage")
    st, _, js = emu.patch(base + "/" + sid, {"allowedCombinations": ["fido2"]})
    check(st == 400, "strength: PATCH allowedCombinations -> 400")
    st, _, js = emu.patch(base + "/" + sid, {"displayName": "Renamed"})
    check(st == 204, "strength: PATCH displayName -> 204")
    st, _, js = emu.delete(base + "/" + sid)
    check(st == 400, "strength: delete referenced -> 400")
    st, _, js = emu.delete(base + "/00000000-0000-0000-0000-000000000002")
    check(st == 400, "strength: delete built-in -> 400")
    st, _, js = emu.post(base, {"displayName": "x", "allowedCombinations": ["password,telepathy"]})
    check(st == 400, "strength: unknown method mode -> 400")
    st, _, js = emu.post(base, {"displayName": "weak", "allowedCombinations": ["password", "sms"]})
    check(st == 201 and js["requirementsSatisfied"] == "none", "strength: single factor -> none")
    emu.delete("/identity/conditionalAccess/policies/" + pjs["id"])
    st, _, js = emu.delete(base + "/" + sid)
    check(st == 204, "strength: delete unreferenced -> 204")
    st, _, js = emu.get("/identity/conditionalAccess/authenticationStrength/policies")
    check(st == 200 and len(js["value"]) == 4, "strength: alias path")
    # combination configurations (Graph v1.0 authenticationCombinationConfiguration)
    st, _, js = emu.post(base, {"displayName": "keys", "allowedCombinations": ["fido2", "x509CertificateMultiFactor"]})
    kid = js["id"]
    cc = base + "/" + kid + "/combinationConfigurations"
    fido = {"@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
            "appliesToCombinations": ["fido2"], "allowedAAGUIDs": ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]}
    st, _, js = emu.post(cc, fido)
    check(st == 201 and js.get("id") and js["allowedAAGUIDs"] == fido["allowedAAGUIDs"],
          "strength: POST fido2 combination configuration -> 201 with an id")
    cid = js.get("id")
    st, _, js = emu.get(base + "/" + kid)
    check([c["id"] for c in js["combinationConfigurations"]] == [cid],
          "strength: the configuration shows in the strength")
    st, _, js = emu.patch(cc + "/" + cid, {"@odata.type": fido["@odata.type"], "allowedAAGUIDs": []})
    check(st == 204, "strength: PATCH configuration -> 204")
    st, _, js = emu.post(cc, {"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
                              "appliesToCombinations": ["fido2"], "allowedIssuerSkis": []})
    check(st == 400, "strength: x509 configuration applied to fido2 -> 400")
    st, _, js = emu.post(cc, {"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
                              "appliesToCombinations": ["x509CertificateMultiFactor"],
                              "allowedPolicyOIDs": ["1.3.6.1.4.1.311.21.8.1"]})
    check(st == 201, "strength: POST x509 configuration -> 201")
    st, _, js = emu.delete(cc + "/" + cid)
    check(st == 204, "strength: DELETE configuration -> 204")
    st, _, js = emu.post(base + "/00000000-0000-0000-0000-000000000002/combinationConfigurations", fido)
    check(st == 400, "strength: configuration on a built-in -> 400")
    emu.delete(base + "/" + kid)


# The authenticationContextClassReference shape of the Graph v1.0 reference ("Update
# authenticationContextClassReference", "List authenticationContextClassReferences"): an upsert
# PATCH by id answered 204, and a list whose items carry exactly these four properties.
CONTEXT_KEYS = {"id", "displayName", "description", "isAvailable"}


def test_contexts(emu):
    base = "/identity/conditionalAccess/authenticationContextClassReferences"
    st, _, js = emu.get(base)
    check(st == 200 and js["value"] == [] and js["@odata.context"].endswith(
        "$metadata#identity/conditionalAccess/authenticationContextClassReferences"),
        "context: empty list with its @odata.context")
    body = {"displayName": "Contoso medium", "description": "Medium protection level",
            "isAvailable": True}
    st, _, js = emu.patch(base + "/c1", body)
    check(st == 204, "context: PATCH of an unused id creates it -> 204")
    st, _, js = emu.get(base + "/c1")
    check(st == 200 and set(k for k in js if not k.startswith("@")) == CONTEXT_KEYS
          and js["id"] == "c1" and js["isAvailable"] is True, "context: GET shape")
    st, _, js = emu.patch(base + "/c1", {"isAvailable": False})
    check(st == 204, "context: PATCH of a used id updates it -> 204")
    st, _, js = emu.get(base)
    item = js["value"][0]
    check(len(js["value"]) == 1 and item["displayName"] == "Contoso medium"
          and item["isAvailable"] is False and set(item) == CONTEXT_KEYS,
          "context: list after update (one object, merged)")
    st, _, js = emu.patch(base + "/c100", body)
    check(st == 400, "context: id c100 -> 400")
    st, _, js = emu.patch(base + "/c2", {"displayName": "x", "bogus": 1})
    check(st == 400, "context: unknown property -> 400")
    pol = copy.deepcopy(MINIMAL)
    pol["conditions"]["applications"] = {"includeAuthenticationContextClassReferences": ["c1"]}
    st, _, pjs = post_policy(emu, pol)
    check(st == 201, "context: referenced by a policy")
    st, _, js = emu.delete(base + "/c1")
    check(st == 400, "context: delete referenced -> 400")
    emu.delete("/identity/conditionalAccess/policies/" + pjs["id"])
    emu.patch(base + "/c1", {"isAvailable": True})
    st, _, js = emu.delete(base + "/c1")
    check(st == 403, "context: delete a published one -> 403")
    emu.patch(base + "/c1", {"isAvailable": False})
    st, _, js = emu.delete(base + "/c1")
    check(st == 204, "context: delete unreferenced and unpublished -> 204")


def test_group_lifecycle(emu):
    """groupLifecyclePolicies (Graph v1.0 groupLifecyclePolicy): one per tenant."""
    base = "/groupLifecyclePolicies"
    st, _, js = emu.get(base)
    check(st == 200 and js["value"] == [], "lifecycle: empty list")
    body = {"groupLifetimeInDays": 180, "managedGroupTypes": "All",
            "alternateNotificationEmails": "admin@contoso.com"}
    st, _, js = emu.post(base, body)
    check(st == 201 and set(k for k in js if not k.startswith("@")) ==
          {"id", "groupLifetimeInDays", "managedGroupTypes", "alternateNotificationEmails"},
          "lifecycle: POST -> 201 with the resource's four properties")
    pid = js["id"]
    st, _, js = emu.post(base, body)
    check(st == 400, "lifecycle: a second policy -> 400")
    st, _, js = emu.patch(base + "/" + pid, {"groupLifetimeInDays": 365})
    check(st == 200 and js["groupLifetimeInDays"] == 365 and js["managedGroupTypes"] == "All",
          "lifecycle: PATCH -> 200 merged")
    st, _, js = emu.patch(base + "/" + pid, {"groupLifetimeInDays": 10})
    check(st == 400, "lifecycle: lifetime under 30 days -> 400")
    st, _, js = emu.patch(base + "/" + pid, {"managedGroupTypes": "Some"})
    check(st == 400, "lifecycle: unknown managedGroupTypes -> 400")
    st, _, js = emu.post(base + "/" + pid + "/addGroup", {"groupId": "ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba"})
    check(st == 400, "lifecycle: addGroup on a policy for all groups -> 400")
    st, _, js = emu.delete(base + "/" + pid)
    check(st == 204, "lifecycle: DELETE -> 204")
    # applied to selected groups (Graph v1.0 "groupLifecyclePolicy: addGroup" / "removeGroup",
    # "List groupLifecyclePolicies" of a group): the published request body {"groupId"}, the
    # response {"value": true}
    st, _, js = emu.post("/groups", {"displayName": "Lifecycle M365", "mailEnabled": True,
                                     "mailNickname": "lifecyclem365", "securityEnabled": False,
                                     "groupTypes": ["Unified"]})
    check(st == 201, "lifecycle: a Microsoft 365 group")
    gid = js["id"]
    st, _, js = emu.post(base, dict(body, managedGroupTypes="Selected"))
    check(st == 201 and js["managedGroupTypes"] == "Selected", "lifecycle: POST Selected -> 201")
    pid = js["id"]
    st, _, js = emu.get("/groups/" + gid + "/groupLifecyclePolicies")
    check(st == 200 and js["value"] == [], "lifecycle: the group has no policy yet")
    st, _, js = emu.post(base + "/" + pid + "/addGroup", {"groupId": gid})
    check(st == 200 and js["value"] is True, "lifecycle: addGroup -> 200 {value: true}")
    st, _, js = emu.post(base + "/" + pid + "/addGroup", {"groupId": gid})
    check(st == 200 and js["value"] is False, "lifecycle: addGroup again -> {value: false}")
    st, _, js = emu.get("/groups/" + gid + "/groupLifecyclePolicies")
    check(st == 200 and [p["id"] for p in js["value"]] == [pid]
          and set(k for k in js["value"][0] if not k.startswith("@")) ==
          {"id", "groupLifetimeInDays", "managedGroupTypes", "alternateNotificationEmails"},
          "lifecycle: GET /groups/{id}/groupLifecyclePolicies lists the policy")
    st, _, js = emu.post(base + "/" + pid + "/addGroup",
                         {"groupId": "ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba"})
    check(st == 400, "lifecycle: addGroup of a security group -> 400")
    st, _, js = emu.post(base + "/" + pid + "/addGroup", {"groupId": str(uuid.uuid4())})
    check(st == 404, "lifecycle: addGroup of an unknown group -> 404")
    st, _, js = emu.post(base + "/" + pid + "/removeGroup", {"groupId": gid})
    check(st == 200 and js["value"] is True, "lifecycle: removeGroup -> 200 {value: true}")
    st, _, js = emu.get("/groups/" + gid + "/groupLifecyclePolicies")
    check(st == 200 and js["value"] == [], "lifecycle: removed")
    emu.delete(base + "/" + pid)
    emu.delete("/groups/" + gid)


# Graph v1.0 "Get adminConsentRequestPolicy" (response) and "Update adminConsentRequestPolicy"
# (request): the published examples' shapes; the example's two reviewer users are two users of
# the fixture here (a reviewer must exist).
CONSENT_GET_KEYS = {"isEnabled", "notifyReviewers", "remindersEnabled", "requestDurationInDays",
                    "version", "reviewers"}
CONSENT_REVIEWER_KEYS = {"query", "queryType", "queryRoot"}
CONSENT_USERS = ["a702a13d-a437-4a07-8a7e-8c052de62dfd", "26be1845-4119-4801-a799-aea79d09f1a2"]
CONSENT_PUT_EXAMPLE = {
    "isEnabled": True, "notifyReviewers": True, "remindersEnabled": True,
    "requestDurationInDays": 5,
    "reviewers": [{"query": "/users/" + u, "queryType": "MicrosoftGraph"} for u in CONSENT_USERS]}


def test_admin_consent(emu):
    """/policies/adminConsentRequestPolicy: GET, and PUT of every property (204)."""
    path = "/policies/adminConsentRequestPolicy"
    st, _, js = emu.get(path)
    check(st == 200 and set(k for k in js if not k.startswith("@")) == CONSENT_GET_KEYS
          and js["isEnabled"] is False and js["reviewers"] == [],
          "admin consent: GET shape of a new tenant (the published response's keys)")
    st, _, js = emu.put(path, CONSENT_PUT_EXAMPLE)
    check(st == 204, "admin consent: PUT of the published request -> 204")
    st, _, js = emu.get(path)
    check(st == 200 and set(k for k in js if not k.startswith("@")) == CONSENT_GET_KEYS
          and js["isEnabled"] is True and js["requestDurationInDays"] == 5 and js["version"] == 1
          and all(set(r) == CONSENT_REVIEWER_KEYS and r["queryRoot"] is None
                  for r in js["reviewers"])
          and [r["query"] for r in js["reviewers"]] == ["/users/" + u for u in CONSENT_USERS],
          "admin consent: GET after PUT (reviewers with queryRoot null, version counted)")
    role = ("/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq "
            "'158c047a-c907-4556-b7ef-446551a6b5f7'")
    body = dict(CONSENT_PUT_EXAMPLE, reviewers=[
        {"query": role, "queryType": "MicrosoftGraph"},
        {"query": "/groups/ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba/transitiveMembers/microsoft.graph.user",
         "queryType": "MicrosoftGraph"}])
    st, _, js = emu.put(path, body)
    check(st == 204, "admin consent: role and group reviewers -> 204")
    for what, bad, code in (
            ("missing reviewers", {k: v for k, v in CONSENT_PUT_EXAMPLE.items() if k != "reviewers"}, 400),
            ("enabled without reviewers", dict(CONSENT_PUT_EXAMPLE, reviewers=[]), 400),
            ("31 days", dict(CONSENT_PUT_EXAMPLE, requestDurationInDays=31), 400),
            ("unknown property", dict(CONSENT_PUT_EXAMPLE, bogus=1), 400),
            ("unknown user", dict(CONSENT_PUT_EXAMPLE, reviewers=[
                {"query": "/users/00000000-0000-0000-0000-00000000dead", "queryType": "MicrosoftGraph"}]), 404)):
        st, _, js = emu.put(path, bad)
        check(st == code, "admin consent: %s -> %d" % (what, code))
    st, _, js = emu.patch(path, {"isEnabled": False})
    check(st == 405, "admin consent: PATCH -> 405 (the update is a PUT)")
    st, _, js = emu.get(path)
    check(js["version"] == 2 and js["requestDurationInDays"] == 5,
          "admin consent: failed PUTs changed nothing")


# Microsoft's published examples of Graph v1.0 "Get onPremisesDirectorySynchronization" (the
# response, shortened there "for readability": no @odata.context here) and "Update
# onPremisesDirectorySynchronization" (the request), learn.microsoft.com/graph/api/
# onpremisesdirectorysynchronization-get and -update.
ONPREM_GET_EXAMPLE = {
    "id": "12cce4b4-4ab8-40b7-be4d-f5d7742ec185",
    "configuration": {"accidentalDeletionPrevention": {
        "synchronizationPreventionType": "enabledForCount", "alertThreshold": 500}},
    "features": {
        "passwordSyncEnabled": False, "passwordWritebackEnabled": False,
        "directoryExtensionsEnabled": False, "quarantineUponUpnConflictEnabled": True,
        "quarantineUponProxyAddressesConflictEnabled": True, "softMatchOnUpnEnabled": True,
        "cloudPasswordPolicyForPasswordSyncedUsersEnabled": False,
        "fopeConflictResolutionEnabled": False, "unifiedGroupWritebackEnabled": False,
        "userWritebackEnabled": False, "deviceWritebackEnabled": False,
        "synchronizeUpnForManagedUsersEnabled": True, "userForcePasswordChangeOnLogonEnabled": False,
        "concurrentOrgIdProvisioningEnabled": False, "concurrentCredentialUpdateEnabled": False,
        "groupWriteBackEnabled": False, "blockSoftMatchEnabled": False,
        "blockCloudObjectTakeoverThroughHardMatchEnabled": False,
        "bypassDirSyncOverridesEnabled": False}}
ONPREM_UPDATE_EXAMPLE = {
    "configuration": {"accidentalDeletionPrevention": {
        "synchronizationPreventionType": "enabledForCount", "alertThreshold": 500}},
    "features": {"groupWriteBackEnabled": True}}


def test_onprem_sync(emu):
    """directory/onPremisesSynchronization: one object per tenant, GET and PATCH only."""
    base = "/directory/onPremisesSynchronization"
    st, _, js = emu.get(base)
    check(st == 200 and len(js["value"]) == 1 and js["@odata.context"].endswith(
        "$metadata#directory/onPremisesSynchronization"), "onprem: list of one object")
    item = js["value"][0]
    check(item["id"] == TENANT, "onprem: its id is the tenant id")
    compare("onprem: GET shape = the published example", ONPREM_GET_EXAMPLE, item,
            exact_keys=True, values=False)
    check(item["features"] == ONPREM_GET_EXAMPLE["features"],
          "onprem: a new tenant's flags are the example's")
    st, _, js = emu.get(base + "/" + TENANT)
    check(st == 200 and js["id"] == TENANT and "features" in js, "onprem: GET by id")
    st, _, js = emu.patch(base + "/" + TENANT, ONPREM_UPDATE_EXAMPLE)
    check(st == 204, "onprem: PATCH of the published example -> 204")
    st, _, js = emu.get(base + "/" + TENANT)
    check(js["features"]["groupWriteBackEnabled"] is True
          and js["features"]["quarantineUponUpnConflictEnabled"] is True
          and len(js["features"]) == len(ONPREM_GET_EXAMPLE["features"]),
          "onprem: PATCH merges one flag into the others")
    st, _, js = emu.patch(base + "/" + TENANT, {"features": {"blockSoftMatchEnabled": True,
                                                             "blockCloudObjectTakeoverThroughHardMatchEnabled": True,
                                                             "passwordSyncEnabled": True}})
    st, _, js = emu.get(base + "/" + TENANT)
    check(js["features"]["blockSoftMatchEnabled"] and js["features"]["passwordSyncEnabled"],
          "onprem: Microsoft's recommended flags set")
    st, _, js = emu.patch(base + "/" + TENANT, {"features": {"noSuchFlagEnabled": True}})
    check(st == 400, "onprem: unknown feature -> 400")
    st, _, js = emu.patch(base + "/" + TENANT, {"features": {"passwordSyncEnabled": "yes"}})
    check(st == 400, "onprem: non-boolean feature -> 400")
    st, _, js = emu.patch(base + "/" + TENANT, {"configuration": {"synchronizationInterval": "PT30M"}})
    check(st == 400, "onprem: a beta-only configuration property -> 400")
    st, _, js = emu.patch(base + "/" + TENANT, {"configuration": {"accidentalDeletionPrevention": {
        "synchronizationPreventionType": "sometimes"}}})
    check(st == 400, "onprem: unknown prevention type -> 400")
    st, _, js = emu.post(base, {"features": {}})
    check(st == 405, "onprem: POST (create is not supported) -> 405")
    st, _, js = emu.delete(base + "/" + TENANT)
    check(st == 405, "onprem: DELETE (delete is not supported) -> 405")
    st, _, js = emu.get(base + "/00000000-0000-0000-0000-000000000000")
    check(st == 404, "onprem: another id -> 404")
    # back to the example's state, for the tests after this one
    emu.patch(base + "/" + TENANT, {"features": ONPREM_GET_EXAMPLE["features"]})


# Microsoft's published v1.0 examples of "Get x509CertificateAuthenticationMethodConfiguration"
# (the default configuration) and "Update x509CertificateAuthenticationMethodConfiguration".
X509_GET_EXAMPLE = {
    "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
    "id": "X509Certificate", "state": "disabled",
    "certificateUserBindings": [
        {"x509CertificateField": "PrincipalName", "userProperty": "onPremisesUserPrincipalName",
         "priority": 1},
        {"x509CertificateField": "RFC822Name", "userProperty": "userPrincipalName", "priority": 2}],
    "authenticationModeConfiguration": {
        "x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor", "rules": []},
    "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}],
    "excludeTargets": []}
X509_UPDATE_EXAMPLE = {
    "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
    "id": "X509Certificate", "state": "enabled",
    "certificateUserBindings": [
        {"x509CertificateField": "PrincipalName", "userProperty": "onPremisesUserPrincipalName",
         "priority": 1}],
    "authenticationModeConfiguration": {
        "x509CertificateAuthenticationDefaultMode": "x509CertificateMultiFactor",
        "rules": [
            {"x509CertificateRuleType": "issuerSubject", "identifier": "CN=ContosoCA,DC=Contoso,DC=org ",
             "x509CertificateAuthenticationMode": "x509CertificateMultiFactor"},
            {"x509CertificateRuleType": "policyOID", "identifier": "1.2.3.4",
             "x509CertificateAuthenticationMode": "x509CertificateMultiFactor"}]},
    "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}]}


def test_x509(emu):
    base = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/"
    st, _, js = emu.get(base + "X509Certificate")
    check(st == 200, "x509: GET")
    compare("x509: GET = the published default", X509_GET_EXAMPLE, js, exact_keys=True)
    st, _, js = emu.patch(base + "x509Certificate", X509_UPDATE_EXAMPLE)
    check(st == 204, "x509: PATCH of the published example -> 204 (id case-insensitive)")
    st, _, js = emu.get(base + "X509Certificate")
    check(js["authenticationModeConfiguration"] == X509_UPDATE_EXAMPLE["authenticationModeConfiguration"]
          and js["certificateUserBindings"] == X509_UPDATE_EXAMPLE["certificateUserBindings"],
          "x509: the update is stored")
    bad = {"@odata.type": X509_UPDATE_EXAMPLE["@odata.type"], "certificateUserBindings": [
        {"x509CertificateField": "PrincipalName", "userProperty": "userPrincipalName", "priority": 1},
        {"x509CertificateField": "RFC822Name", "userProperty": "userPrincipalName", "priority": 1}]}
    st, _, js = emu.patch(base + "X509Certificate", bad)
    check(st == 400, "x509: two bindings with one priority -> 400")
    bad["certificateUserBindings"] = [{"x509CertificateField": "Subject", "userProperty": "mail",
                                       "priority": 1}]
    st, _, js = emu.patch(base + "X509Certificate", bad)
    check(st == 400, "x509: an undocumented field or property -> 400")
    emu.patch(base + "X509Certificate", X509_GET_EXAMPLE)  # back to the default


def test_policies(emu):
    st, _, js = emu.get("/policies/authenticationMethodsPolicy")
    check(st == 200 and js["id"] == "authenticationMethodsPolicy", "methods: GET")
    ex = example("authenticationmethodspolicy-get.response-200.json")
    if ex:
        compare("methods: GET shape", ex, js, values=False)
    body = example("authenticationmethodspolicy-update.request.json") or {
        "registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {"state": "enabled"}}}
    body["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"]["includeTargets"] = [
        {"id": "ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba", "targetType": "group",
         "targetedAuthenticationMethod": "microsoftAuthenticator"}]
    st, _, js = emu.patch("/policies/authenticationMethodsPolicy", body)
    check(st == 200 and js["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"]["state"] == "enabled",
          "methods: PATCH -> 200 with the policy")
    st, _, js = emu.patch("/policies/authenticationMethodsPolicy", {"bogus": 1})
    check(st == 400, "methods: unknown property -> 400")
    fido = example("fido2authenticationmethodconfiguration-update.request.json") or {
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "state": "enabled",
        "isAttestationEnforced": "true"}
    p = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2"
    st, _, js = emu.patch(p, fido)
    check(st == 204, "methods: fido2 PATCH (lowercase id) -> 204")
    st, _, js = emu.get(p)
    check(js["state"] == "enabled" and js["isAttestationEnforced"] is True and js["id"] == "Fido2",
          "methods: fido2 updated")
    st, _, js = emu.patch(p, {"state": "disabled"})
    check(st == 400, "methods: config PATCH without @odata.type -> 400")
    st, _, js = emu.patch("/policies/identitySecurityDefaultsEnforcementPolicy",
                          example("identitysecuritydefaultsenforcementpolicy-update.request.json") or {"isEnabled": False})
    check(st == 204, "security defaults: PATCH -> 204")
    st, _, js = emu.get("/policies/identitySecurityDefaultsEnforcementPolicy")
    check(st == 200 and js["isEnabled"] is False, "security defaults: GET")
    st, _, js = emu.patch("/policies/authorizationPolicy",
                          {"defaultUserRolePermissions": {"allowedToCreateSecurityGroups": False}})
    check(st == 204, "authorizationPolicy: PATCH -> 204")
    st, _, js = emu.get("/policies/authorizationPolicy")
    d = js["defaultUserRolePermissions"]
    check(d["allowedToCreateSecurityGroups"] is False and d["allowedToCreateApps"] is True,
          "authorizationPolicy: nested merge")
    st, _, js = emu.patch("/policies/authorizationPolicy", {"allowInvitesFrom": "aliens"})
    check(st == 400, "authorizationPolicy: bad enum -> 400")


def test_group_settings(emu):
    req = example("group-post-settings.ex1-tenant-group-unified.request.json") or {
        "templateId": "62375ab9-6b52-47ed-826b-58e47e0e304b",
        "values": [{"name": "EnableMIPLabels", "value": "true"}]}
    st, _, js = emu.post("/groupSettings", req)
    check(st == 201 and js["displayName"] is None and js["templateId"] == req["templateId"],
          "settings: POST -> 201")
    ex = example("group-post-settings.ex1-tenant-group-unified.response-201.json")
    if ex:
        compare("settings: POST response", ex, js, values=False)
        given = {v["name"]: v["value"] for v in req["values"]}
        got = {v["name"]: v["value"] for v in js["values"]}
        check(all(got.get(k) == v for k, v in given.items()) and got.get("EnableGroupCreation") == "True",
              "settings: values echoed + template defaults")
    sid = js["id"]
    st, _, js = emu.get("/groupSettings/" + sid)
    check(js["displayName"] == "Group.Unified", "settings: displayName from the template on GET")
    st, _, js = emu.post("/groupSettings", req)
    check(st == 400, "settings: second Group.Unified -> 400")
    st, _, js = emu.post("/groupSettings", {"templateId": "62375ab9-6b52-47ed-826b-58e47e0e304b",
                                            "values": [{"name": "NoSuch", "value": "1"}]})
    check(st == 400, "settings: unknown setting name -> 400")
    st, _, js = emu.patch("/groupSettings/" + sid, {"values": [{"name": "EnableGroupCreation", "value": "false"}]})
    check(st == 204, "settings: PATCH -> 204")
    st, _, js = emu.get("/groupSettingTemplates")
    check(st == 200 and any(t["displayName"] == "Group.Unified" for t in js["value"]), "settings: templates")


def test_groups(emu):
    if SHARED:
        st, _, js = emu.post("/groups", example("group-post-groups.ex1-m365.request.json"))
        check(st == 201 and js["visibility"] == "Public" and js["mail"] == "library@contoso.onmicrosoft.com",
              "groups: POST M365 -> 201 (%s)" % js)
        st, _, js = emu.post("/groups", example("group-post-groups.ex2-security-with-owners-members.request.json"))
        check(st == 201, "groups: POST with owners/members -> 201 (%s)" % js)
        compare("groups: ex2 response", example("group-post-groups.ex2-security-with-owners-members.response-201.json"), js)
        gid = js["id"]
        st, _, js = emu.get("/groups/%s/members" % gid)
        check(st == 200 and sorted(m["id"] for m in js["value"]) ==
              ["69456242-0067-49d3-ba96-9de6f2728e14", "ff7cb387-6688-423c-8188-3da9532a73cc"]
              and js["value"][0]["@odata.type"] == "#microsoft.graph.user", "groups: members bound at create")
        st, _, js = emu.get("/groups/%s/owners" % gid)
        check([o["id"] for o in js["value"]] == ["26be1845-4119-4801-a799-aea79d09f1a2"], "groups: owner bound")
        st, _, js = emu.post("/groups", example("group-post-groups.ex3-role-assignable.request.json"))
        check(st == 201 and js["isAssignableToRole"] is True, "groups: role-assignable -> 201")
    else:
        skip("group example comparison: ../shared is missing")
        st, _, js = emu.post("/groups", {"displayName": "Ops", "mailEnabled": False, "mailNickname": "ops",
                                         "securityEnabled": True})
        gid = js["id"]
    ref = {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/a702a13d-a437-4a07-8a7e-8c052de62dfd"}
    st, _, js = emu.post("/groups/%s/members/$ref" % gid, ref)
    check(st == 204, "groups: add member $ref -> 204")
    st, _, js = emu.post("/groups/%s/members/$ref" % gid, ref)
    check(st == 400 and js["error"]["code"] == "Request_BadRequest" and js["error"]["message"] ==
          "One or more added object references already exist for the following modified properties: 'members'.",
          "groups: duplicate member -> Graph's 400 text")
    ex = example("n8n-msgraph-node.error-400-duplicate-member.json")
    if ex:
        compare("groups: duplicate member envelope", ex, js)
    st, _, js = emu.post("/groups/%s/members/$ref" % gid,
                         {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/0b0b0b0b-0000-4000-8000-000000000000"})
    check(st == 404 and js["error"]["code"] == "Request_ResourceNotFound", "groups: add missing object -> 404")
    ex = example("pnp-cli-microsoft365-tests.error-404-Request_ResourceNotFound.json")
    if ex:
        compare("groups: 404 envelope", ex, js, exact_keys=True, values=False)
    st, _, js = emu.delete("/groups/%s/members/a702a13d-a437-4a07-8a7e-8c052de62dfd/$ref" % gid)
    check(st == 204, "groups: remove member -> 204")
    st, _, js = emu.delete("/groups/%s/members/a702a13d-a437-4a07-8a7e-8c052de62dfd/$ref" % gid)
    check(st == 404, "groups: remove non-member -> 404")
    bind = {"members@odata.bind": ["https://graph.microsoft.com/v1.0/directoryObjects/a702a13d-a437-4a07-8a7e-8c052de62dfd",
                                   "https://graph.microsoft.com/v1.0/directoryObjects/0b0b0b0b-0000-4000-8000-000000000000"]}
    st, _, js = emu.patch("/groups/" + gid, bind)
    check(st == 400, "groups: members@odata.bind with a missing object -> 400")
    st, _, js = emu.get("/groups/%s/members?$count=true" % gid, headers={"ConsistencyLevel": "eventual"})
    n_before = js.get("@odata.count")
    bind["members@odata.bind"] = bind["members@odata.bind"][:1]
    st, _, js = emu.patch("/groups/" + gid, bind)
    check(st == 204, "groups: members@odata.bind -> 204")
    st, _, js = emu.get("/groups/%s/members?$count=true" % gid, headers={"ConsistencyLevel": "eventual"})
    check(js.get("@odata.count") == (n_before or 0) + 1, "groups: atomic bind (nothing added by the failed one)")
    bind["members@odata.bind"] = ["https://graph.microsoft.com/v1.0/directoryObjects/%s" % uuid.uuid4()] * 21
    st, _, js = emu.patch("/groups/" + gid, bind)
    check(st == 400, "groups: more than 20 binds -> 400")
    st, _, js = emu.patch("/groups/" + gid, {"isAssignableToRole": True})
    check(st == 400, "groups: isAssignableToRole on PATCH -> 400")
    st, _, js = emu.patch("/groups/" + gid, {"description": "changed"})
    check(st == 204, "groups: PATCH -> 204")
    st, _, js = emu.get("/groups/" + gid)
    check(js["description"] == "changed", "groups: PATCH applied")
    st, _, js = emu.post("/groups", {"displayName": "x", "mailEnabled": True, "mailNickname": "x",
                                     "securityEnabled": True})
    check(st == 400, "groups: mail-enabled security group -> 400")
    st, _, js = emu.post("/groups", {"displayName": "x", "mailEnabled": False, "mailNickname": "x",
                                     "securityEnabled": True, "colour": "blue"})
    check(st == 400, "groups: unknown property -> 400")
    st, _, js = emu.post("/groups", {"displayName": "x", "mailEnabled": False, "securityEnabled": True})
    check(st == 400, "groups: missing mailNickname -> 400")
    st, _, js = emu.post("/groups", {"displayName": "dyn", "mailEnabled": False, "mailNickname": "dyn",
                                     "securityEnabled": True, "groupTypes": ["dynamicmembership"],
                                     "membershipRule": "user.department -eq \"Sales\""})
    check(st == 201 and js["groupTypes"] == ["DynamicMembership"] and js["membershipRuleProcessingState"] == "On",
          "groups: dynamic group defaults")
    st, _, js = emu.delete("/groups/" + js["id"])
    check(st == 204, "groups: DELETE -> 204")
    st, _, js = emu.get("/groups?$filter=mailNickname eq 'allstaff'")
    check(len(js["value"]) == 1 and js["value"][0]["id"] == "ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba",
          "groups: $filter mailNickname")


def test_licenses(emu):
    e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"  # SPE_E5, in the fixture's subscribedSkus
    st, _, js = emu.post("/groups", {"displayName": "Licensed staff", "mailEnabled": False,
                                     "mailNickname": "licensedstaff", "securityEnabled": True})
    check(st == 201, "licences: group created (%s)" % js)
    gid = js["id"]
    st, _, js = emu.get("/groups/" + gid)
    check(st == 200 and "assignedLicenses" not in js, "licences: assignedLicenses only on $select")
    st, _, js = emu.get("/groups/%s?$select=id,assignedLicenses" % gid)
    check(st == 200 and js.get("assignedLicenses") == [], "licences: none at first (%s)" % js)
    st, _, js = emu.post("/groups/%s/assignLicense" % gid,
                         {"addLicenses": [{"skuId": e5, "disabledPlans": []}], "removeLicenses": []})
    check(st == 202 and js.get("id") == gid and
          js.get("assignedLicenses") == [{"disabledPlans": [], "skuId": e5}],
          "licences: assignLicense -> 202 with the group (%s %s)" % (st, js))
    st, _, js = emu.get("/groups/%s?$select=assignedLicenses" % gid)
    check(js.get("assignedLicenses") == [{"disabledPlans": [], "skuId": e5}], "licences: assigned")
    st, _, js = emu.get("/groups?$select=id,assignedLicenses&$filter=mailNickname eq 'licensedstaff'")
    check(st == 200 and js["value"][0]["assignedLicenses"][0]["skuId"] == e5,
          "licences: listed on $select")
    st, _, js = emu.patch("/groups/" + gid, {"description": "still licensed"})
    st, _, js = emu.get("/groups/%s?$select=assignedLicenses" % gid)
    check(len(js.get("assignedLicenses") or []) == 1, "licences: a PATCH keeps them")
    other = str(uuid.uuid4())
    st, _, js = emu.post("/groups/%s/assignLicense" % gid,
                         {"addLicenses": [{"skuId": other, "disabledPlans": []}], "removeLicenses": []})
    check(st == 400 and js["error"]["code"] == "Request_BadRequest",
          "licences: a SKU the tenant does not subscribe to -> 400")
    st, _, js = emu.post("/groups/%s/assignLicense" % gid, {"addLicenses": []})
    check(st == 400, "licences: removeLicenses is required -> 400")
    st, _, js = emu.post("/groups/%s/assignLicense" % gid, {"addLicenses": [], "removeLicenses": [other]})
    check(st == 400, "licences: removing an unassigned licence -> 400")
    st, _, js = emu.get("/groups/%s/assignLicense" % gid)
    check(st == 405, "licences: GET assignLicense -> 405")
    st, _, js = emu.post("/groups/%s/assignLicense" % gid, {"addLicenses": [], "removeLicenses": [e5]})
    check(st == 202 and js.get("assignedLicenses") == [], "licences: removed (%s)" % js)
    st, _, js = emu.post("/groups/%s/assignLicense" % uuid.uuid4(),
                         {"addLicenses": [], "removeLicenses": []})
    check(st == 404, "licences: unknown group -> 404")


def test_users_paging(emu):
    st, _, js = emu.get("/users/a702a13d-a437-4a07-8a7e-8c052de62dfd")
    check(st == 200 and js["userPrincipalName"] == "adele.vance@contoso.onmicrosoft.com"
          and js["@odata.context"].endswith("#users/$entity"), "users: GET by id")
    st, _, js = emu.get("/users/ADELE.VANCE@contoso.onmicrosoft.com")
    check(st == 200 and js["id"] == "a702a13d-a437-4a07-8a7e-8c052de62dfd", "users: GET by UPN")
    st, _, js = emu.get("/users/5b31c38c-2584-42f0-aa47-657fb3a84230")
    check(st == 404 and js["error"]["message"] == "Resource '5b31c38c-2584-42f0-aa47-657fb3a84230' does not "
          "exist or one of its queried reference-property objects are not present.", "users: 404 text")
    seen, path, pages = [], "/users", 0
    while path:
        st, _, js = emu.get(path)
        check(st == 200, "paging: page %d" % pages)
        pages += 1
        seen += [u["id"] for u in js["value"]]
        check(len(js["value"]) <= 100, "paging: default page size 100")
        nl = js.get("@odata.nextLink")
        if nl:
            check(nl.startswith("https://127.0.0.1:%d/v1.0/users?" % emu.port) and "$skiptoken=" in nl,
                  "paging: nextLink is absolute with $skiptoken")
            path = nl.split("/v1.0", 1)[1]
        else:
            path = None
    check(pages == 3 and len(seen) == len(set(seen)) == 260, "paging: 260 users in 3 pages (%d, %d)" % (pages, len(seen)))
    st, _, js = emu.get("/users?$top=999&$select=id")
    check(len(js["value"]) == 260 and "@odata.nextLink" not in js, "paging: $top=999")
    st, _, js = emu.get("/users?$top=50&$select=id,displayName")
    nl = js["@odata.nextLink"]
    check("%24top=50" in nl or "$top=50" in nl, "paging: nextLink keeps $top")
    st, _, js2 = emu.get(nl.split("/v1.0", 1)[1])
    check(len(js2["value"]) == 50 and set(js2["value"][0]) == {"id", "displayName"}, "paging: second page keeps $select")
    st, _, js = emu.get("/users?$top=1000")
    check(st == 400 and "between 1 and 999" in js["error"]["message"], "paging: $top=1000 -> 400")
    st, _, js = emu.get("/users?$skiptoken=garbage!")
    check(st == 400, "paging: bad skiptoken -> 400")
    st, _, js = emu.get("/users?$count=true")
    check(st == 400, "count: without ConsistencyLevel -> 400")
    st, _, js = emu.get("/users?$count=true&$top=5", headers={"ConsistencyLevel": "eventual"})
    check(st == 200 and js["@odata.count"] == 260 and len(js["value"]) == 5, "count: @odata.count")
    st, _, js = emu.get("/users/$count", headers={"ConsistencyLevel": "eventual"})
    check(st == 200 and js == "260", "count: /users/$count")
    st, _, js = emu.get("/users?$filter=startswith(displayName,'gen user 00')")
    check(st == 200 and len(js["value"]) == 10, "filter: startswith (%s)" % (len(js.get("value", [])),))
    st, _, js = emu.get("/users?$filter=userPrincipalName in ('owner.one@contoso.onmicrosoft.com', "
                        "'owner.two@contoso.onmicrosoft.com', 'nobody@x')")
    check(st == 200 and len(js["value"]) == 2, "filter: in")
    st, _, js = emu.get("/users?$filter=startswith(userPrincipalName,'member.') and displayName eq 'Member One'")
    check(st == 200 and len(js["value"]) == 1, "filter: and")
    st, _, js = emu.get("/users?$filter=id eq 'a702a13d-a437-4a07-8a7e-8c052de62dfd'&$select=id")
    check(st == 200 and js["value"] == [{"id": "a702a13d-a437-4a07-8a7e-8c052de62dfd"}], "filter: id eq")
    st, _, js = emu.get("/servicePrincipals?$filter=appId eq '797f4846-ba00-4fd7-ba43-dac1f8f63013'")
    check(st == 200 and len(js["value"]) == 1, "filter: appId eq")
    st, _, js = emu.get("/servicePrincipals(appId='00000002-0000-0ff1-ce00-000000000000')")
    check(st == 200 and js["displayName"] == "Office 365 Exchange Online", "servicePrincipals: by appId key")
    st, _, js = emu.get("/users?$filter=displayName eq")
    check(st == 400, "filter: syntax error -> 400")
    st, _, js = emu.get("/users?$filter=displayName ne 'x'")
    check(st == 400, "filter: ne needs advanced query")
    st, _, js = emu.get("/users?$search=\"x\"")
    check(st == 400, "query: unsupported option -> 400")
    for p in ("/organization", "/subscribedSkus", "/roleManagement/directory/roleDefinitions",
              "/roleManagement/directory/roleEligibilitySchedules"):
        st, _, js = emu.get(p)
        check(st == 200 and "value" in js, "read: %s" % p)


def test_roles(emu):
    req = example("rbacapplication-post-roleassignments.ex1-tenant.request.json") or {
        "roleDefinitionId": "c2cf284d-6c41-4e6b-afac-4b80928c9034",
        "principalId": "f8ca5a85-489a-49a0-b555-0a6d81e56f0d", "directoryScopeId": "/"}
    st, _, js = emu.post("/roleManagement/directory/roleAssignments", req)
    check(st == 201 and len(js["id"]) != 36 and js["id"].endswith("-1"), "roles: POST assignment -> 201, opaque id")
    ex = example("rbacapplication-post-roleassignments.ex1-tenant.response-201.json")
    if ex:
        compare("roles: assignment response", ex, js)
    aid = js["id"]
    st, _, js = emu.post("/roleManagement/directory/roleAssignments", req)
    check(st == 400, "roles: duplicate assignment -> 400")
    st, _, js = emu.get("/roleManagement/directory/roleAssignments?$filter=principalId eq "
                        "'f8ca5a85-489a-49a0-b555-0a6d81e56f0d' and roleDefinitionId eq "
                        "'c2cf284d-6c41-4e6b-afac-4b80928c9034'")
    check(st == 200 and [a["id"] for a in js["value"]] == [aid], "roles: $filter principalId and roleDefinitionId")
    st, _, js = emu.post("/roleManagement/directory/roleAssignments",
                         dict(req, principalId="ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba"))
    check(st == 400, "roles: non-role-assignable group -> 400")
    st, _, js = emu.delete("/roleManagement/directory/roleAssignments/" + aid)
    check(st == 204, "roles: DELETE -> 204")
    preq = example("rbacapplication-post-roleeligibilityschedulerequests.ex1-adminAssign.request.json")
    if preq is None:
        skip("PIM example comparison: ../shared is missing")
        return
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests", preq)
    check(st == 201 and js["status"] == "Provisioned", "pim: adminAssign -> 201 Provisioned (%s)" % js)
    ex = example("rbacapplication-post-roleeligibilityschedulerequests.ex1-adminAssign.response-201.json")
    ex["createdBy"] = {"application": {"displayName": None, "id": CLIENT_ID}, "device": None, "user": None}
    compare("pim: response (createdBy is the app: app-only token)", ex, js)
    st, _, js = emu.get("/roleManagement/directory/roleEligibilitySchedules")
    check(len(js["value"]) == 1 and js["value"][0]["principalId"] == preq["principalId"], "pim: schedule created")
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests", preq)
    check(st == 400 and js["error"]["code"] == "RoleAssignmentExists", "pim: assign twice -> 400")
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests",
                         example("rbacapplication-post-roleeligibilityschedulerequests.ex2-adminRemove.request.json"))
    check(st == 201 and js["status"] == "Revoked", "pim: adminRemove -> Revoked")
    st, _, js = emu.get("/roleManagement/directory/roleEligibilitySchedules")
    check(js["value"] == [], "pim: schedule removed")
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests",
                         dict(preq, principalId="0c0c0c0c-0000-4000-8000-000000000000"))
    check(st == 404 and js["error"]["code"] == "SubjectNotFound", "pim: unknown principal -> 404 SubjectNotFound")


def test_users_write(emu):
    """POST /users and PATCH /users/{id} (Graph v1.0 "Create user", "Update user")."""
    body = {"accountEnabled": True, "displayName": "Break Glass 3", "mailNickname": "bg3",
            "userPrincipalName": "bg3@contoso.onmicrosoft.com", "usageLocation": "FR",
            "passwordProfile": {"password": "Emu-Secret-4471!x", "forceChangePasswordNextSignIn": False}}
    st, _, js = emu.post("/users", body)
    check(st == 201 and js["userPrincipalName"] == body["userPrincipalName"] and
          "passwordProfile" not in js, "users: POST -> 201 without the password (%s)" % js)
    uid = js["id"]
    st, _, js = emu.get("/users/" + uid + "?$select=id,usageLocation,accountEnabled")
    check(st == 200 and js["usageLocation"] == "FR", "users: GET $select usageLocation")
    st, _, js = emu.post("/users", body)
    check(st == 400, "users: a taken userPrincipalName -> 400")
    st, _, js = emu.post("/users", dict(body, userPrincipalName="x@fabrikam.com"))
    check(st == 400 and "verified domain" in js["error"]["message"], "users: unverified domain -> 400")
    nopw = dict(body, userPrincipalName="bg4@contoso.onmicrosoft.com")
    del nopw["passwordProfile"]
    st, _, js = emu.post("/users", nopw)
    check(st == 400, "users: no passwordProfile -> 400")
    st, _, js = emu.patch("/users/" + uid, {"usageLocation": "DE", "accountEnabled": False})
    check(st == 204, "users: PATCH -> 204")
    st, _, js = emu.get("/users/" + uid + "?$select=usageLocation,accountEnabled")
    check(js["usageLocation"] == "DE" and js["accountEnabled"] is False, "users: PATCH applied")
    st, _, js = emu.patch("/users/" + uid, {"passwordProfile": {"password": "x"}})
    check(st == 403, "users: PATCH passwordProfile -> 403 (application permission)")


def test_active_schedules(emu):
    """roleAssignmentScheduleRequests: time-bound active assignments and their schedules."""
    ga = "62e90394-69f5-4237-9190-012177145e10"
    uid = "a702a13d-a437-4a07-8a7e-8c052de62dfd"
    req = {"action": "adminAssign", "justification": "Managed by idpc", "roleDefinitionId": ga,
           "principalId": uid, "directoryScopeId": "/",
           "scheduleInfo": {"expiration": {"type": "afterDateTime", "endDateTime": "2027-03-31T00:00:00Z"}}}
    path = "/roleManagement/directory/roleAssignmentScheduleRequests"
    st, _, js = emu.post(path, req)
    check(st == 201 and js["status"] == "Provisioned", "active: adminAssign -> 201 (%s)" % js)
    st, _, js = emu.get("/roleManagement/directory/roleAssignmentSchedules?$filter=principalId eq '%s'" % uid)
    check(st == 200 and len(js["value"]) == 1 and
          js["value"][0]["scheduleInfo"]["expiration"]["endDateTime"] == "2027-03-31T00:00:00Z",
          "active: schedule listed with its end")
    st, _, js = emu.get("/roleManagement/directory/roleAssignments?$filter=principalId eq '%s'" % uid)
    check(len([a for a in js["value"] if a["roleDefinitionId"] == ga]) == 1,
          "active: the assignment is listed with the others")
    st, _, js = emu.post(path, req)
    check(st == 400 and js["error"]["code"] == "RoleAssignmentExists", "active: assign twice -> 400")
    upd = dict(req, action="adminUpdate",
               scheduleInfo={"expiration": {"type": "afterDateTime", "endDateTime": "2027-06-30T00:00:00Z"}})
    st, _, js = emu.post(path, upd)
    check(st == 201, "active: adminUpdate -> 201")
    st, _, js = emu.get("/roleManagement/directory/roleAssignmentSchedules")
    check([s["scheduleInfo"]["expiration"]["endDateTime"] for s in js["value"]
           if s["principalId"] == uid] == ["2027-06-30T00:00:00Z"], "active: renewed")
    st, _, js = emu.post(path, dict(req, action="adminRemove", scheduleInfo=None))
    check(st == 201 and js["status"] == "Revoked", "active: adminRemove -> Revoked")
    st, _, js = emu.get("/roleManagement/directory/roleAssignments?$filter=principalId eq '%s'" % uid)
    check(not [a for a in js["value"] if a["roleDefinitionId"] == ga], "active: assignment removed")
    st, _, js = emu.post(path, dict(req, action="adminUpdate"))
    check(st == 400 and js["error"]["code"] == "RoleAssignmentDoesNotExist", "active: update of nothing -> 400")
    # a permanent assignment made through roleAssignments becomes time-bound with adminUpdate
    st, _, js = emu.post("/roleManagement/directory/roleAssignments",
                         {"roleDefinitionId": ga, "principalId": uid, "directoryScopeId": "/"})
    check(st == 201, "active: direct assignment")
    st, _, js = emu.post(path, upd)
    check(st == 201, "active: adminUpdate of a direct assignment -> 201")
    st, _, js = emu.get("/roleManagement/directory/roleAssignments?$filter=principalId eq '%s'" % uid)
    check(len([a for a in js["value"] if a["roleDefinitionId"] == ga]) == 1, "active: still one assignment")


def test_pim_settings(emu):
    flt = "$filter=scopeId eq '/' and scopeType eq 'Directory'"
    st, _, js = emu.get("/policies/roleManagementPolicies")
    check(st == 400, "pim settings: a list without the scope filter -> 400")
    st, _, js = emu.get("/policies/roleManagementPolicies?" + flt)
    check(st == 200 and len(js["value"]) == 1 and "rules" not in js["value"][0],
          "pim settings: list, rules only when expanded")
    st, _, js = emu.get("/policies/roleManagementPolicies?" + flt + "&$expand=rules")
    pol = js["value"][0]
    check(st == 200 and len(pol["rules"]) == 17, "pim settings: $expand=rules")
    st, _, js = emu.get("/policies/roleManagementPolicyAssignments?" + flt)
    check(st == 200 and js["value"][0]["roleDefinitionId"] == PIM_ROLE and
          js["value"][0]["policyId"] == pol["id"], "pim settings: assignment names the role")
    base = "/policies/roleManagementPolicies/%s/rules/" % pol["id"]
    rule = {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_EndUser_Assignment", "isExpirationRequired": True,
            "maximumDuration": "PT1H", "target": {"caller": "EndUser", "operations": ["All"],
                                                  "level": "Assignment",
                                                  "inheritableSettings": [],
                                                  "enforcedSettings": []}}
    st, _, js = emu.patch(base + "Expiration_EndUser_Assignment", rule)
    check(st == 204, "pim settings: PATCH rule -> 204")
    st, _, js = emu.get(base + "Expiration_EndUser_Assignment")
    check(st == 200 and js["maximumDuration"] == "PT1H", "pim settings: the rule changed")
    st, _, js = emu.patch(base + "Expiration_EndUser_Assignment",
                          dict(rule, maximumDuration="8 hours"))
    check(st == 400, "pim settings: a duration that is not ISO 8601 -> 400")
    st, _, js = emu.patch(base + "Expiration_EndUser_Assignment", dict(rule, **{
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"}))
    check(st == 400, "pim settings: another rule type -> 400")
    st, _, js = emu.patch(base + "Approval_EndUser_Assignment", {
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "setting": {"isApprovalRequired": True, "approvalStages": [{"primaryApprovers": [
            {"@odata.type": "#microsoft.graph.singleUser",
             "userId": "0c0c0c0c-0000-4000-8000-000000000000"}]}]}})
    check(st == 400, "pim settings: an approver that does not exist -> 400")
    st, _, js = emu.post("/policies/roleManagementPolicies", {"displayName": "x"})
    check(st == 405, "pim settings: policies are never created -> 405")
    # eligibilities must end: a permanent one fails the ExpirationRule
    st, _, js = emu.patch(base + "Expiration_Admin_Eligibility", {
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
        "isExpirationRequired": True, "maximumDuration": "P365D"})
    check(st == 204, "pim settings: eligibility must end")
    req = {"action": "adminAssign", "principalId": "a702a13d-a437-4a07-8a7e-8c052de62dfd",
           "roleDefinitionId": PIM_ROLE, "directoryScopeId": "/",
           "scheduleInfo": {"expiration": {"type": "noExpiration"}}}
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests", req)
    check(st == 400 and js["error"]["code"] == "RoleAssignmentRequestPolicyValidationFailed",
          "pim settings: a permanent eligibility against the ExpirationRule -> 400")
    req["scheduleInfo"]["expiration"] = {"type": "afterDateTime",
                                         "endDateTime": "2027-06-30T00:00:00Z"}
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests", req)
    check(st == 201, "pim settings: an eligibility that ends -> 201")
    req["action"] = "adminUpdate"
    req["scheduleInfo"]["expiration"]["endDateTime"] = "2027-09-30T00:00:00Z"
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests", req)
    check(st == 201, "pim: adminUpdate (renewal) -> 201")
    st, _, js = emu.get("/roleManagement/directory/roleEligibilitySchedules")
    mine = [s for s in js["value"] if s["roleDefinitionId"] == PIM_ROLE]
    check(len(mine) == 1 and mine[0]["scheduleInfo"]["expiration"]["endDateTime"] ==
          "2027-09-30T00:00:00Z", "pim: the renewal moved the end")
    req["action"] = "adminRemove"
    st, _, js = emu.post("/roleManagement/directory/roleEligibilityScheduleRequests", req)
    check(st == 201, "pim: adminRemove after the renewal")


def test_pim_groups(emu):
    group, user, other = ("ba8e7ded-8b0f-4836-ba06-8ff1ecc5c8ba",
                          "a702a13d-a437-4a07-8a7e-8c052de62dfd",
                          "26be1845-4119-4801-a799-aea79d09f1a2")
    base = "/identityGovernance/privilegedAccess/group"
    # every group has a member and an owner PIM policy (scope Group)
    flt = "$filter=scopeId eq '%s' and scopeType eq 'Group'" % group
    st, _, js = emu.get("/policies/roleManagementPolicyAssignments?" + flt)
    check(st == 200 and sorted(a["roleDefinitionId"] for a in js["value"]) == ["member", "owner"],
          "pim groups: a group's policy assignments (%s)" % js)
    pid = [a["policyId"] for a in js["value"] if a["roleDefinitionId"] == "member"][0]
    st, _, js = emu.get("/policies/roleManagementPolicies/%s?$expand=rules" % pid)
    check(st == 200 and js["scopeType"] == "Group" and len(js["rules"]) >= 5,
          "pim groups: the member policy with its rules")
    rule = [r for r in js["rules"] if r["id"] == "Expiration_EndUser_Assignment"][0]
    rule = dict(rule, maximumDuration="PT4H")
    st, _, _ = emu.patch("/policies/roleManagementPolicies/%s/rules/Expiration_EndUser_Assignment" % pid, rule)
    check(st == 204, "pim groups: PATCH a rule of the group's policy -> 204")
    # eligibility requests and schedules
    req = {"accessId": "member", "principalId": user, "groupId": group, "action": "adminAssign",
           "justification": "test", "scheduleInfo": {"startDateTime": "2026-01-01T00:00:00Z",
           "expiration": {"type": "afterDateTime", "endDateTime": "2099-06-30T00:00:00Z"}}}
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", req)
    check(st == 201 and js["status"] == "Provisioned" and js["targetScheduleId"],
          "pim groups: adminAssign -> 201 Provisioned")
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", req)
    check(st == 400 and js["error"]["code"] == "RoleAssignmentExists", "pim groups: duplicate -> 400")
    st, _, js = emu.get(base + "/eligibilitySchedules")
    check(st == 400, "pim groups: schedules need a filter on groupId or principalId")
    st, _, js = emu.get(base + "/eligibilitySchedules?$filter=groupId eq '%s'" % group)
    check(st == 200 and len(js["value"]) == 1 and js["value"][0]["accessId"] == "member" and
          js["value"][0]["scheduleInfo"]["expiration"]["endDateTime"] == "2099-06-30T00:00:00Z",
          "pim groups: the schedule, filtered on the group")
    sid = js["value"][0]["id"]
    st, _, js = emu.get(base + "/eligibilitySchedules/" + sid)
    check(st == 200 and js["groupId"] == group, "pim groups: a schedule by id")
    upd = dict(req, action="adminUpdate")
    upd["scheduleInfo"] = {"expiration": {"type": "afterDateTime", "endDateTime": "2099-12-31T00:00:00Z"}}
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", upd)
    check(st == 201, "pim groups: adminUpdate (a renewal) -> 201")
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", dict(req, accessId="guest"))
    check(st == 400, "pim groups: accessId must be member or owner")
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", dict(req, groupId=user))
    check(st == 400, "pim groups: groupId must be a group")
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", dict(req, action="selfActivate"))
    check(st == 400, "pim groups: self actions need a user")
    past = dict(req, principalId=other)
    past["scheduleInfo"] = {"expiration": {"type": "afterDateTime", "endDateTime": "2001-01-01T00:00:00Z"}}
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", past)
    check(st == 400, "pim groups: an end in the past -> 400")
    st, _, js = emu.post(base + "/assignmentScheduleRequests", dict(req, accessId="owner"))
    check(st == 201, "pim groups: active ownership -> 201")
    st, _, js = emu.get(base + "/assignmentSchedules?$filter=groupId eq '%s'" % group)
    check(st == 200 and [a["accessId"] for a in js["value"]] == ["owner"], "pim groups: active schedules")
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", dict(req, action="adminRemove"))
    check(st == 201 and js["status"] == "Revoked", "pim groups: adminRemove -> Revoked")
    st, _, js = emu.post(base + "/eligibilityScheduleRequests", dict(req, action="adminRemove"))
    check(st == 404, "pim groups: removing a missing eligibility -> 404")


def test_access_reviews(emu):
    base = "/identityGovernance/accessReviews/definitions"
    reviewer = "26be1845-4119-4801-a799-aea79d09f1a2"
    body = {"displayName": "Quarterly review of Global Administrators",
            "descriptionForAdmins": "x", "descriptionForReviewers": "x",
            "scope": {"@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
                      "principalScopes": [{"@odata.type": "#microsoft.graph.accessReviewQueryScope",
                                           "query": "/users", "queryType": "MicrosoftGraph"}],
                      "resourceScopes": [{"@odata.type": "#microsoft.graph.accessReviewQueryScope",
                                          "query": "/roleManagement/directory/roleDefinitions/"
                                                   "62e90394-69f5-4237-9190-012177145e10",
                                          "queryType": "MicrosoftGraph"}]},
            "reviewers": [{"query": "/users/" + reviewer, "queryType": "MicrosoftGraph"}],
            "settings": {"mailNotificationsEnabled": True, "reminderNotificationsEnabled": True,
                         "justificationRequiredOnApproval": True, "defaultDecisionEnabled": False,
                         "defaultDecision": "None", "instanceDurationInDays": 14,
                         "autoApplyDecisionsEnabled": True, "recommendationsEnabled": True,
                         "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 3},
                                        "range": {"type": "noEnd", "startDate": "2027-01-04"}}}}
    st, _, js = emu.post(base, body)
    check(st == 201 and js["status"] == "NotStarted" and
          js["settings"]["recurrence"]["range"]["endDate"] == "9999-12-31" and
          js["settings"]["recurrence"]["pattern"]["firstDayOfWeek"] == "sunday",
          "access reviews: POST -> 201 with Graph's server-filled fields")
    rid = js["id"]
    st, _, js = emu.get(base + "?$filter=displayName eq 'Quarterly review of Global Administrators'")
    check(st == 200 and [d["id"] for d in js["value"]] == [rid], "access reviews: $filter on displayName")
    upd = dict(body, settings=dict(body["settings"], instanceDurationInDays=7))
    st, _, _ = emu.put(base + "/" + rid, upd)
    check(st == 204, "access reviews: PUT -> 204")
    st, _, js = emu.get(base + "/" + rid)
    check(st == 200 and js["settings"]["instanceDurationInDays"] == 7, "access reviews: PUT applied")
    st, _, js = emu.put(base + "/" + rid, dict(body, scope={"query": "/groups", "queryType": "MicrosoftGraph"}))
    check(st == 400, "access reviews: the scope cannot change")
    bad = dict(body, reviewers=[{"query": "/users/00000000-0000-4000-8000-00000000dead", "queryType": "MicrosoftGraph"}])
    st, _, js = emu.post(base, bad)
    check(st == 400, "access reviews: a reviewer that does not exist -> 400")
    st, _, js = emu.post(base, dict(body, settings=dict(body["settings"], defaultDecision="Maybe")))
    check(st == 400, "access reviews: an unknown defaultDecision -> 400")
    st, _, js = emu.post(base, dict(body, settings=dict(body["settings"], instanceDurationInDays=400)))
    check(st == 400, "access reviews: a duration over 180 days -> 400")
    st, _, _ = emu.delete(base + "/" + rid)
    check(st == 204, "access reviews: DELETE -> 204")
    st, _, _ = emu.get(base + "/" + rid)
    check(st == 404, "access reviews: gone after DELETE")


def test_batch(emu):
    reqs = {"requests": [
        {"id": "1", "method": "GET", "url": "/users/a702a13d-a437-4a07-8a7e-8c052de62dfd?$select=id,displayName"},
        {"id": "2", "method": "GET", "url": "users?$filter=startswith(displayName,'Owner')&$count=true",
         "headers": {"ConsistencyLevel": "eventual"}},
        {"id": "3", "method": "GET", "url": "/groups/00000000-dead-4000-8000-000000000000"},
        {"id": "4", "method": "GET", "url": "/organization", "dependsOn": ["3"]},
        {"id": "5", "method": "POST", "url": "/groups", "headers": {"Content-Type": "application/json"},
         "body": {"displayName": "batched", "mailEnabled": False, "mailNickname": "batched", "securityEnabled": True}},
        {"id": "6", "method": "DELETE", "url": "/groups/{placeholder}", "dependsOn": ["5"]}]}
    reqs["requests"].pop()
    st, h, js = emu.post("/$batch", reqs)
    check(st == 200 and h.get("request-id"), "batch: 200")
    by = {r["id"]: r for r in js["responses"]}
    check(by["1"]["status"] == 200 and by["1"]["body"]["displayName"] == "Adele Vance", "batch: GET inside")
    check(by["2"]["status"] == 200 and by["2"]["body"]["@odata.count"] == 2, "batch: headers honoured")
    check(by["3"]["status"] == 404 and by["3"]["body"]["error"]["code"] == "Request_ResourceNotFound", "batch: inner 404")
    check(by["4"]["status"] == 424, "batch: failed dependency -> 424")
    check(by["5"]["status"] == 201, "batch: POST inside")
    ex = example("json-batching.response-200.json")
    if ex:
        item = {k: v for k, v in ex["responses"][0].items() if k != "body"}
        compare("batch: response shape", item, by["1"], values=False)
        compare("batch: collection body", {"value": ex["responses"][0]["body"]["value"][:0]}, by["2"]["body"], values=False)
        compare("batch: error item shape", ex["responses"][1], by["3"], values=False)
    st, _, js = emu.post("/$batch", {"requests": [{"id": str(i), "method": "GET", "url": "/organization"} for i in range(21)]})
    check(st == 400, "batch: 21 requests -> 400")
    st, _, js = emu.post("/$batch", {"requests": [{"id": "a", "method": "GET", "url": "/organization"},
                                                  {"id": "A", "method": "GET", "url": "/organization"}]})
    check(st == 400, "batch: duplicate ids (case-insensitive) -> 400")
    st, _, js = emu.post("/$batch", {"requests": [{"id": "1", "method": "POST", "url": "/groups", "body": {}}]})
    check(st == 400, "batch: body without Content-Type -> 400")
    ex = example("json-batching.dependsOn.request.json")
    if ex:
        for r in ex["requests"]:
            r["url"] = "/organization"
        st, _, js = emu.post("/$batch", ex)
        check(st == 200 and all(r["status"] == 200 for r in js["responses"]), "batch: dependsOn chain example")
    st, _, js = emu.post("/$batch", {"requests": [{"id": "1", "method": "GET", "url": "/organization", "dependsOn": ["9"]}]})
    check(st == 400, "batch: dependsOn unknown id -> 400")


def test_log_and_secrets(emu):
    lines = emu.log_lines()
    check(len(lines) > 50 and all({"method", "path", "status", "fault", "applied"} <= set(l) for l in lines),
          "log: one JSON line per request with method/path/status/fault/applied")
    check(any(l["batch"] for l in lines) and any(not l["batch"] for l in lines), "log: batch inner requests flagged")
    with open(emu.log) as f:
        text = f.read()
    for name in ("stdout", "stderr"):
        with open(os.path.join(emu.dir, name)) as f:
            text += f.read()
    leaked = [s for s in SECRETS_SEEN | {SECRET} if s and s in text]
    check(not leaked, "secrets: no token or secret in the log or output")


def test_save(emu, name):
    rc = emu.stop()
    check(rc == 0, "%s: SIGTERM -> exit 0" % name)
    with open(emu.save) as f:
        doc = json.load(f)
    colls = doc["collections"]
    check(doc["format"] == "idpc-tenant/1" and doc["tenantId"] == TENANT, "save: format and tenant id")
    check(colls.get("x-unknown/path/kept") == [{"note": "unknown paths round-trip untouched"}],
          "save: unknown paths kept")
    check(any(g["displayName"] == "batched" for g in colls["groups"]), "save: writes persisted")
    return doc


PIM_ROLE = "fe930be7-5e62-47db-91af-98c3a49a38b1"  # User Administrator


def make_state():
    with open(os.path.join(ARGS.source, "fixtures", "small-tenant.json")) as f:
        doc = json.load(f)
    # the PIM policy of one role (tests/e2e/pim_defaults.py: Microsoft's default rules)
    sys.path.insert(0, os.path.join(ARGS.source, "..", "e2e"))
    import pim_defaults
    pol, asg = pim_defaults.policy_for("tenant", PIM_ROLE)
    doc["collections"]["policies/roleManagementPolicies"] = [pol]
    doc["collections"]["policies/roleManagementPolicyAssignments"] = [asg]
    for i in range(250):
        doc["collections"]["users"].append({
            "id": str(uuid.UUID(int=0x10000000_0000_4000_8000_000000000000 + i)),
            "displayName": "Gen User %03d" % i, "userPrincipalName": "gen%03d@contoso.onmicrosoft.com" % i,
            "userType": "Member", "accountEnabled": True, "mail": None})
    path = os.path.join(ARGS.workdir, "state.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    return path


def test_throttling(state):
    emu = Emulator("ca-throttle", ["--ca-throttle"], state)
    try:
        emu.get_token()
        st1, _, _ = emu.get("/identity/conditionalAccess/policies")
        st2, h, js = emu.get("/identity/conditionalAccess/namedLocations")
        check(st1 == 200 and st2 == 429 and "retry-after" not in h, "throttle: CA 1 rps, 429 without Retry-After")
        ex = example("throttling.response-429.json")
        if ex:
            compare("throttle: 429 body", ex, js, values=False)
        st3, _, _ = emu.get("/users")
        check(st3 == 200, "throttle: directory not affected by the CA limit")
        time.sleep(1.05)
        st4, _, _ = emu.get("/identity/conditionalAccess/policies")
        check(st4 == 200, "throttle: CA allowed again after a second")
    finally:
        emu.stop()
    emu = Emulator("dir-throttle", ["--directory-throttle", "3"], state)
    try:
        emu.get_token()
        res = [emu.get("/organization") for _ in range(5)]
        codes = [r[0] for r in res]
        check(codes[:3] == [200, 200, 200] and 429 in codes[3:], "throttle: directory N req/s (%s)" % codes)
        ra = [r[1].get("retry-after") for r in res if r[0] == 429][0]
        check(ra is not None and 0 < float(ra) <= 1.0 and "." in ra, "throttle: fractional Retry-After %r" % ra)
    finally:
        emu.stop()


def do_request(emu, method, path, body=None):
    """Returns (kind, status): kind is ok, reset or truncated."""
    try:
        st, h, js = emu.call(method, "/v1.0" + path, body)
        return "ok", st
    except http.client.IncompleteRead:
        return "truncated", None
    except (ConnectionError, http.client.RemoteDisconnected, ssl.SSLError, socket.timeout, OSError):
        return "reset", None


def fault_run(state, seed, n):
    emu = Emulator("faults-%d" % seed, ["--fault-rate", "0.5", "--seed", str(seed), "--slow-ms", "200"], state)
    results = []
    try:
        for _ in range(20):  # the token endpoint is faulted too
            kind, st = "reset", None
            try:
                emu.token = None
                emu.get_token()
                break
            except (AssertionError, Exception):
                continue
        for i in range(n):
            results.append(do_request(emu, "GET", "/organization"))
        created = []
        for i in range(12):
            name = "fault-%d-%d" % (seed, i)
            kind, st = do_request(emu, "POST", "/groups", {"displayName": name, "mailEnabled": False,
                                                           "mailNickname": name, "securityEnabled": True})
            created.append((name, kind, st))
    finally:
        emu.stop()
    return emu, results, created


def test_faults(state):
    emu, results, created = fault_run(state, 7, 60)
    kinds = {k for k, _ in results}
    statuses = {s for _, s in results}
    check("reset" in kinds and "truncated" in kinds and ({500, 503} & statuses) and 200 in statuses,
          "faults: resets, truncations, 5xx and successes all seen (%s %s)" % (kinds, statuses))
    lines = [l for l in emu.log_lines() if l["path"] == "/v1.0/organization"]
    faults = {l["fault"] for l in lines}
    check({"500", "503", "reset-before", "reset-after", "slow", "truncated"} <= faults,
          "faults: every fault kind logged (%s)" % faults)
    check(all(l["applied"] is False for l in lines if l["fault"] in ("500", "503", "reset-before"))
          and all(l["applied"] is True for l in lines if l["fault"] in ("reset-after", "slow", "truncated", None)),
          "faults: applied flag follows the documented rule")
    with open(emu.save) as f:
        saved = {g["displayName"] for g in json.load(f)["collections"]["groups"]}
    post_lines = {l["request_id"]: l for l in emu.log_lines() if l["method"] == "POST" and l["path"] == "/v1.0/groups"}
    applied = sum(1 for l in post_lines.values() if l["applied"])
    made = sum(1 for name, _, _ in created if name in saved)
    check(applied == made, "faults: a faulted write is fully applied or not at all (%d vs %d)" % (applied, made))
    check(any(kind != "ok" and name in saved for name, kind, _ in created) or
          not any(l["fault"] in ("reset-after", "truncated") for l in post_lines.values()),
          "faults: some POSTs failed on the wire yet succeeded")
    emu2, results2, _ = fault_run(state, 7, 60)
    seq1 = [l["fault"] for l in emu.log_lines()]
    seq2 = [l["fault"] for l in emu2.log_lines()]
    check(seq1 == seq2, "faults: the same seed gives the same fault sequence")


def test_lag_latency(state):
    emu = Emulator("lag", ["--replication-lag-ms", "1500", "--latency-ms", "150"], state)
    try:
        emu.get_token()
        t0 = time.time()
        st, _, g = emu.post("/groups", {"displayName": "fresh", "mailEnabled": False, "mailNickname": "fresh",
                                        "securityEnabled": True})
        check(st == 201 and time.time() - t0 >= 0.15, "latency: added to each request")
        st, _, _ = emu.get("/groups/" + g["id"])
        check(st == 404, "lag: a just-created group 404s on GET")
        pol = copy.deepcopy(MINIMAL)
        pol["conditions"]["users"] = {"includeGroups": [g["id"]]}
        st, _, js = emu.post("/identity/conditionalAccess/policies", pol)
        check(st == 400, "lag: a just-created group is rejected as a reference")
        st, _, js = emu.get("/groups?$filter=displayName eq 'fresh'")
        check(st == 200 and len(js["value"]) == 1, "lag: lists show the new object")
        time.sleep(1.6)
        st, _, _ = emu.get("/groups/" + g["id"])
        check(st == 200, "lag: GET works after the lag")
        st, _, js = emu.post("/identity/conditionalAccess/policies", pol)
        check(st == 201, "lag: reference accepted after the lag")
    finally:
        emu.stop()


def main():
    global ARGS, SHARED, CERTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--conformance", action="store_true",
                    help="also compare with Graph's published examples in IDPC_SHARED_DIR/graph/"
                         "examples (exit 77, a skip, when they are missing)")
    ARGS = ap.parse_args()
    shared = os.environ.get("IDPC_SHARED_DIR", "")
    have = bool(shared) and os.path.isdir(os.path.join(shared, "graph", "examples"))
    if ARGS.conformance and not have:
        print("skipped: example comparisons: IDPC_SHARED_DIR (%r) has no graph/examples" % shared)
        sys.exit(77)
    shutil.rmtree(ARGS.workdir, ignore_errors=True)
    os.makedirs(ARGS.workdir)
    if ARGS.conformance:
        SHARED = shared
    else:
        skip("example comparisons: the conformance pass (--conformance) makes them")
    CERTS = os.path.join(ARGS.workdir, "certs")
    subprocess.run([os.path.join(ARGS.source, "make-certs.sh"), CERTS], check=True)
    state = make_state()

    emu = Emulator("main", [], state)
    try:
        for t in (test_tls, test_token, test_assertions, test_auth_errors, test_ca_shapes,
                  test_ca_validation, test_named_locations, test_strengths, test_contexts, test_group_lifecycle, test_onprem_sync, test_x509,
                  test_admin_consent, test_policies,
                  test_group_settings, test_groups, test_licenses, test_users_paging, test_roles, test_users_write, test_active_schedules, test_pim_settings, test_pim_groups,
                  test_access_reviews, test_batch,
                  test_log_and_secrets):
            print("== " + t.__name__, flush=True)
            t(emu)
    finally:
        if emu.proc.poll() is None:
            test_save(emu, "main")
    for t in (test_throttling, test_lag_latency, test_faults):
        print("== " + t.__name__, flush=True)
        t(state)
    print("%d checks passed, %d failed, %d skipped" % (PASSES, len(FAILS), len(SKIPS)))
    if FAILS:
        sys.exit(1)


if __name__ == "__main__":
    main()
