#!/bin/sh
# CI's check of the ways idpc is installed: `make install` into a DESTDIR with a PREFIX, then
# `make deb`, `dpkg -i` of the package, and the installed binary run on the bundled example
# (--version, validate, one man page per command, the completions). Removes the package again.
# Usage (as root, from the repository): scripts/package-smoke.sh
set -eu
cd "$(dirname "$0")/.."
fail() { echo "package-smoke: FAILED: $*" >&2; exit 1; }

cmds=$(sed -n 's/^CLI_CMD("\([a-z]*\)".*/\1/p' cli/commands.def)

echo "== make install PREFIX=/opt/idpc DESTDIR=..."
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make install PREFIX=/opt/idpc DESTDIR="$dest" >"$dest.log" 2>&1 || { cat "$dest.log"; fail "make install"; }
rm -f "$dest.log"
root="$dest/opt/idpc"
[ -x "$root/bin/idpc" ] || fail "no $root/bin/idpc"
for c in "" $cmds; do
    m="$root/share/man/man1/idpc${c:+-$c}.1"
    [ -s "$m" ] || fail "no man page $m"
done
for f in share/bash-completion/completions/idpc share/zsh/site-functions/_idpc \
    share/fish/vendor_completions.d/idpc.fish; do
    [ -s "$root/$f" ] || fail "no $f"
done
"$root/bin/idpc" validate policies/contoso >/dev/null || fail "installed idpc validate"
echo "install: ok ($(find "$root" -type f | wc -l) files under PREFIX)"

echo "== make deb"
make deb >/dev/null 2>&1 || fail "make deb"
deb=$(ls -t build-release/idpc_*.deb | head -1)
deps=$(dpkg-deb -f "$deb" Depends)
echo "$deb: Depends: $deps"
for lib in libc6 libcurl4 libjansson4 libssl3; do
    echo "$deps" | grep -q "$lib" || fail "Depends lacks $lib"
done

echo "== dpkg -i"
dpkg -i "$deb" >/dev/null || fail "dpkg -i"
trap 'dpkg -r idpc >/dev/null 2>&1 || true; rm -rf "$dest"' EXIT
[ "$(command -v idpc)" = /usr/bin/idpc ] || fail "idpc is not /usr/bin/idpc"
/usr/bin/idpc --version
/usr/bin/idpc --version | grep -q '^commit: ' || fail "--version names no commit"
/usr/bin/idpc --version | grep -q '^libcurl: ' || fail "--version names no libcurl"
/usr/bin/idpc validate policies/contoso || fail "idpc validate on the example"
for c in "" $cmds; do
    [ -s "/usr/share/man/man1/idpc${c:+-$c}.1" ] || fail "no man page for '${c:-idpc}'"
done
[ -s /usr/share/bash-completion/completions/idpc ] || fail "no bash completion"
[ -s /usr/share/zsh/vendor-completions/_idpc ] || fail "no zsh completion"
[ -s /usr/share/fish/vendor_completions.d/idpc.fish ] || fail "no fish completion"
dpkg -r idpc >/dev/null || fail "dpkg -r"
[ ! -e /usr/bin/idpc ] || fail "dpkg -r left /usr/bin/idpc"
echo "deb: ok"
