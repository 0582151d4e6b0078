#!/bin/sh
# Runs each libFuzzer target (tests/fuzz, one per stage) for SECONDS with a seed corpus made from
# the repository's own files and the target's dictionary.
# Usage: scripts/run-fuzz.sh BUILD_DIR SECONDS [TARGET...]
# A crash, leak or timeout input is copied to tests/bogons/ (it must then become a test and be
# fixed). The last line of each run (runs, cov:, exec/s) is printed.
set -eu
build=$1
secs=$2
shift 2
targets=${*:-fuzz_parse fuzz_check fuzz_rule fuzz_snapshot fuzz_plan fuzz_lsp}
work=tests/fuzz/corpus-work
mkdir -p "$work/idp" "$work/rule" "$work/snapshot" "$work/plan" "$work/lsp"
# language-server sessions
cp tests/fuzz/lsp-seeds/* "$work/lsp/" 2>/dev/null || true
# .idp seeds: every configuration in the repository
find tests/golden policies tests/bogons -name '*.idp' -exec cp {} "$work/idp/" \; 2>/dev/null || true
# rule seeds: the rule strings of those configurations (filters and membership rules)
python3 - "$work/rule" <<'PY' || true
import glob, os, re, sys
out = sys.argv[1]
n = 0
for p in glob.glob("tests/golden/**/*.idp", recursive=True) + glob.glob("policies/**/*.idp", recursive=True):
    text = open(p, encoding="utf-8", errors="replace").read()
    for m in re.finditer(r'(?:filter\s+(?:include|exclude)|rule)\s+"((?:[^"\\]|\\.)*)"', text):
        s = re.sub(r'\\(.)', r'\1', m.group(1))
        n += 1
        open(os.path.join(out, "seed%d" % n), "w", encoding="utf-8").write(s)
PY
# snapshot and plan seeds: the repository's tenant snapshots and plans (tests/fuzz/seeds holds a
# saved plan, which carries its configuration)
for f in tests/fuzz/seeds/*.json $(find tests/golden tests/unit policies -name '*.json' 2>/dev/null); do
    case $(head -c 200 "$f") in
    *idpc-tenant/1*) cp "$f" "$work/snapshot/$(echo "$f" | tr / _)" ;;
    *idpc-plan/1*) cp "$f" "$work/plan/$(echo "$f" | tr / _)" ;;
    esac
done
status=0
run() {
    name=$1
    corpus=$2
    dict=$3
    maxlen=$4
    [ -x "$build/tests/fuzz/$name" ] || { echo "fuzz: $name not built, skipped"; return 0; }
    echo "fuzz: $name for ${secs}s"
    if ! "$build/tests/fuzz/$name" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 \
        ${dict:+-dict="tests/fuzz/$dict"} -print_final_stats=1 -artifact_prefix="tests/fuzz/$name-" \
        "$corpus" >"$work/$name.log" 2>&1; then
        tail -n 40 "$work/$name.log"
        for c in tests/fuzz/"$name"-crash-* tests/fuzz/"$name"-leak-* tests/fuzz/"$name"-timeout-*; do
            [ -f "$c" ] && cp "$c" "tests/bogons/$(basename "$c")" && echo "fuzz: kept $c in tests/bogons/"
        done
        status=1
    fi
    grep -E '^#[0-9]+.*(DONE|pulse)' "$work/$name.log" | tail -n 1 || true
    grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "$work/$name.log" || true
}
for t in $targets; do
    case $t in
    fuzz_parse | fuzz_check) run "$t" "$work/idp" idp.dict 4096 ;;
    fuzz_rule) run "$t" "$work/rule" rule.dict 1024 ;;
    fuzz_snapshot) run "$t" "$work/snapshot" json.dict 16384 ;;
    fuzz_plan) run "$t" "$work/plan" json.dict 32768 ;;
    fuzz_lsp) run "$t" "$work/lsp" "" 16384 ;;
    esac
done
exit $status
