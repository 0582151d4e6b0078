#!/bin/sh
# export.sh IDPC SOURCE_DIR [--conformance SHARED_DIR] — end-to-end checks of `idpc export`: a file
# tenant and Graph JSON backups convert into .idp that is fmt-stable and valid; the bundled
# Contoso tenant, exported (every kind: groups, locations, strengths, methods, roles, settings,
# policies) and planned against itself, shows no changes; invalid JSON is a clear error naming
# file, line and column; UTF-16 backups read like their UTF-8 copies. The backups are the
# repository's fixtures (tests/fixtures/corpus); with --conformance, the real exports in
# SHARED_DIR/corpus instead (exit 77, a skip, when they are missing).
set -eu
IDPC=$1
SRC=$2
SHARED=""
if [ "${3:-}" = --conformance ]; then
    SHARED=${4:-${IDPC_SHARED_DIR:-}}
    if [ -z "$SHARED" ] || [ ! -d "$SHARED/corpus" ]; then
        echo "skipped: the shared corpus is missing (${SHARED:-IDPC_SHARED_DIR unset})"
        exit 77
    fi
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. a file tenant
"$IDPC" export --tenant "file:$SRC/tests/graph-emulator/fixtures/small-tenant.json" -o "$T/tenant" \
    2>"$T/err" || fail "export --tenant: $(cat "$T/err")"
grep -q '^location "Head office" {' "$T/tenant/locations.idp" || fail "no location exported"
"$IDPC" fmt --check "$T/tenant" || fail "tenant export is not fmt-stable"
"$IDPC" validate "$T/tenant" >/dev/null 2>&1 || fail "tenant export does not validate"

# 1b. issue 7's done-when: the bundled Contoso snapshot, exported and planned against itself,
# shows no changes -- with the referenced groups only, and with every group.
CT="file:$SRC/policies/contoso-tenant.json"
for mode in referenced all; do
    flag=
    [ "$mode" = all ] && flag=--all-groups
    D=$T/contoso-$mode
    "$IDPC" export --tenant "$CT" $flag -o "$D" 2>"$T/err" || fail "contoso export: $(cat "$T/err")"
    for f in groups locations strengths authentication roles settings policies; do
        [ -s "$D/$f.idp" ] || fail "contoso export ($mode): no $f.idp"
    done
    grep -q '^group "' "$D/groups.idp" || fail "contoso export ($mode): no group declared"
    grep -q '^role "Global Administrator" {' "$D/roles.idp" || fail "contoso: no Global Administrator"
    grep -q '^authentication_methods {' "$D/authentication.idp" || fail "contoso: no methods"
    grep -q '^settings {' "$D/settings.idp" || fail "contoso: no settings"
    "$IDPC" fmt --check "$D" || fail "contoso export ($mode) is not fmt-stable"
    "$IDPC" validate "$D" >"$T/out" 2>&1 || fail "contoso export ($mode) does not validate: $(cat "$T/out")"
    set +e
    "$IDPC" plan "$D" --tenant "$CT" --detailed-exitcode --no-color >"$T/plan" 2>&1
    rc=$?
    set -e
    [ "$rc" = 0 ] || fail "contoso ($mode groups): plan after export exits $rc, want 0 (no changes): $(cat "$T/plan")"
    grep -q '^No changes' "$T/plan" || fail "contoso ($mode groups): plan does not say 'No changes'"
done
grep -q '^  activation_max_duration 8h$' "$T/contoso-all/roles.idp" ||
    fail "contoso export: no PIM role settings (activation_max_duration 8h)"

# 1c. PIM role settings and PIM for Groups round trip: Contoso's plan applied to a copy of its
# tenant (the recommended settings: approvers, tickets, notification addresses; the pim_group
# schedules and settings; the access reviews), then exported and planned
# against the result: no changes, and the settings are there in the language's words.
cp "$SRC/policies/contoso-tenant.json" "$T/applied.json"
"$IDPC" plan "$SRC/policies/contoso" --tenant "file:$T/applied.json" -o "$T/applied-plan.json" \
    >/dev/null 2>"$T/err" || fail "contoso plan: $(cat "$T/err")"
"$IDPC" apply "$T/applied-plan.json" --tenant "file:$T/applied.json" >/dev/null 2>"$T/err" ||
    fail "contoso apply: $(cat "$T/err")"
"$IDPC" export --tenant "file:$T/applied.json" -o "$T/applied" 2>"$T/err" ||
    fail "export after apply: $(cat "$T/err")"
for line in '  activation_max_duration 1h' '  activation_requires mfa, justification, ticket' \
    '  activation_approval group "PIM-Privileged-Role-Admins"' '  eligible_max_duration 365d' \
    '  notify activation admin all "secops@contoso.com"'; do
    grep -qxF "$line" "$T/applied/roles.idp" || fail "export after apply: no line '$line'"
done
# PIM for Groups (issue 14): the schedules and the member and owner settings Contoso applied
for line in 'pim_group "PIM-Security-Admins" {' '  eligible member user "admin-alice@contoso.onmicrosoft.com",' \
    '  active owner user "admin-dana@contoso.onmicrosoft.com" until "2027-11-30"' \
    '  member activation_max_duration 4h' '  owner activation_max_duration 1h'; do
    grep -qxF "$line" "$T/applied/pim_groups.idp" || fail "export after apply: no pim_group line '$line'"
done
# access reviews (issue 14): both of Contoso's, with names instead of ids
for line in 'access_review "Quarterly review of Global Administrators" {' \
    '  review role "Global Administrator"' \
    '  reviewers user "admin-alice@contoso.onmicrosoft.com", user "admin-bob@contoso.onmicrosoft.com"' \
    '  review guests in microsoft365_groups' '  fallback_reviewers user "admin-dana@contoso.onmicrosoft.com"' \
    '  recurrence quarterly from "2027-01-04"' '  if_no_response deny'; do
    grep -qxF "$line" "$T/applied/reviews.idp" || fail "export after apply: no access_review line '$line'"
