#!/usr/bin/env python3
"""Runs one golden case of idpc and compares its output with the expected file.

Stages (paths relative to tests/golden):
  parse   parse/<case>.idp  -> parse/<case>.ast   stdout of `idpc validate --dump-ast parse/<case>.idp`
                                                  run from tests/golden (must exit 0)
  fmt     fmt/<case>.idp    -> fmt/<case>.fmt     stdout of `idpc fmt <case>.idp` run from fmt/
                                                  (must exit 0); formatting the .fmt again must
                                                  give the same text (fixed point)
  errors  errors/<case>.idp -> errors/<case>.err  stderr of `idpc validate <case>.idp` run from
                                                  errors/, then a last line `exit: N`
  compile compile/<case>.idp -> compile/<case>.json stdout of `idpc compile <case>.idp` run from
                                                  compile/ (must exit 0)
  check   check/<case>.idp  -> check/<case>.out   stdout of `idpc check <case>.idp [ARGS]` run from
                                                  check/, then a last line `exit: N`; ARGS come
                                                  from a first line `# check-args: ...`
  test    test/<case>.idp   -> test/<case>.out    the same with `idpc test` (`# test-args: ...`)
  coverage coverage/<case>.idp -> coverage/<case>.out  the same with `idpc coverage`
                                                  (`# coverage-args: ...`)

With IDPC_REGEN=1 in the environment the expected file is rewritten from the actual output
(the fixed-point and exit-code checks still apply). Review the diff before committing.
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile

EXT = {"parse": ".ast", "fmt": ".fmt", "errors": ".err", "compile": ".json", "check": ".out",
       "test": ".out", "coverage": ".out"}


def run(idpc, args, cwd):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("TERM", None)
    p = subprocess.run([idpc] + args, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr


def show(b):
    return b.decode("utf-8", "replace")


def compare(expected_path, actual, what):
    """Returns True when equal; regenerates under IDPC_REGEN=1."""
    if os.environ.get("IDPC_REGEN") == "1":
        old = None
        if os.path.exists(expected_path):
            with open(expected_path, "rb") as f:
                old = f.read()
        if old != actual:
            with open(expected_path, "wb") as f:
                f.write(actual)
            print(f"regenerated {expected_path}")
        return True
    if not os.path.exists(expected_path):
        print(f"FAIL: {expected_path} does not exist; actual {what}:")
        sys.stdout.write(show(actual))
        print("(run with IDPC_REGEN=1 to create it, then review it)")
        return False
    with open(expected_path, "rb") as f:
        expected = f.read()
    if expected == actual:
        return True
    print(f"FAIL: {what} differs from {expected_path}")
    diff = difflib.unified_diff(show(expected).splitlines(True), show(actual).splitlines(True),
                                "expected", "actual")
    for line in diff:
        sys.stdout.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True, help="the tests/golden directory")
    ap.add_argument("--stage", required=True, choices=sorted(EXT))
    ap.add_argument("--case", required=True)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    stage_dir = os.path.join(root, a.stage)
    expected = os.path.join(stage_dir, a.case + EXT[a.stage])
    ok = True

    if a.stage == "parse":
        rc, out, err = run(a.idpc, ["validate", "--dump-ast", f"parse/{a.case}.idp"], root)
        if rc != 0:
            print(f"FAIL: idpc validate exited {rc}; stderr:")
            sys.stdout.write(show(err))
            return 1
        ok = compare(expected, out, "AST dump")
    elif a.stage == "fmt":
        rc, out, err = run(a.idpc, ["fmt", a.case + ".idp"], stage_dir)
        if rc != 0:
            print(f"FAIL: idpc fmt exited {rc}; stderr:")
            sys.stdout.write(show(err))
            return 1
        ok = compare(expected, out, "formatted text")
        # fixed point: format the formatted text again
        with tempfile.TemporaryDirectory() as tmp:
            again = os.path.join(tmp, a.case + ".idp")
            with open(again, "wb") as f:
                f.write(out)
            rc2, out2, err2 = run(a.idpc, ["fmt", again], tmp)
            if rc2 != 0:
                print(f"FAIL: formatting the output again exited {rc2}; stderr:")
                sys.stdout.write(show(err2))
                return 1
            if out2 != out:
                print("FAIL: fmt is not a fixed point; fmt(fmt(x)) differs from fmt(x):")
                for line in difflib.unified_diff(show(out).splitlines(True),
                                                 show(out2).splitlines(True), "fmt(x)",
                                                 "fmt(fmt(x))"):
                    sys.stdout.write(line)
                ok = False
            rc3, out3, _ = run(a.idpc, ["fmt", "--check", again], tmp)
            if rc3 != 0:
                print(f"FAIL: idpc fmt --check on formatted text exited {rc3}: {show(out3)}")
                ok = False
    elif a.stage == "compile":
        rc, out, err = run(a.idpc, ["compile", a.case + ".idp"], stage_dir)
        if rc != 0:
            print(f"FAIL: idpc compile exited {rc}; stderr:")
            sys.stdout.write(show(err))
            return 1
        ok = compare(expected, out, "compiled model")
    elif a.stage in ("check", "test", "coverage"):
        with open(os.path.join(stage_dir, a.case + ".idp"), encoding="utf-8") as f:
            first = f.readline()
        tag = f"# {a.stage}-args:"
        extra = first.split(":", 1)[1].split() if first.startswith(tag) else []
        rc, out, err = run(a.idpc, [a.stage, a.case + ".idp"] + extra, stage_dir)
        if err:
            print("note: stderr was:")
            sys.stdout.write(show(err))
        ok = compare(expected, out + f"exit: {rc}\n".encode(), f"{a.stage} output")
    else:
        rc, out, err = run(a.idpc, ["validate", a.case + ".idp"], stage_dir)
        if out:
            print("note: stdout was:")
            sys.stdout.write(show(out))
        ok = compare(expected, err + f"exit: {rc}\n".encode(), "diagnostics")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
