#!/bin/sh
# Generates the man pages from the binary's own --help with help2man, so that they cannot drift:
# idpc.1 from `idpc --help`, and idpc-COMMAND.1 from `idpc COMMAND --help` for every command
# `idpc --help` lists. Usage: scripts/gen-man.sh IDPC OUTDIR VERSION
set -eu
idpc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
version=$3
mkdir -p "$out"
wrappers=$(mktemp -d)
trap 'rm -rf "$wrappers"' EXIT

see_also="idpc(1)"
cmds=$("$idpc" --help | awk '/^Commands:/ { on = 1; next } on && /^[[:space:]]*$/ { on = 0 }
                            on && /^  [a-z]/ { print $1 }')
for c in $cmds; do
    see_also="$see_also, idpc-$c(1)"
done
printf '[SEE ALSO]\n%s\n\nThe full documentation is in the docs/ folder of the idpc source.\n' \
    "$see_also" >"$wrappers/include"

# help2man runs PROGRAM --help; a command's page needs a program named after it.
for c in "" $cmds; do
    name=idpc${c:+-$c}
    summary=$("$idpc" --help | awk -v c="$c" '
        c == "" && NR == 1 { next }
        c == "" && /^idpc compiles/ { s = $0; sub(/^idpc /, "", s); print s; exit }
        /^Commands:/ { on = 1; next } on && $1 == c { sub(/^  [a-z]+[[:space:]]+/, ""); print; exit }')
    printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$idpc" "$c" >"$wrappers/$name"
    chmod +x "$wrappers/$name"
    help2man --no-info --no-discard-stderr --section=1 --version-string="$version" \
        --name="$summary" --include="$wrappers/include" --output="$out/$name.1" \
        "$wrappers/$name"
done
