#!/bin/sh
# Re-checks the README's set-up on a fresh machine: builds a minimal Debian 12 root
# (debootstrap --variant=minbase bookworm), installs only git and make in it, binds /proc, /dev
# and /sys, clones this repository into it and runs `make plan` then `make test` as root, exactly
# as the README says. Everything else (compiler, libc headers, libraries, test tools) must be
# installed by the Makefile itself (scripts/deps.sh).
#
# Usage (as root, needs the debootstrap package and network access to a Debian mirror):
#   scripts/fresh-debian.sh [REV]        REV: the commit to check out (default HEAD; commit first)
# Environment:
#   IDPC_FRESH_ROOT   where to build the root (default: a new folder under /var/tmp)
#   IDPC_FRESH_KEEP   1 keeps the root afterwards (default: removed when the run passes)
#   IDPC_FRESH_REUSE  1 reuses an IDPC_FRESH_ROOT that holds only debootstrap + git + make (a
#                     kept root whose clone failed); the clone is made anew
#   DEBIAN_MIRROR     the mirror debootstrap and apt use (default http://deb.debian.org/debian)
# Exit code: 0 when both commands pass; the log is $ROOT.log.
set -eu

top=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)
# The object store (a worktree's .git is only a pointer to it).
repo=$(cd "$top" && cd "$(git rev-parse --git-common-dir)" && pwd)
rev=$(git -C "$top" rev-parse "${1:-HEAD}")
root=${IDPC_FRESH_ROOT:-$(mktemp -d /var/tmp/idpc-fresh.XXXXXX)}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
log="$root.log"

if [ "$(id -u)" -ne 0 ]; then
    echo "fresh-debian: run as root (debootstrap and chroot need it)" >&2
    exit 2
fi
command -v debootstrap >/dev/null 2>&1 || {
    echo "fresh-debian: needs debootstrap (apt-get install debootstrap)" >&2
    exit 2
}

mounted=""
cleanup() {
    # Unmount in reverse order; never remove a root that still has something mounted in it.
    for m in $mounted; do
        umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    if grep -q " $root/" /proc/mounts; then
        echo "fresh-debian: $root still has mounts; left in place" >&2
    elif [ "${status:-1}" -eq 0 ] && [ "${IDPC_FRESH_KEEP:-0}" != 1 ]; then
        rm -rf "$root"
    else
        echo "fresh-debian: root kept at $root"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*" | tee -a "$log"; }

say "fresh-debian: $root (commit $rev), log $log"
if [ "${IDPC_FRESH_REUSE:-0}" = 1 ] && [ -f "$root/etc/debian_version" ]; then
    say "reusing the root at $root"
    rm -rf "$root/root/idpc"
else
    say "debootstrap --variant=minbase bookworm"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >>"$log" 2>&1
fi

# What the Debian installer writes and debootstrap does not: name resolution and localhost.
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
for fs in proc sys dev; do
    case $fs in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" ;;
    dev) mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" ;;
    esac
    mounted="$root/$fs $mounted"
done
# The repository is cloned from a read-only bind of this one, as `git clone URL` would.
mkdir -p "$root/mnt/idpc.git"
mount --bind "$repo" "$root/mnt/idpc.git"
mount -o remount,bind,ro "$root/mnt/idpc.git"
mounted="$root/mnt/idpc.git $mounted"

in_root() {
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/sh -c "$1"
}

say "apt-get install git make (and nothing else)"
in_root 'apt-get update -qq && apt-get install -y -qq --no-install-recommends git make' >>"$log" 2>&1
in_root 'dpkg-query -W -f "\${Package}\n" | wc -l | sed "s/^/packages installed: /"' | tee -a "$log"

say "git clone"
in_root "git config --global --add safe.directory '*' && git clone -q --no-checkout /mnt/idpc.git /root/idpc && cd /root/idpc && git checkout -q $rev && git log -1 --oneline" >>"$log" 2>&1 || {
    say "git clone: FAILED (see $log)"
    exit 1
}
tail -1 "$log"

status=1
say "make plan"
if in_root 'cd /root/idpc && make plan' >>"$log" 2>&1; then
    say "make plan: ok"
    say "make test"
    if in_root 'cd /root/idpc && make test' >>"$log" 2>&1; then
        say "make test: ok"
        status=0
    else
        say "make test: FAILED (see $log)"
    fi
else
    say "make plan: FAILED (see $log)"
fi
# ctest's closing lines: the count, and the tests that did not run (skips).
sed -n '/tests passed, .* tests failed out of/,/^$/p; /The following tests did not run/,/^[^[:space:]]/p' "$log" |
    tail -20 || true
exit $status
