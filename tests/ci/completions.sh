#!/usr/bin/env bash
# The generated bash completion completes what `idpc --help` and `idpc COMMAND --help` say:
# commands, each command's options, and the values an option spells (--format text|json).
# zsh and fish files are syntax-checked when those shells are installed.
# Usage: completions.sh IDPC COMPLETIONS_DIR
set -euo pipefail
idpc=$1
dir=$2
fails=0
check() { # check DESCRIPTION WANT WORDS...   (completes the last word)
    local what=$1 want=$2
    shift 2
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _idpc
    if [[ " ${COMPREPLY[*]} " == *" $want "* ]]; then
        echo "ok: $what"
    else
        echo "FAIL: $what: wanted '$want', got '${COMPREPLY[*]}'"
        fails=$((fails + 1))
    fi
}
# shellcheck disable=SC1091
source "$dir/idpc"
check "a command" plan idpc pl
check "help's argument" validate idpc help val
check "an option" --format idpc plan --form
check "an option's values" markdown idpc plan --format ""
check "a short option" -w idpc fmt -
checked=0
# Every option of every command's --help completes after that command.
for cmd in $("$idpc" --help | awk '/^Commands:/ {on=1; next} on && /^ *$/ {on=0} on {print $1}'); do
    for opt in $("$idpc" "$cmd" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*$'); do
        COMP_WORDS=(idpc "$cmd" "$opt")
        COMP_CWORD=2
        COMPREPLY=()
        _idpc
        checked=$((checked + 1))
        [[ " ${COMPREPLY[*]} " == *" $opt "* ]] || {
            echo "FAIL: idpc $cmd $opt does not complete"
            fails=$((fails + 1))
        }
    done
done
echo "ok: $checked options of every command complete"
if command -v zsh >/dev/null; then zsh -n "$dir/_idpc" && echo "ok: zsh syntax" || fails=$((fails + 1)); fi
if command -v fish >/dev/null; then fish -n "$dir/idpc.fish" && echo "ok: fish syntax" || fails=$((fails + 1)); fi
[ "$fails" -eq 0 ] || { echo "$fails completion check(s) failed"; exit 1; }
