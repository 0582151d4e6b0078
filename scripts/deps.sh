#!/bin/sh
# Installs the Debian packages idpc needs to build and test, and only those that are missing.
# Works as root, or through sudo; says what it installs before it does.
# Usage: scripts/deps.sh [build|test|package|ci]   (default: test)
#   build    compile idpc (make plan): a C toolchain with libc headers, CMake, flex/bison, libraries
#   test     build + the test suite's tools and libraries (make test)
#   package  build + man pages and the Debian package (make install, make deb)
#   ci       everything .ci/run uses: test + package + clang, clang-format, libFuzzer, chromium
set -eu
profile=${1:-test}

# apt installs without recommends, and gcc only recommends libc6-dev: name it, or the compiler
# cannot link (cannot find Scrt1.o).
build_pkgs="cmake make gcc libc6-dev pkg-config flex bison libjansson-dev libcurl4-openssl-dev libssl-dev"
test_pkgs="libcmocka-dev libmicrohttpd-dev jq openssl python3 python3-jsonschema python3-yaml ca-certificates neovim"
package_pkgs="help2man dpkg-dev file"
ci_pkgs="clang clang-format libclang-rt-14-dev chromium"

case "$profile" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
package) want="$build_pkgs $package_pkgs" ;;
ci) want="$build_pkgs $test_pkgs $package_pkgs $ci_pkgs" ;;
*) echo "deps.sh: unknown profile '$profile' (build, test, package or ci)" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    # python3-jsonschema is satisfied by any python3 that can import jsonschema
    if [ "$p" = python3-jsonschema ] && python3 -c 'import jsonschema' >/dev/null 2>&1; then
        continue
    fi
    if [ "$p" = python3-yaml ] && python3 -c 'import yaml' >/dev/null 2>&1; then
        continue
    fi
    if [ "$p" = python3 ] && command -v python3 >/dev/null 2>&1; then
        continue
    fi
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "idpc: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "idpc: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "idpc: installed:$missing"
