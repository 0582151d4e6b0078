#!/bin/sh
# robustness.sh IDPC — inputs that once hung, crashed or misreported (issue 13): an empty folder
# (qsort on NULL under UBSan), a folder named x.idp, a .idp symlink to /dev/zero, a --from-json
# folder with a symlink to itself, and Graph JSON with nothing to export.
set -eu
IDPC=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# run EXPECTED_EXIT CMD...: stdout+stderr into $T/out, bounded in time
run() {
    want=$1
    shift
    set +e
    timeout 60 "$@" >"$T/out" 2>&1
    got=$?
    set -e
    [ "$got" = "$want" ] || fail "$*: exit $got, expected $want: $(cat "$T/out")"
    ! grep -q 'runtime error' "$T/out" || fail "$*: sanitizer report: $(cat "$T/out")"
}

mkdir "$T/empty"
run 1 "$IDPC" validate "$T/empty"
grep -q "no .idp files in" "$T/out" || fail "empty folder: $(cat "$T/out")"
run 1 "$IDPC" fmt --check "$T/empty"

mkdir -p "$T/dirs/x.idp"
run 1 "$IDPC" validate "$T/dirs"
grep -q "it is a directory, not an .idp file" "$T/out" || fail "x.idp folder: $(cat "$T/out")"

mkdir "$T/dev"
ln -s /dev/zero "$T/dev/zero.idp"
run 1 "$IDPC" validate "$T/dev"
grep -q "not a regular file" "$T/out" || fail "/dev/zero: $(cat "$T/out")"

mkdir "$T/json"
cat >"$T/json/loc.json" <<'JSON'
{"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "11111111-1111-1111-1111-111111111111",
 "displayName": "Office", "isTrusted": true,
 "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/24"}]}
JSON
ln -s . "$T/json/self"
run 0 "$IDPC" export --from-json "$T/json" -o "$T/out-loop"
grep -q "already read" "$T/out" || fail "symlink loop not reported: $(cat "$T/out")"
grep -q '^location "Office"' "$T/out-loop/locations.idp" || fail "symlink loop: location lost"

echo '{"@odata.type": "#microsoft.graph.somethingNew", "id": "x", "displayName": "y"}' >"$T/unknown.json"
run 1 "$IDPC" export --from-json "$T/unknown.json" -o "$T/out-unknown"
grep -q "no Conditional Access policy" "$T/out" || fail "unknown type: $(cat "$T/out")"
echo '[]' >"$T/emptylist.json"
run 1 "$IDPC" export --from-json "$T/emptylist.json" -o "$T/out-emptylist"
echo "robustness: all checks passed"
