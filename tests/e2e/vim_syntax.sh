#!/bin/sh
# The vim syntax file (editors/vim) on policies/contoso: vim headless reads ca-templates.idp
# through ftdetect and names the syntax group at chosen positions. Skipped (77) without vim.
# Usage: vim_syntax.sh REPO
set -eu
root=$1
command -v vim >/dev/null 2>&1 || { echo "vim not installed: skipped"; exit 77; }
out=$(mktemp)
script=$(mktemp)
trap 'rm -f "$out" "$script"' EXIT
cat >"$script" <<VIM
set nocompatible
let &runtimepath = '$root/editors/vim,' . &runtimepath
filetype on
syntax on
edit $root/policies/contoso/ca-templates.idp
let out = [&filetype]
for [l, c] in [[1, 1], [5, 1], [5, 8], [5, 22], [6, 5], [6, 10], [24, 1], [24, 10], [25, 3], [25, 9], [25, 17], [25, 30], [31, 3], [31, 7], [32, 9]]
  call add(out, l . ':' . c . ' ' . synIDattr(synID(l, c, 1), 'name'))
endfor
call writefile(out, '$out')
qa!
VIM
vim -N -u NONE -i NONE -es -S "$script" </dev/null || true
expected='idp
1:1 idpComment
5:1 idpDeclaration
5:8 idpDefineName
5:22 idpReference
6:5 idpReference
6:10 idpString
24:1 idpDeclaration
24:10 idpTemplateName
25:3 idpStatement
25:9 idpControl
25:17 idpVariable
25:30 idpReference
31:3 idpUse
31:7 idpTemplateName
32:9 idpControl'
if [ "$(cat "$out")" != "$expected" ]; then
    echo "FAIL: syntax groups differ"
    diff "$out" - <<EOF2 || true
$expected
EOF2
    exit 1
fi
echo "vim syntax: 15 positions as expected"
