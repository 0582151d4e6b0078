#!/usr/bin/env python3
"""The GitHub Action's script (scripts/action.sh), run as a runner would run action.yml's steps:
a simulated GitHub environment (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, RUNNER_TEMP,
the run's URL), the inputs as action.yml passes them (IDPC_ACTION_*), the real idpc binary and
the Graph emulator over HTTPS with the Azure SDK's environment.

Scenarios, in order, on one emulated tenant (the Contoso snapshot):
  install      idpc on PATH: nothing is built, the version is printed
  validate     --format github; exit-code 0, no plan outputs, a step summary line
  check        --format sarif with output-file: a SARIF 2.1.0 log at the output path
  plan         the plan is saved and rendered as markdown; outputs point at both; the step
               summary holds the markdown (marker first, a link to the run at the end)
  apply        the saved plan is applied to the emulator; a second plan has no changes
  failure      an invalid configuration: exit-code 1 recorded and the step fails; with
               fail-on-error false the step passes and still records 1
  action.yml   declares the inputs and outputs the script reads and writes
No secret appears in any output, summary or file the action wrote.
Usage: action_test.py --idpc IDPC --emulator EMU --source DIR --workdir DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e", "graph"))
import e2e_lib as E  # noqa: E402

FAILS = []


def ok(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILS.append(what)


def read_outputs(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out[k] = v
    return out


class Runner:
    """One simulated job: its GitHub files and the environment of the action's steps."""

    def __init__(self, ctx, emu, idpc):
        self.ctx = ctx
        self.gh = ctx.path("github")
        os.makedirs(os.path.join(self.gh, "temp"), exist_ok=True)
        self.summary = os.path.join(self.gh, "step_summary.md")
        self.env = E.auth_env(ctx, emu, "secret")
        bindir = os.path.join(self.gh, "bin")
        os.makedirs(bindir, exist_ok=True)
        link = os.path.join(bindir, "idpc")
        if not os.path.exists(link):
            os.symlink(idpc, link)
        self.env.update({
            "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
            "GITHUB_ACTIONS": "true", "CI": "true",
            "GITHUB_STEP_SUMMARY": self.summary,
            "GITHUB_PATH": os.path.join(self.gh, "path"),
            "RUNNER_TEMP": os.path.join(self.gh, "temp"),
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "contoso/identity",
            "GITHUB_RUN_ID": "4242", "GITHUB_WORKSPACE": ctx.source,
        })
        self.n = 0

    def step(self, phase, **inputs):
        """Runs `action.sh PHASE` with action.yml's inputs; returns (rc, outputs, stdout)."""
        self.n += 1
        out_file = os.path.join(self.gh, "output-%d" % self.n)
        open(out_file, "w").close()
        env = dict(self.env, GITHUB_OUTPUT=out_file)
        for k, v in inputs.items():
            env["IDPC_ACTION_" + k.upper()] = v
        r = subprocess.run(["bash", os.path.join(self.ctx.source, "scripts/action.sh"), phase],
                           env=env, cwd=self.ctx.work, capture_output=True, text=True, timeout=300)
        log = r.stdout + r.stderr
        with open(self.ctx.path("step-%d.log" % self.n), "w") as f:
            f.write(log)
        return r.returncode, read_outputs(out_file), log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    ctx = E.Ctx(a, "action")
    state = os.path.join(ctx.source, "policies/contoso-tenant.json")
    emu = E.Emulator(ctx, state)
    try:
        run(ctx, emu)
    finally:
        emu.stop()
    logs = ""
    for root, _, files in os.walk(ctx.path("github")):
        for fn in files:
            p = os.path.join(root, fn)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, errors="replace") as f:
                    logs += f.read()
    for fn in os.listdir(ctx.work):
        if fn.startswith("step-"):
            with open(ctx.path(fn)) as f:
                logs += f.read()
    leaked = [s for s in ctx.secrets() if s and s in logs]
    ok(not leaked, "no secret in any output, summary or log")
    print("action: %s" % ("%d check(s) failed" % len(FAILS) if FAILS else "all scenarios passed"))
    sys.exit(1 if FAILS else 0)


