#!/bin/sh
# Builds the VS Code extension editors/vscode/idpc.vsix: the pinned npm packages of
# package-lock.json (npm ci), the grammar tests on examples from policies/contoso
# (vscode-tmgrammar-test), then the package (@vscode/vsce). Installs node and npm from Debian
# when they are missing.
set -eu
cd "$(dirname "$0")/../editors/vscode"
if ! command -v npm >/dev/null 2>&1; then
    sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "vsix: installing nodejs and npm (Debian)"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund
npm test
npm run package
echo "vsix: $(pwd)/idpc.vsix"
