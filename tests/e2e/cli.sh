#!/bin/bash
# cli.sh IDPC SOURCE_DIR SECTION — the command-line contract of docs/cli.md, on the real binary:
#   exit_codes   every command: an unknown option, a bad file and success (0 / 1 / 1), and
#                plan --detailed-exitcode (2 only for changes present)
#   dev_full     every command's output checked: standard output and -o FILE on /dev/full exit 1
#   options      --opt=value and --opt value, -o everywhere, old spellings, abbreviations refused,
#                idpc help CMD, the help pages' layout (help2man's)
#   color        --color, --no-color, NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE
#   github       --format github on plan, apply and test
#   fmt_stdin    idpc fmt - (standard input to standard output)
#   empty        idpc snapshot --empty, and a plan against it
#   environments one set of policies, two tenants (policies/multi-tenant)
set -u
IDPC=$1
SRC=$2
SECTION=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$SRC" || exit 1
unset IDPC_TENANT NO_COLOR FORCE_COLOR CLICOLOR_FORCE
export TERM=xterm
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
CONTOSO=policies/contoso
CT=file:policies/contoso-tenant.json
WHO=(--user ada@contoso.com --app office365)

# run WANT_RC CMD ARGS...: runs idpc, stdout in $T/out, stderr in $T/err; checks the exit code.
run() {
    local want=$1
    shift
    "$IDPC" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ "$rc" = "$want" ] || fail "idpc $*: exit $rc, want $want; stderr: $(head -c 600 "$T/err")"
}
# err_starts CMD: the first line of stderr is an error line of command CMD.
err_starts() {
    head -n 1 "$T/err" | grep -q "^idpc $1: error: " ||
        fail "idpc $1: the error line does not start with 'idpc $1: error: ': $(head -n 1 "$T/err")"
}

# A writable copy of the Contoso tenant for apply and snapshot.
cp policies/contoso-tenant.json "$T/tenant.json"

case "$SECTION" in
exit_codes)
    # Each command: an unknown option (a usage error), a bad file, success.
    for c in validate fmt compile whatif test coverage replay export plan apply snapshot check; do
        run 1 "$c" --no-such-option
        err_starts "$c"
        grep -q "unknown option '--no-such-option'" "$T/err" || fail "$c: unknown option message"
    done
    run 1 validate /nonexistent/x.idp
    run 1 fmt /nonexistent/x.idp
    run 1 compile /nonexistent/x.idp
    run 1 whatif /nonexistent/x.idp "${WHO[@]}"
    run 1 test /nonexistent/x.idp
    run 1 coverage /nonexistent/x.idp
    run 1 replay /nonexistent/x.idp --tenant "$CT" --signins policies/contoso-signins.jsonl
    run 1 export --from-json /nonexistent/x.json -o "$T/exp-bad"
    run 1 plan /nonexistent/x.idp --tenant "$CT"
    run 1 apply /nonexistent/plan.json --auto-approve
    err_starts apply
    run 1 snapshot --tenant file:/nonexistent/tenant.json
    err_starts snapshot
    run 1 check /nonexistent/x.idp

    run 0 validate $CONTOSO
    run 0 fmt --check $CONTOSO
    run 0 compile $CONTOSO
    run 0 whatif $CONTOSO "${WHO[@]}"
    run 0 test $CONTOSO
    run 0 coverage $CONTOSO
    run 0 replay $CONTOSO --tenant "$CT" --signins policies/contoso-signins.jsonl
    run 2 replay $CONTOSO --tenant "$CT" --signins policies/contoso-signins.jsonl --detailed-exitcode
    run 0 export --tenant "$CT" -o "$T/exp"
    run 0 snapshot --tenant "file:$T/tenant.json" -o "$T/snap.json"
    run 0 check $CONTOSO
    run 0 plan $CONTOSO --tenant "$CT"
    run 2 plan $CONTOSO --tenant "$CT" --detailed-exitcode
    run 0 apply $CONTOSO --tenant "file:$T/tenant.json" --auto-approve
    run 0 plan $CONTOSO --tenant "file:$T/tenant.json" --detailed-exitcode
    # A typo in a CI flag is an error (1), never "changes present" (2).
    run 1 plan $CONTOSO --tenant "$CT" --detailed-exitcode --detailed-exit-code
    run 1 plan $CONTOSO --tenant "$CT" --detailed-exitcode --format nope
    # Commands and help.
    run 1 nosuchcommand
    grep -q "^idpc: error: unknown command 'nosuchcommand'" "$T/err" || fail "unknown command"
    run 1
    run 0 --version
    run 0 help
    run 1 help nosuchcommand
    # The "no tenant" error names both kinds of tenant.
    run 1 plan $CONTOSO
    err_starts plan
    grep -q "graph:" "$T/err" && grep -q "file:PATH" "$T/err" || fail "no-tenant error: $(cat "$T/err")"
    ;;

