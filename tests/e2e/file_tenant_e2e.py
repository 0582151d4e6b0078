#!/usr/bin/env python3
"""End-to-end tests of the file tenant's durability (docs/runtime.md, "The file tenant").

  file_tenant_e2e.py --idpc BIN --root REPO SCENARIO

symlink     apply through a symbolic link writes the real file; the link stays a link
mode        a 0600 snapshot stays 0600 after apply
two_names   two applies through two names of one file serialise (one lock): one applies, the other
            finds nothing to do, nothing is created twice
kill9       `kill -9` at random moments of an apply leaves the snapshot old or new, never torn;
            killed between the temporary file and the rename, the next run removes the leftover
readonly    the final write fails: apply says nothing was saved, exits 1, the snapshot unchanged
"""
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

IDPC = None
ROOT = None
CONTOSO = "policies/contoso"
CONTOSO_TENANT = "policies/contoso-tenant.json"


def env(extra=None):
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    e.pop("IDPC_TENANT", None)
    e.pop("IDPC_TEST_FAIL_AFTER", None)
    e.pop("IDPC_TEST_COMMIT_PAUSE", None)
    e.update(extra or {})
    return e


def run(args, extra=None, preexec=None):
    p = subprocess.run([IDPC] + args, cwd=ROOT, env=env(extra), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
                       preexec_fn=preexec)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, out=""):
    if not cond:
        print("FAIL: " + what)
        if out:
            print(out)
        sys.exit(1)
    print("ok: " + what)


def apply(spec, extra=None, preexec=None):
    return run(["apply", CONTOSO, "--tenant", "file:" + spec, "--auto-approve"], extra, preexec)


def fresh(tmp, name="real.json"):
    t = os.path.join(tmp, name)
    shutil.copy(os.path.join(ROOT, CONTOSO_TENANT), t)
    return t


def normalised(data):
    """A snapshot's text with the timestamps the file tenant's writes set blanked out."""
    return re.sub(rb'"[a-zA-Z]*DateTime": "[^"]*"', b'"T": ""', data)


def leftovers(d):
    return [f for f in os.listdir(d) if ".tmp." in f]


def scenario_symlink(tmp):
    real = fresh(tmp)
    link = os.path.join(tmp, "link.json")
    os.symlink("real.json", link)
    before = open(real, "rb").read()
    rc, out, err = apply(link)
    check(rc == 0 and "Apply complete" in out, "apply through the link succeeds", out + err)
    check(os.path.islink(link) and os.readlink(link) == "real.json", "the link is still a link")
    check(open(real, "rb").read() != before, "the real file has the new tenant")
    json.load(open(real, encoding="utf-8"))
    rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + real, "--detailed-exitcode"])
    check(rc == 0, "the real file, planned by its own name, has nothing left to do", out + err)
    check(not os.path.exists(link + ".lock"), "the lock is the real file's, not the link's")
    check(os.path.exists(real + ".lock"), "the lock file is beside the real file")
    check(leftovers(tmp) == [], "no temporary file is left")


def scenario_mode(tmp):
    real = fresh(tmp)
    os.chmod(real, 0o600)
    rc, out, err = apply(real)
    check(rc == 0, "apply succeeds", out + err)
    mode = stat.S_IMODE(os.stat(real).st_mode)
    check(mode == 0o600, "the snapshot keeps mode 0600 (got %o)" % mode)


