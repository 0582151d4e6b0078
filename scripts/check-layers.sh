#!/bin/sh
# Fails when an #include goes against the arrows of docs/architecture.md:
#   cli → runtime/export → runtime/plan → runtime/analysis → runtime/tenant → compiler
#   cli → runtime/lsp → compiler   (the language server uses the compiler only)
# plus the front end's one honest back-edge: the grammar's actions build the compiler's AST
# nodes (compiler/ast.h, compiler/rule_int.h), and nothing else of the compiler.
# The Graph emulator (tests/graph-emulator) shares no code with the client at all.
# Usage: scripts/check-layers.sh [REPO]   (prints each offending line; exit 1 when any)
set -eu
cd "${1:-$(dirname "$0")/..}"

allowed() { # allowed ROOM -> the include prefixes that room may use
    case "$1" in
    grammar) echo "compiler/ast.h compiler/rule_int.h compiler/util.h compiler/diag.h" ;;
    compiler) echo "compiler/" ;;
    runtime/tenant) echo "compiler/ runtime/tenant/" ;;
    runtime/analysis) echo "compiler/ runtime/tenant/ runtime/analysis/" ;;
    runtime/plan) echo "compiler/ runtime/tenant/ runtime/analysis/ runtime/plan/" ;;
    runtime/export) echo "compiler/ runtime/tenant/ runtime/plan/ runtime/export/" ;;
    runtime/lsp) echo "compiler/ runtime/lsp/" ;;
    cli) echo "compiler/ runtime/tenant/ runtime/analysis/ runtime/plan/ runtime/export/ runtime/lsp/ cli/" ;;
    tests/graph-emulator) echo "tests/graph-emulator/" ;;
    *) echo "*" ;;
    esac
}

bad=0
for f in $(git ls-files 'grammar/*' 'compiler/*' 'runtime/*' 'cli/*' 'tests/graph-emulator/*' 2>/dev/null ||
    find grammar compiler runtime cli tests/graph-emulator -type f); do
    case "$f" in *.c | *.h | *.l | *.y | *.def) ;; *) continue ;; esac
    room=$(dirname "$f")
    ok=$(allowed "$room")
    [ "$ok" = "*" ] && continue
    # quoted includes of the repository's own headers (generated parser headers have no slash)
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/[^"]*"' "$f" | while IFS= read -r line; do
        inc=$(printf '%s' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
        hit=0
        for p in $ok; do
            case "$inc" in "$p"*) hit=1 ;; esac
        done
        if [ $hit -eq 0 ]; then
            echo "$f:${line%%:*}: '$room' may not include \"$inc\" (allowed: $ok)"
        fi
    done
done >"${TMPDIR:-/tmp}/idpc-layers.$$"
if [ -s "${TMPDIR:-/tmp}/idpc-layers.$$" ]; then
    cat "${TMPDIR:-/tmp}/idpc-layers.$$" >&2
    bad=1
fi
rm -f "${TMPDIR:-/tmp}/idpc-layers.$$"
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