dev_full)
    [ -c /dev/full ] || {
        echo "skipped: no /dev/full"
        exit 0
    }
    # Standard output on a full device: every command that prints exits 1 and says so.
    check_full() {
        "$IDPC" "$@" >/dev/full 2>"$T/err"
        local rc=$?
        [ "$rc" = 1 ] || fail "idpc $* >/dev/full: exit $rc, want 1"
        grep -q "error: cannot write standard output" "$T/err" ||
            fail "idpc $* >/dev/full: no error: $(cat "$T/err")"
        [ -c /dev/full ] || fail "/dev/full is no longer a device"
    }
    check_full snapshot --tenant "file:$T/tenant.json"
    check_full compile $CONTOSO
    check_full plan $CONTOSO --tenant "$CT"
    check_full plan $CONTOSO --tenant "$CT" --format json
    check_full export --tenant "$CT"
    check_full check $CONTOSO
    check_full check $CONTOSO --format sarif
    check_full coverage $CONTOSO
    check_full replay $CONTOSO --tenant "$CT" --signins policies/contoso-signins.jsonl
    check_full fmt $CONTOSO
    check_full validate $CONTOSO
    check_full whatif $CONTOSO "${WHO[@]}"
    check_full test $CONTOSO
    check_full snapshot --empty --tenant-id 6f1d3c2a-0d4e-4b8a-9c71-2e5f8a9b0c1d \
        --domain x.onmicrosoft.com
    check_full plan --help
    # -o FILE on a full device: written in place (never renamed over), and the error is reported.
    check_out() {
        "$IDPC" "$@" -o /dev/full >/dev/null 2>"$T/err"
        local rc=$?
        [ "$rc" = 1 ] || fail "idpc $* -o /dev/full: exit $rc, want 1"
        grep -q "cannot write '/dev/full'" "$T/err" || fail "idpc $* -o /dev/full: $(cat "$T/err")"
        [ -c /dev/full ] || fail "/dev/full is no longer a device"
    }
    check_out compile $CONTOSO
    check_out coverage $CONTOSO
    check_out replay $CONTOSO --tenant "$CT" --signins policies/contoso-signins.jsonl
    check_out check $CONTOSO
    check_out plan $CONTOSO --tenant "$CT"
    check_out snapshot --tenant "file:$T/tenant.json"
    # The same commands to /dev/null succeed (the device path is written in place).
    run 0 compile $CONTOSO -o /dev/null
    [ -c /dev/null ] || fail "/dev/null is no longer a device"
    ;;

