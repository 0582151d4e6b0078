#!/bin/sh
# report_only.sh IDPC SOURCE_DIR — `idpc plan` warns when it would create a Conditional Access
# policy directly in state on (Microsoft's guidance: report-only first), names the policy and its
# line, and says nothing for `state on skip_report_only` or `state report_only` (issue 13).
set -eu
IDPC=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export NO_COLOR=1
TENANT="file:$SRC/tests/graph-emulator/fixtures/small-tenant.json"

mkdir "$T/cfg"
cat >"$T/cfg/main.idp" <<'IDP'
policy "Straight on" {
  state on
  users include all
  apps include all
  grant mfa
}

policy "Deliberately on" {
  state on skip_report_only
  users include all
  apps include office365
  grant mfa
}

policy "Measured first" {
  state report_only
  users include all
  apps include admin_portals
  grant mfa
}
IDP
set +e
"$IDPC" plan "$T/cfg" --tenant "$TENANT" >"$T/plan.txt" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 2 ] || fail "plan: exit $rc: $(cat "$T/plan.txt")"
grep -q 'main.idp:1:1: policy "Straight on" is new and created directly in state on' "$T/plan.txt" ||
    fail "no warning for the policy created on: $(cat "$T/plan.txt")"
n=$(grep -c 'is new and created directly in state on' "$T/plan.txt")
[ "$n" = 1 ] || fail "$n warnings, want 1: $(cat "$T/plan.txt")"
# skip_report_only compiles exactly like `state on`
"$IDPC" compile "$T/cfg" >"$T/model.json"
python3 - "$T/model.json" <<'PY' || fail "skip_report_only changes the Graph body"
import json, sys
m = json.load(open(sys.argv[1]))
st = {o["name"]: o["body"]["state"] for o in m["objects"]}
assert st["Straight on"] == "enabled" and st["Deliberately on"] == "enabled", st
PY
"$IDPC" fmt --check "$T/cfg" || fail "skip_report_only is not fmt-stable"
echo "report_only: all checks passed"
