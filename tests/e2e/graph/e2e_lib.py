"""Helpers for idpc's Graph end-to-end tests: certificates, the emulator process, running the
real idpc binary with the Azure SDK environment, reading the emulator's request log and saved
state, and scanning everything a run produced for secrets. Python 3 standard library only."""
import base64
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import time

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
# Looks like a real secret (the value is irrelevant, its absence from every output is the point).
CLIENT_SECRET = "e2eSecret~Q8s7Vb.Zp3_kLm9NxT2rWy5"
FIC_ISS = "https://token.actions.githubusercontent.com"
FIC_SUB = "repo:contoso/policies:environment:prod"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Ctx:
    """One test's world: paths to the binaries, a work directory, certificates."""

    def __init__(self, args, name):
        self.idpc = os.path.abspath(args.idpc)
        self.emulator = os.path.abspath(args.emulator)
        self.source = os.path.abspath(args.source)
        self.work = os.path.join(os.path.abspath(args.workdir), name)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.certs = os.path.join(self.work, "certs")
        subprocess.run(["sh", os.path.join(self.source, "tests/graph-emulator/make-certs.sh"),
                        self.certs], check=True, capture_output=True)
        self.seq = 0

    def path(self, *p):
        return os.path.join(self.work, *p)

    def secrets(self):
        """Strings that must never appear in any output."""
        out = [CLIENT_SECRET]
        for key in glob.glob(os.path.join(self.work, "**", "*.key"), recursive=True):
            with open(key) as f:
                body = [l.strip() for l in f if l.strip() and not l.startswith("-----")]
            out += [l for l in body if len(l) >= 40]
        for tok in glob.glob(os.path.join(self.work, "**", "*.jwt"), recursive=True):
            with open(tok) as f:
                t = f.read().strip()
            out += [t, t.split(".")[-1]]
        return out


class Emulator:
    def __init__(self, ctx, state, name="emu", extra=()):
        self.ctx = ctx
        self.name = name
        self.save = ctx.path(name + "-saved.json")
        self.log = ctx.path(name + "-requests.log")
        self.port_file = ctx.path(name + ".port")
        for p in (self.save, self.log, self.port_file):
            if os.path.exists(p):
                os.unlink(p)
        cmd = [ctx.emulator, "--cert", os.path.join(ctx.certs, "server.pem"),
               "--key", os.path.join(ctx.certs, "server.key"), "--state", state,
               "--save", self.save, "--port-file", self.port_file, "--log", self.log,
               "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
               "--client-cert", os.path.join(ctx.certs, "client.pem"),
               "--fic-issuer", FIC_ISS, "--fic-subject", FIC_SUB] + list(extra)
        self.out = open(ctx.path(name + ".out"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not (os.path.exists(self.port_file) and open(self.port_file).read().strip()):
            if self.proc.poll() is not None or time.time() > deadline:
                raise Failure("the emulator did not start (see %s.out)" % name)
            time.sleep(0.05)
        self.port = int(open(self.port_file).read().strip())
        with open(state) as f:
            self.tenant_id = json.load(f)["tenantId"]

    def base(self):
        return "https://127.0.0.1:%d" % self.port

    def stop(self):
        """Stops it (SIGTERM) and returns the saved state."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        if os.path.exists(self.save):
            with open(self.save) as f:
                return json.load(f)
        return None

    def requests(self):
        """The HTTP requests (not $batch items) of the log, as dicts."""
        out = []
        if os.path.exists(self.log):
            with open(self.log) as f:
                for line in f:
                    if line.strip():
                        out.append(json.loads(line))
        return out

    def http_count(self):
        return sum(1 for r in self.requests() if not r["batch"])

    def clear_log(self):
        open(self.log, "w").close()


def jwt_unsigned(claims):
    header = {"alg": "RS256", "typ": "JWT", "kid": "github-actions"}
    return (b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode()) + "." +
            b64u(b"signature-not-checked-by-the-emulator-for-federated-credentials"))


def auth_env(ctx, emu, auth="secret", ca=True):
    """The environment idpc reads (docs/authentication.md), for one credential kind."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AZURE_", "IDPC_", "ACTIONS_ID_TOKEN"))}
    env.update({
        "AZURE_TENANT_ID": emu.tenant_id,
        "AZURE_CLIENT_ID": CLIENT_ID,
        "IDPC_AUTHORITY_HOST": emu.base(),
        "IDPC_GRAPH_BASE": emu.base() + "/v1.0",
        "IDPC_PROGRESS": "1",
        "NO_COLOR": "1",
        # the emulator runs without its CA throttle in most tests: no client-side limiter, and
        # short back-off so that fault storms finish quickly (both documented test knobs)
        "IDPC_CA_RATE": "off",
        "IDPC_HTTP_BACKOFF": "0.05",
    })
    if ca:
        env["IDPC_CA_BUNDLE"] = os.path.join(ctx.certs, "ca.pem")
    if auth == "secret":
        env["AZURE_CLIENT_SECRET"] = CLIENT_SECRET
    elif auth in ("cert", "cert-ps256"):
        pem = ctx.path("client-with-key.pem")
        with open(pem, "w") as out:
            for p in ("client.pem", "client.key"):
                with open(os.path.join(ctx.certs, p)) as f:
                    out.write(f.read())
        env["AZURE_CLIENT_CERTIFICATE_PATH"] = pem
        if auth == "cert-ps256":
            env["IDPC_CLIENT_ASSERTION_ALG"] = "PS256"
    elif auth == "federated":
        now = int(time.time())
        tok = ctx.path("federated.jwt")
        with open(tok, "w") as f:
            f.write(jwt_unsigned({"iss": FIC_ISS, "sub": FIC_SUB,
                                  "aud": "api://AzureADTokenExchange", "iat": now,
                                  "nbf": now, "exp": now + 3600, "jti": "e2e-federated"}))
        env["AZURE_FEDERATED_TOKEN_FILE"] = tok
    else:
        raise ValueError(auth)
    return env