options)
    # --opt=value, --opt value, -o value and -ovalue give the same output file.
    run 0 compile $CONTOSO --output="$T/a.json"
    run 0 compile $CONTOSO --output "$T/b.json"
    run 0 compile $CONTOSO -o "$T/c.json"
    run 0 compile $CONTOSO -o"$T/d.json"
    run 0 compile -o "$T/e.json" -- $CONTOSO
    for f in b c d e; do cmp -s "$T/a.json" "$T/$f.json" || fail "compile output $f differs"; done
    # -o, --output FILE on every command that writes a file; plan's old --out is kept.
    run 0 plan $CONTOSO --tenant="$CT" --out "$T/p1.json"
    run 0 plan $CONTOSO --tenant "$CT" --output="$T/p2.json"
    [ -s "$T/p1.json" ] && [ -s "$T/p2.json" ] || fail "plan --out / --output wrote nothing"
    run 0 coverage $CONTOSO --format=json --output "$T/cov.json"
    run 0 check $CONTOSO --format sarif -o "$T/check.sarif"
    grep -q '"version": "2.1.0"' "$T/check.sarif" || fail "check -o wrote no SARIF"
    run 0 snapshot --tenant "file:$T/tenant.json" --output="$T/snap.json"
    run 0 export --tenant="$CT" --output "$T/exp"
    [ -s "$T/exp/policies.idp" ] || fail "export --output wrote no policies.idp"
    run 0 fmt --write "$T/exp"
    # Abbreviations are refused with the full spelling suggested; flags take no value.
    run 1 plan $CONTOSO --ten "$CT"
    err_starts plan
    grep -q "did you mean '--tenant'" "$T/err" || fail "abbreviation: $(cat "$T/err")"
    run 1 compile $CONTOSO --out "$T/x.json"
    run 1 validate $CONTOSO --werror=yes
    grep -q "'--werror' takes no value" "$T/err" || fail "flag with a value: $(cat "$T/err")"
    run 1 compile $CONTOSO -o
    grep -q "needs a value" "$T/err" || fail "missing value: $(cat "$T/err")"
    # idpc help CMD is idpc CMD --help, for every command; each page has help2man's layout.
    for c in validate fmt compile whatif test coverage replay export plan apply snapshot check; do
        run 0 help "$c"
        cp "$T/out" "$T/help1"
        run 0 "$c" --help
        cmp -s "$T/help1" "$T/out" || fail "idpc help $c differs from idpc $c --help"
        head -n 1 "$T/out" | grep -q "^Usage: idpc $c " || fail "$c --help: no Usage line"
        for h in "Options:" "Exit codes:" "Examples:"; do
            grep -qx "$h" "$T/out" || fail "$c --help: no '$h' section"
        done
        for o in --color --no-color --help; do
            grep -q "^  .*$o" "$T/out" || fail "$c --help: $o not listed"
        done
        awk 'length > 79 { exit 1 }' "$T/out" || fail "$c --help: a line is longer than 79"
    done
    ;;

color)
    printf 'policy "x" {\n  grant mfaa\n}\n' >"$T/bad.idp"
    esc=$(printf '\033')
    has_color() { grep -q "$esc\[" "$T/err"; }
    run 1 validate "$T/bad.idp"
    has_color && fail "colour on a pipe by default"
    run 1 validate "$T/bad.idp" --color=always
    has_color || fail "--color=always gave no colour"
    run 1 validate "$T/bad.idp" --color always --no-color
    has_color && fail "--no-color after --color always still coloured"
    FORCE_COLOR=1 run 1 validate "$T/bad.idp"
    has_color || fail "FORCE_COLOR=1 gave no colour"
    FORCE_COLOR=0 run 1 validate "$T/bad.idp"
    has_color && fail "FORCE_COLOR=0 gave colour"
    CLICOLOR_FORCE=1 run 1 validate "$T/bad.idp"
    has_color || fail "CLICOLOR_FORCE=1 gave no colour"
    NO_COLOR=1 FORCE_COLOR=1 run 1 validate "$T/bad.idp"
    has_color && fail "NO_COLOR did not win over FORCE_COLOR"
    NO_COLOR=1 run 1 validate "$T/bad.idp" --color=always
    has_color || fail "--color=always did not win over NO_COLOR"
    FORCE_COLOR=1 run 1 validate "$T/bad.idp" --color=never
    has_color && fail "--color=never did not win over FORCE_COLOR"
    run 1 validate "$T/bad.idp" --color=sometimes
    grep -q "auto, always or never" "$T/err" || fail "--color value error: $(cat "$T/err")"
    # Every command takes --color and --no-color.
    for c in validate fmt compile whatif test coverage replay export plan apply snapshot check; do
        run 0 "$c" --color=never --no-color --help
    done
    ;;

