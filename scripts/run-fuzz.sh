#!/bin/sh
# Runs each libFuzzer target for N seconds with a seed corpus built from the golden inputs.
# Usage: scripts/run-fuzz.sh BUILD_DIR SECONDS. A crash input is copied to tests/bogons/.
set -eu
build=$1
secs=$2
work=tests/fuzz/corpus-work
mkdir -p "$work/parse" "$work/rule" "$work/lsp"
cp tests/fuzz/lsp-seeds/* "$work/lsp/" 2>/dev/null || true
find tests/golden policies -name '*.idp' -exec cp {} "$work/parse/" \; 2>/dev/null || true
status=0
run() {
    name=$1
    corpus=$2
    [ -x "$build/tests/fuzz/$name" ] || { echo "fuzz: $name not built, skipped"; return 0; }
    echo "fuzz: $name for ${secs}s"
    if ! "$build/tests/fuzz/$name" -max_total_time="$secs" -max_len=4096 -timeout=10 \
        -artifact_prefix="tests/fuzz/" "$corpus" 2>"$work/$name.log"; then
        tail -n 40 "$work/$name.log"
        for c in tests/fuzz/crash-* tests/fuzz/leak-* tests/fuzz/timeout-*; do
            [ -f "$c" ] && cp "$c" "tests/bogons/$name-$(basename "$c").idp" && echo "fuzz: kept $c in tests/bogons/"
        done
        status=1
    fi
    grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$work/$name.log" | tail -n 1 || true
}
run fuzz_parse "$work/parse"
run fuzz_rule "$work/rule"
run fuzz_lsp "$work/lsp"
exit $status