def idpc(ctx, args, env, expect=None, name=None, cwd=None):
    """Runs idpc; stdout and stderr are kept under the work directory (scanned for secrets)."""
    ctx.seq += 1
    stem = ctx.path("%02d-%s" % (ctx.seq, name or args[0]))
    t0 = time.time()
    p = subprocess.run([ctx.idpc] + args, env=env, capture_output=True, text=True,
                       cwd=cwd or ctx.source, timeout=600)
    dt = time.time() - t0
    with open(stem + ".stdout", "w") as f:
        f.write(p.stdout)
    with open(stem + ".stderr", "w") as f:
        f.write(p.stderr)
    if expect is not None and p.returncode not in (expect if isinstance(expect, tuple)
                                                   else (expect,)):
        raise Failure("idpc %s exited %d (expected %s)\n--- stdout\n%s\n--- stderr\n%s" %
                      (" ".join(args), p.returncode, expect, p.stdout[-3000:],
                       p.stderr[-3000:]))
    p.seconds = dt
    return p


def duplicates(state):
    """Objects that exist twice in a saved tenant (same name, or same assignment)."""
    c = state["collections"]
    dups = []
    for path in ("identity/conditionalAccess/policies", "identity/conditionalAccess/namedLocations",
                 "policies/authenticationStrengthPolicies", "groups"):
        seen = {}
        for o in c.get(path, []):
            n = (o.get("displayName") or "").lower()
            if n in seen:
                dups.append("%s: two objects named %r" % (path, o.get("displayName")))
            seen[n] = 1
    for path in ("roleManagement/directory/roleAssignments",
                 "roleManagement/directory/roleEligibilitySchedules"):
        seen = {}
        for o in c.get(path, []):
            k = (o.get("principalId"), o.get("roleDefinitionId"), o.get("directoryScopeId"))
            if k in seen:
                dups.append("%s: two entries for %r" % (path, k))
            seen[k] = 1
    settings = [s.get("templateId") for s in c.get("groupSettings", [])]
    if len(settings) != len(set(settings)):
        dups.append("groupSettings: two settings from one template")
    return dups


def plan_request_patterns(plan):
    """(method, compiled regex of the path) for every request of a saved plan."""
    out = []
    for a in plan.get("actions", []):
        for r in a.get("requests", []):
            path = re.escape(r["path"])
            path = re.sub(r"\\\$new:[^/]*?(?=/|$)", "[^/]+", path)
            path = re.sub(r"\$new:[^/]*?(?=/|$)", "[^/]+", path)
            out.append((r["method"], re.compile("^/v1\\.0/" + path + "$")))
    return out


def writes_outside(requests, patterns):
    """Applied write requests of the log that no plan request accounts for."""
    bad = []
    for r in requests:
        if r["method"] not in ("POST", "PATCH", "DELETE") or not r.get("applied"):
            continue
        if r["path"] == "/v1.0/$batch" or "/oauth2/" in r["path"]:
            continue
        if not any(m == r["method"] and rx.match(r["path"]) for m, rx in patterns):
            bad.append("%s %s" % (r["method"], r["path"]))
    return bad


def scan_for_secrets(ctx, extra=()):
    """Every file under the work directory except the credentials themselves."""
    secrets = [s for s in ctx.secrets() + list(extra) if s]
    token_like = re.compile(r"(emu\.[A-Za-z0-9_\-]{16,}|eyJ[A-Za-z0-9_\-]{8,}\.eyJ)")
    found = []
    for root, _, files in os.walk(ctx.work):
        for fn in files:
            p = os.path.join(root, fn)
            if root.startswith(ctx.certs) or fn.endswith((".jwt", ".key")) or \
                    fn == "client-with-key.pem":
                continue
            with open(p, "rb") as f:
                data = f.read().decode("utf-8", "replace")
            for k, s in enumerate(secrets):
                if s in data:
                    found.append("%s contains secret #%d (see e2e_lib.Ctx.secrets)" % (p, k))
            if token_like.search(data):
                found.append("%s contains a token-like string" % p)
    return found