def run(ctx, emu):
    r = Runner(ctx, emu, os.path.abspath(ctx.idpc))
    src = ctx.source

    rc, outs, log = r.step("install", install="auto")
    ok(rc == 0 and "using " in log and "idpc " in log, "install: idpc on PATH is used, nothing built")
    rc, outs, log = r.step("install", install="never")
    ok(rc == 0, "install never: idpc on PATH is accepted")

    rc, outs, log = r.step("run", command="validate --format github policies/contoso",
                           working_directory=src)
    ok(rc == 0 and outs.get("exit-code") == "0", "validate: exit-code 0")
    ok(outs.get("plan") == "" and outs.get("markdown") == "", "validate: no plan outputs")
    with open(r.summary) as f:
        ok("`idpc validate --format github policies/contoso`: exit code 0" in f.read(),
           "validate: a line in the step summary")

    sarif = ctx.path("idpc.sarif")
    rc, outs, log = r.step("run", command="check --format sarif policies/contoso", working_directory=src,
                           output_file=sarif, fail_on_error="false")
    ok(outs.get("output") == sarif and os.path.exists(sarif), "check: output-file written, output names it")
    try:
        with open(sarif) as f:
            doc = json.load(f)
        ok(doc.get("version") == "2.1.0" and doc["runs"][0]["tool"]["driver"]["name"] == "idpc",
           "check: a SARIF 2.1.0 log from idpc")
    except (OSError, ValueError, KeyError, IndexError) as e:
        ok(False, "check: SARIF log readable (%s)" % e)

    before = os.path.getsize(r.summary)
    rc, outs, log = r.step("run", command="plan --detailed-exitcode policies/contoso", tenant="graph:",
                           working_directory=src)
    ok(rc == 0 and outs.get("exit-code") == "2", "plan: exit-code 2 (changes) and the step passes")
    plan, md = outs.get("plan", ""), outs.get("markdown", "")
    ok(os.path.isabs(plan) and plan.startswith(os.path.join(r.gh, "temp")), "plan: saved under RUNNER_TEMP")
    try:
        with open(plan) as f:
            saved = json.load(f)
        ok(saved.get("format") == "idpc-plan/1" and saved["summary"]["create"] > 0,
           "plan: the saved plan is an idpc-plan/1 with changes")
    except (OSError, ValueError, KeyError) as e:
        ok(False, "plan: saved plan readable (%s)" % e)
    with open(md) as f:
        text = f.read()
    ok(text.startswith("<!-- idpc plan: policies/contoso -->\n"), "plan: markdown starts with the marker")
    ok("#### Needs attention" in text and "**deleted**" in text, "plan: Needs attention lists the deletions")
    ok("https://github.com/contoso/identity/actions/runs/4242" in text, "plan: markdown links the run")
    ok(len(text) < 65536, "plan: markdown under GitHub's comment limit (%d characters)" % len(text))
    with open(r.summary) as f:
        f.seek(before)
        ok(f.read() == text, "plan: the step summary holds the markdown plan")

    rc, outs, log = r.step("run", command="apply " + plan, tenant="graph:", working_directory=src)
    ok(rc == 0 and outs.get("exit-code") == "0", "apply: the saved plan applied (exit-code 0)")
    rc, outs, log = r.step("run", command="plan --detailed-exitcode policies/contoso", tenant="graph:",
                           working_directory=src)
    ok(outs.get("exit-code") == "0", "plan after apply: exit-code 0, no changes")
    if outs.get("markdown"):
        with open(outs["markdown"]) as f:
            ok("**No changes.**" in f.read(), "plan after apply: the markdown says no changes")

    bad = ctx.path("bad")
    os.makedirs(bad, exist_ok=True)
    with open(os.path.join(bad, "a.idp"), "w") as f:
        f.write('policy "x" {\n  grant mfaa\n}\n')
    rc, outs, log = r.step("run", command="validate --format github .", working_directory=bad)
    ok(rc == 1 and outs.get("exit-code") == "1", "failure: exit-code 1 and the step fails")
    ok("::error file=" in log, "failure: GitHub annotations in the log")
    rc, outs, log = r.step("run", command="validate .", working_directory=bad, fail_on_error="false")
    ok(rc == 0 and outs.get("exit-code") == "1", "failure with fail-on-error false: step passes, exit-code 1")
    rc, outs, log = r.step("run", command="validate", working_directory=ctx.path("missing"))
    ok(rc != 0 and "no working directory" in log, "failure: a missing working directory is named")

    try:
        import yaml
    except ImportError:
        yaml = None
    with open(os.path.join(src, "action.yml")) as f:
        raw = f.read()
    if yaml:
        y = yaml.safe_load(raw)
        ok(y["runs"]["using"] == "composite", "action.yml: a composite action")
        ok(set(y["inputs"]) >= {"command", "working-directory", "tenant"}, "action.yml: inputs")
        ok(set(y["outputs"]) >= {"exit-code", "plan", "markdown"}, "action.yml: outputs")
        envs = " ".join(str(s.get("env", {})) for s in y["runs"]["steps"])
        for name in ("COMMAND", "WORKING_DIRECTORY", "TENANT", "OUTPUT_FILE", "FAIL_ON_ERROR", "INSTALL"):
            ok("IDPC_ACTION_" + name in envs, "action.yml passes IDPC_ACTION_%s" % name)
        ok("${{" not in " ".join(s.get("run", "") for s in y["runs"]["steps"]),
           "action.yml: no input expanded into a shell script (injection)")
    else:
        ok("using: composite" in raw, "action.yml: a composite action")


main()
