"""The shared driver of the scenario-style e2e scripts (lockout, saved plans, file tenant,
limits): `SCRIPT --idpc BIN --root REPO SCENARIO` runs one scenario in a fresh temporary
directory. Each script keeps its SCENARIOS table and its module globals IDPC and ROOT."""
import argparse
import os
import tempfile


def run(scenarios, module_globals, done="PASS"):
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("scenario", choices=sorted(scenarios))
    a = ap.parse_args()
    module_globals["IDPC"] = os.path.abspath(a.idpc)
    module_globals["ROOT"] = os.path.abspath(a.root)
    with tempfile.TemporaryDirectory() as tmp:
        scenarios[a.scenario](tmp)
    print(done)