github)
    # plan: diagnostics as workflow commands at their file and line.
    mkdir -p "$T/cfg"
    cp -r $CONTOSO/. "$T/cfg/"
    printf 'policy "x" {\n  state on\n  users include all\n  apps include all\n  grant mfaa\n}\n' \
        >"$T/cfg/zz-bad.idp"
    run 1 plan "$T/cfg" --tenant "$CT" --format github
    grep -q "^::error file=$T/cfg/zz-bad.idp,line=5,col=9" "$T/err" ||
        fail "plan --format github: $(cat "$T/err")"
    run 1 plan $CONTOSO --format github
    grep -q "^::error title=idpc plan::no tenant given" "$T/err" ||
        fail "plan --format github error: $(cat "$T/err")"
    run 0 plan $CONTOSO --tenant "$CT" --format github
    grep -q "^Plan: " "$T/out" || fail "plan --format github prints no plan"
    # apply: the same.
    run 1 apply "$T/cfg" --tenant "file:$T/tenant.json" --auto-approve --format github
    grep -q "^::error file=$T/cfg/zz-bad.idp,line=5" "$T/err" ||
        fail "apply --format github: $(cat "$T/err")"
    # whatif and coverage: the configuration's diagnostics too.
    run 1 whatif "$T/cfg" "${WHO[@]}" --format github
    grep -q "^::error file=$T/cfg/zz-bad.idp,line=5" "$T/err" ||
        fail "whatif --format github: $(cat "$T/err")"
    run 1 coverage "$T/cfg" --format github
    grep -q "^::error file=$T/cfg/zz-bad.idp,line=5" "$T/err" ||
        fail "coverage --format github: $(cat "$T/err")"
    # test: a failing test is an annotation at its test block.
    rm "$T/cfg/zz-bad.idp"
    printf 'test "Nobody is blocked from Office 365" {\n  user "ada@contoso.com"\n  app office365\n  platform windows\n  client browser\n  expect block\n}\n' \
        >"$T/cfg/zz-test.idp"
    "$IDPC" validate "$T/cfg" >/dev/null 2>&1 || fail "the failing test does not validate"
    run 1 test "$T/cfg" --format github
    grep -q "^::error file=$T/cfg/zz-test.idp,line=1,col=1[^:]*::test \"Nobody is blocked" "$T/err" ||
        fail "test --format github: $(cat "$T/err")"
    grep -q "FAIL" "$T/out" || fail "test --format github prints no report"
    ;;

fmt_stdin)
    f=$CONTOSO/ca-baseline.idp
    "$IDPC" fmt - <"$f" >"$T/out" 2>"$T/err" || fail "fmt -: $(cat "$T/err")"
    cmp -s "$f" "$T/out" || fail "fmt - changed a formatted file"
    printf 'policy "x"   {\n    state   on\n}\n' | "$IDPC" fmt - >"$T/out" 2>"$T/err" ||
        fail "fmt - on a messy file"
    printf 'policy "x" {\n  state on\n}\n' | cmp -s - "$T/out" || fail "fmt - output: $(cat "$T/out")"
    printf 'policy "x" {\n' | "$IDPC" fmt - >"$T/out" 2>"$T/err"
    [ $? = 1 ] || fail "fmt - with a syntax error did not exit 1"
    [ -s "$T/out" ] && fail "fmt - with a syntax error wrote something"
    grep -q "^<stdin>:1:" "$T/err" || fail "fmt - error location: $(cat "$T/err")"
    "$IDPC" fmt -w - </dev/null >/dev/null 2>&1 && fail "fmt -w - accepted"
    ;;

empty)
    id=6f1d3c2a-0d4e-4b8a-9c71-2e5f8a9b0c1d
    run 0 snapshot --empty --tenant-id $id --domain fabrikam.onmicrosoft.com -o "$T/empty.json"
    python3 - "$T/empty.json" <<'EOF' || fail "the empty snapshot's shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "idpc-tenant/1" and d["tenantId"] == "6f1d3c2a-0d4e-4b8a-9c71-2e5f8a9b0c1d"