done
"$IDPC" fmt --check "$T/applied" || fail "export after apply is not fmt-stable"
set +e
"$IDPC" plan "$T/applied" --tenant "file:$T/applied.json" --detailed-exitcode --no-color >"$T/plan" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || fail "export after apply: plan exits $rc, want 0: $(cat "$T/plan")"

[ "$(grep -c '^group "' "$T/contoso-all/groups.idp")" -gt "$(grep -c '^group "' "$T/contoso-referenced/groups.idp")" ] ||
    fail "--all-groups declares no more groups than the default"
if "$IDPC" export --from-json "$SRC/policies/contoso-tenant.json" --all-groups >/dev/null 2>&1; then
    fail "--all-groups with --from-json succeeded"
fi

# 1c. authentication contexts round trip: apply policies/contoso (which declares "c1") to a copy of
# the snapshot, export it, and plan the export against it: no changes, and c1 is declared.
cp "$SRC/policies/contoso-tenant.json" "$T/applied.json"
"$IDPC" plan "$SRC/policies/contoso" --tenant "file:$T/applied.json" -o "$T/applied-plan.json" \
    >/dev/null 2>"$T/err" || fail "contoso plan for the context round trip: $(cat "$T/err")"
"$IDPC" apply "$T/applied-plan.json" --tenant "file:$T/applied.json" >/dev/null 2>"$T/err" ||
    fail "contoso apply for the context round trip: $(cat "$T/err")"
"$IDPC" export --tenant "file:$T/applied.json" -o "$T/applied" 2>"$T/err" ||
    fail "export of the applied tenant: $(cat "$T/err")"
grep -q '^authentication_context "c1" {' "$T/applied/contexts.idp" ||
    fail "the applied tenant's authentication context c1 is not exported"
grep -q 'display_name "Highly regulated data"' "$T/applied/contexts.idp" ||
    fail "c1 is exported without its display name"
set +e
"$IDPC" plan "$T/applied" --tenant "file:$T/applied.json" --detailed-exitcode --no-color >"$T/plan" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || fail "applied contoso: plan after export exits $rc, want 0: $(cat "$T/plan")"

# 2. usage errors
if "$IDPC" export >/dev/null 2>&1; then fail "export without input succeeded"; fi
set +e; "$IDPC" export --tenant x --from-json y >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || fail "both --tenant and --from-json: exit $rc, want 1 (a usage error is an error)"

# 3. invalid JSON: exit 1, file:line:col on stderr
printf '{\n  "displayName": "x",\n}\n' >"$T/bad.json"
set +e; "$IDPC" export --from-json "$T/bad.json" -o "$T/bad" 2>"$T/err"; rc=$?; set -e
[ "$rc" = 1 ] || fail "invalid JSON: exit $rc, want 1"
grep -q "$T/bad.json:3:1: invalid JSON" "$T/err" || fail "invalid JSON message: $(cat "$T/err")"

if [ -n "$SHARED" ]; then
    C=$SHARED/corpus
    SPLIT=$C/j0eyv__ConditionalAccessBaseline/Config
    SPLIT_MIN=30
    R=$C/j0eyv__ConditionalAccessBaseline/_raw_utf16/Config/ConditionalAccess
    U=$C/j0eyv__ConditionalAccessBaseline/Config/ConditionalAccess
    f=CA000-Global-IdentityProtection-AnyApp-AnyPlatform-MFA.json
else
    C=$SRC/tests/fixtures/corpus
    SPLIT=$C/v1.0
    SPLIT_MIN=8
    R=$C/beta-export/_raw_utf16
    U=$C/beta-export
    f=beta02.json
fi
echo "corpus: $C"

# 4. a folder of backups, per kind and --split; both fmt-stable and valid
for d in "$C"/*/; do
    n=$(basename "$d")
    case $n in _*) continue ;; esac
    "$IDPC" export --from-json "$d" -o "$T/$n" 2>"$T/err" || fail "$n: $(tail -1 "$T/err")"
    "$IDPC" fmt --check "$T/$n" || fail "$n: not fmt-stable"
    "$IDPC" validate "$T/$n" >/dev/null 2>&1 || fail "$n: does not validate"
done
"$IDPC" export --from-json "$SPLIT" --split -o "$T/split" 2>/dev/null || fail "--split"
[ "$(ls "$T/split" | grep -c '^policy-')" -ge "$SPLIT_MIN" ] || fail "--split wrote too few files"
"$IDPC" validate "$T/split" >/dev/null 2>&1 || fail "--split output does not validate"

# 5. UTF-16 originals give the same text as their UTF-8 copies
"$IDPC" export --from-json "$R/$f" 2>/dev/null | sed 1d >"$T/u16.idp"
"$IDPC" export --from-json "$U/$f" 2>/dev/null | sed 1d >"$T/u8.idp"
[ -s "$T/u8.idp" ] || fail "the UTF-8 export of $f is empty"
cmp -s "$T/u16.idp" "$T/u8.idp" || fail "UTF-16 and UTF-8 exports differ"

# 6. _invalid: exit 1 with the file named, never a crash
set +e; "$IDPC" export --from-json "$C/_invalid" -o "$T/inv" 2>"$T/err"; rc=$?; set -e
[ "$rc" = 1 ] || fail "_invalid: exit $rc, want 1"
[ "$(grep -c 'invalid JSON' "$T/err")" -ge 2 ] || fail "_invalid: $(cat "$T/err")"
echo "export e2e: ok"