def scenario_two_names(tmp):
    real = fresh(tmp)
    link = os.path.join(tmp, "other-name.json")
    os.symlink(real, link)
    results = [None, None]

    def go(i, spec):
        results[i] = apply(spec)
    ts = [threading.Thread(target=go, args=(0, real)), threading.Thread(target=go, args=(1, link))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(all(r[0] == 0 for r in results), "both applies succeed",
          "\n".join(r[1] + r[2] for r in results))
    applied = [r for r in results if "Apply complete" in r[1]]
    check(len(applied) == 1, "exactly one of them applied; the other found nothing to do",
          "\n".join(r[1][-300:] for r in results))
    doc = json.load(open(real, encoding="utf-8"))
    names = [p["displayName"] for p in doc["collections"]["identity/conditionalAccess/policies"]]
    check(len(names) == len(set(names)), "no policy was created twice", str(sorted(names)))


def scenario_kill9(tmp):
    # the uninterrupted result, at the same path (ids derive from the path)
    real = fresh(tmp)
    old = open(real, "rb").read()
    rc, out, err = apply(real)
    check(rc == 0, "reference apply", out + err)
    new = open(real, "rb").read()
    # killed between writing the temporary file and the rename
    with open(real, "wb") as f:
        f.write(old)
    p = subprocess.Popen([IDPC, "apply", CONTOSO, "--tenant", "file:" + real, "--auto-approve"],
                         cwd=ROOT, env=env({"IDPC_TEST_COMMIT_PAUSE": "60"}),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not leftovers(tmp) and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    check(leftovers(tmp) != [], "the paused commit has written its temporary file")
    p.send_signal(signal.SIGKILL)
    p.wait()
    check(open(real, "rb").read() == old, "killed before the rename: the snapshot is the old one")
    left = leftovers(tmp)
    rc, out, err = apply(real)
    check(rc == 0 and "Apply complete" in out, "the next apply succeeds", out + err)
    check(("removed '%s'" % os.path.join(tmp, left[0])) in err,
          "it removes the leftover and says so", err)
    check(leftovers(tmp) == [], "no temporary file is left")
    check(normalised(open(real, "rb").read()) == normalised(new),
          "and the result is the uninterrupted one (but for the clock)")
    # killed at random moments
    rnd = random.Random(10)
    outcomes = {"old": 0, "new": 0}
    for i in range(12):
        with open(real, "wb") as f:
            f.write(old)
        p = subprocess.Popen([IDPC, "apply", CONTOSO, "--tenant", "file:" + real,
                              "--auto-approve"], cwd=ROOT, env=env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.0, 1.5 if i % 2 else 0.4))
        p.send_signal(signal.SIGKILL)
        p.wait()
        now = open(real, "rb").read()
        if now == old:
            outcomes["old"] += 1
        else:
            # the new tenant: whole (it opens), equal to the uninterrupted result but for the
            # clock (createdDateTime), and with nothing left to plan
            check(normalised(now) == normalised(new),
                  "kill -9 #%d: the snapshot is the old or the whole new one" % i)
            rc, out, err = run(["plan", CONTOSO, "--tenant", "file:" + real,
                                "--detailed-exitcode"])
            check(rc == 0, "kill -9 #%d: the new snapshot has nothing left to plan" % i, out + err)
            outcomes["new"] += 1
        for f in leftovers(tmp):
            os.unlink(os.path.join(tmp, f))
    print("outcomes: %s" % outcomes)


def scenario_readonly(tmp):
    real = fresh(tmp)
    before = open(real, "rb").read()
    if os.geteuid() != 0:
        os.chmod(tmp, 0o555)
        preexec = None
        how = "a read-only directory"
    else:
        # root writes into read-only directories; a file-size limit makes the final write fail
        # the same way (EFBIG) without touching anything else
        size = len(before) // 2

        def preexec():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        how = "a file-size limit (running as root)"
    try:
        rc, out, err = apply(real, preexec=preexec)
    finally:
        os.chmod(tmp, 0o755)
    check(rc == 1, "the failed final write exits 1 (%s)" % how, out + err)
    check("cannot write tenant snapshot" in err, "it names the write that failed", err)
    check("NOTHING WAS SAVED" in err, "it says that nothing was saved", err)
    check("Apply complete" not in out, "it does not claim completion", out)
    check(open(real, "rb").read() == before, "the snapshot is byte for byte unchanged")
    check(leftovers(tmp) == [], "no temporary file is left")


SCENARIOS = {
    "symlink": scenario_symlink,
    "mode": scenario_mode,
    "two_names": scenario_two_names,
    "kill9": scenario_kill9,
    "readonly": scenario_readonly,
}



if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios
    scenarios.run(SCENARIOS, globals())