org = d["collections"]["organization"][0]
assert org["id"] == d["tenantId"]
assert org["verifiedDomains"][0]["name"] == "fabrikam.onmicrosoft.com"
assert d["collections"]["identity/conditionalAccess/policies"] == []
EOF
    mkdir -p "$T/new"
    cat >"$T/new/main.idp" <<'EOF'
tenant "fabrikam.onmicrosoft.com"

group "Break glass" {
  kind security
  role_assignable
}

emergency_access group "Break glass"

policy "Require MFA for administrators" {
  state report_only
  users include role "Global Administrator"
  users exclude group "Break glass"
  apps include all
  grant strength "Phishing-resistant MFA"
}
EOF
    run 0 plan "$T/new" --tenant "file:$T/empty.json"
    grep -q "^Plan: 2 to create, 0 to update, 0 to replace, 0 to delete" "$T/out" ||
        fail "plan against the empty snapshot: $(cat "$T/out")"
    # The documented minimum alone (docs/tenant-format.md) plans too.
    printf '{"format": "idpc-tenant/1", "collections": {"organization": [{"id": "%s", "verifiedDomains": [{"name": "fabrikam.onmicrosoft.com", "isDefault": true}]}]}}\n' $id \
        >"$T/min.json"
    run 0 plan "$T/new" --tenant "file:$T/min.json"
    grep -q "^Plan: 2 to create" "$T/out" || fail "plan against the minimum: $(cat "$T/out")"
    # Usage errors.
    run 1 snapshot --empty --tenant-id nope --domain fabrikam.onmicrosoft.com
    grep -q "GUID" "$T/err" || fail "bad tenant id: $(cat "$T/err")"
    run 1 snapshot --empty --tenant-id $id --domain "not a domain"
    run 1 snapshot --empty --domain fabrikam.onmicrosoft.com
    run 1 snapshot --empty --tenant-id $id --domain x.onmicrosoft.com --tenant "$CT"
    run 1 snapshot --tenant "$CT" --tenant-id $id
    ;;

environments)
    M=policies/multi-tenant
    for e in dev prod; do
        run 0 validate $M/shared $M/environments/$e
        run 0 fmt --check $M/shared $M/environments/$e
        run 0 plan $M/shared $M/environments/$e --tenant file:$M/environments/$e/tenant.json
        grep -q "^Plan: 6 to create" "$T/out" || fail "$e plan: $(cat "$T/out")"
    done
    # One policy set, each environment's own values: prod rolls out report-only, dev on.
    run 0 compile $M/shared $M/environments/prod
    python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
pol = {o["name"]: o["body"]["state"] for o in m["objects"] if o["kind"] == "conditionalAccessPolicy"}
assert pol["CA002: Require MFA outside the corporate network"] == sys.argv[2], pol
assert pol["CA001: Require MFA for administrators"] == "enabled", pol
' "$T/out" enabledForReportingButNotEnforced 2>&1 || fail "prod states"
    run 0 compile $M/shared $M/environments/dev
    "$IDPC" compile $M/shared $M/environments/dev -o "$T/dev.json" 2>/dev/null
    grep -q '"198.51.100.0/24"' "$T/dev.json" || fail "dev's corporate range is not in its model"
    # An environment planned against the other's tenant is refused before anything is read.
    run 1 plan $M/shared $M/environments/dev --tenant file:$M/environments/prod/tenant.json
    grep -q "fabrikamdev.onmicrosoft.com" "$T/err" || fail "tenant mismatch: $(cat "$T/err")"
    # The shared policies alone miss the environment's values, with the line named.
    run 1 validate $M/shared
    grep -q "^$M/shared/groups.idp:[0-9]*:[0-9]*: error: .*breakglass" "$T/err" ||
        fail "shared alone: $(cat "$T/err")"
    ;;

*)
    fail "unknown section $SECTION"
    ;;
esac
echo "ok: $SECTION"
