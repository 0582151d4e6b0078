#!/bin/sh
# Generates the bash, zsh and fish completions of idpc from the binary's own help, so that they
# cannot drift from it: the commands come from `idpc --help` (the "Commands:" list), each
# command's options from `idpc COMMAND --help` (every indented line that starts with an option:
# `-o, --out FILE  text`), and
# an option's values from the usage or option lines that spell them (`--format text|json`).
# Usage: scripts/gen-completions.sh IDPC OUTDIR   writes OUTDIR/idpc (bash), OUTDIR/_idpc (zsh),
#        OUTDIR/idpc.fish; with --table it prints the table it read instead (for the test).
set -eu
table_only=0
if [ "${1:-}" = --table ]; then
    table_only=1
    shift
fi
idpc=$1
out=${2:-.}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# The table: one line per fact, fields separated by tabs.
#   cmd NAME SUMMARY
#   opt COMMAND SHORT LONG TAKES_ARG CHOICES DESCRIPTION   (SHORT/LONG "-" when absent)
"$idpc" --help | awk '
    /^Commands:/ { on = 1; next }
    on && /^[[:space:]]*$/ { on = 0 }
    on && /^  [a-z]/ {
        name = $1; sub(/^  [a-z][a-z-]*[[:space:]]+/, ""); print "cmd\t" name "\t" $0
    }' >"$tmp"

for cmd in $(awk -F '\t' '$1 == "cmd" { print $2 }' "$tmp"); do
    "$idpc" "$cmd" --help | awk -v cmd="$cmd" '
        function trim(s) { sub(/^[[:space:]]+/, "", s); sub(/[[:space:]]+$/, "", s); return s }
        # choices spelled anywhere: --name a|b|c, --name=a|b|c, --name[=a|b|c]
        {
            line = $0
            while (match(line, /--[a-z][a-z0-9-]*(\[?=| )[a-z][a-z0-9_-]*(\|[a-z][a-z0-9_-]*)+/)) {
                m = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
                n = m; sub(/(\[?=| ).*/, "", n)
                v = m; sub(/^--[a-z][a-z0-9-]*(\[?=| )/, "", v); gsub(/\|/, " ", v)
                if (!(n in choices)) choices[n] = v
            }
        }
        # every option line of every section (Options:, Who:, Output: ...)
        /^  +-[a-zA-Z-]/ {
            rest = trim($0); s = "-"; l = "-"; arg = 0
            while (rest ~ /^-/) {
                tok = rest; sub(/[ ,].*/, "", tok)
                rest = substr(rest, length(tok) + 1); sub(/^,?[[:space:]]*/, "", rest)
                if (tok ~ /=/ || tok ~ /\[=/) arg = 1
                sub(/\[?=.*/, "", tok)
                if (tok ~ /^--/) l = tok; else s = tok
                # an argument word: FILE, SPEC, N, ID=VALUE, a|b
                if (rest ~ /^(\[?[A-Z][A-Z0-9_.=|-]*\]?|[a-z]+(\|[a-z]+)+)([[:space:]]|$)/) {
                    arg = 1; sub(/^[^[:space:]]+[[:space:]]*/, "", rest)
                }
            }
            if (seen[s " " l]++) next
            desc = trim(rest); gsub(/\t/, " ", desc)
            print "opt\t" cmd "\t" s "\t" l "\t" arg "\t@" l "@\t" desc
        }
        END {
            for (n in choices) print "choices\t" n "\t" choices[n]
        }' | awk -F '\t' '
        $1 == "choices" { ch[$2] = $3; next }
        { lines[++n] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                split(lines[i], f, "\t"); c = f[6]; gsub(/@/, "", c)
                v = (c in ch) ? ch[c] : ""
                sub(/\t@[^@]*@\t/, "\t" v "\t", lines[i]); print lines[i]
            }
        }' >>"$tmp"
done

if [ "$table_only" = 1 ]; then
    cat "$tmp"
    exit 0
fi
mkdir -p "$out"

# ---- bash ----
awk -F '\t' '
    $1 == "cmd" { cmds = cmds " " $2; order[++nc] = $2 }
    $1 == "opt" {
        c = $2
        if ($3 != "-") opts[c] = opts[c] " " $3
        if ($4 != "-") opts[c] = opts[c] " " $4
        if ($5 == 1) {
            names = ($3 != "-" ? $3 : "") ($3 != "-" && $4 != "-" ? "|" : "") ($4 != "-" ? $4 : "")
            if ($6 != "") vals[c] = vals[c] "            " names ") COMPREPLY=($(compgen -W \"" $6 "\" -- \"$cur\")); return ;;\n"
            else vals[c] = vals[c] "            " names ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
        }
    }
    END {
        print "# bash completion for idpc. Generated from `idpc --help` and `idpc COMMAND --help`"
        print "# by scripts/gen-completions.sh; do not edit."
        print "_idpc() {"
        print "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}"
        print "    if [ \"$COMP_CWORD\" -eq 1 ]; then"
        print "        COMPREPLY=($(compgen -W \"" substr(cmds, 2) " help --help --version\" -- \"$cur\"))"
        print "        return"
        print "    fi"
        print "    local opts=\"\""
        print "    case ${COMP_WORDS[1]} in"
        print "    help) COMPREPLY=($(compgen -W \"" substr(cmds, 2) "\" -- \"$cur\")); return ;;"
        for (i = 1; i <= nc; i++) {
            c = order[i]
            print "    " c ")"
            print "        opts=\"" substr(opts[c], 2) "\""
            if (vals[c] != "") { print "        case $prev in"; printf "%s", vals[c]; print "        esac" }
            print "        ;;"
        }
        print "    esac"
        print "    if [[ $cur == -* ]]; then"
        print "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))"
        print "    else"
        print "        COMPREPLY=($(compgen -f -- \"$cur\"))"
        print "    fi"
        print "}"
        print "complete -o filenames -F _idpc idpc"
    }' "$tmp" >"$out/idpc"

# ---- zsh ----
awk -F '\t' '
    function z(s) { gsub(/[\[\]:\\]/, "", s); gsub(/'\''/, "", s); return s }
    $1 == "cmd" { order[++nc] = $2; sum[$2] = $3 }
    $1 == "opt" {
        c = $2; d = z($7)
        act = $5 == 1 ? ($6 != "" ? ":value:(" $6 ")" : ":value:_files") : ""
        if ($3 != "-") spec[c] = spec[c] " \\\n            '\''" $3 "[" d "]" act "'\''"
        if ($4 != "-") spec[c] = spec[c] " \\\n            '\''" $4 "[" d "]" act "'\''"
    }
    END {
        print "#compdef idpc"
        print "# zsh completion for idpc. Generated from `idpc --help` and `idpc COMMAND --help`"
        print "# by scripts/gen-completions.sh; do not edit."
        print "_idpc() {"
        print "    local -a commands"
        print "    commands=("
        for (i = 1; i <= nc; i++) print "        '\''" order[i] ":" z(sum[order[i]]) "'\''"
        print "    )"
        print "    if (( CURRENT == 2 )); then"
        print "        _describe -t commands command commands"
        print "        _arguments '\''--help[show help]'\'' '\''--version[show the version]'\''"
        print "        return"
        print "    fi"
        print "    local cmd=$words[2]"
        print "    shift words"
        print "    (( CURRENT-- ))"
        print "    case $cmd in"
        print "    help) _describe -t commands command commands ;;"
        for (i = 1; i <= nc; i++) {
            c = order[i]
            print "    " c ")"
            print "        _arguments -s" spec[c] " \\\n            '\''*:file:_files'\''"
            print "        ;;"
        }
        print "    esac"
        print "}"
        print "_idpc \"$@\""
    }' "$tmp" >"$out/_idpc"

# ---- fish ----
awk -F '\t' '
    function q(s) { gsub(/\\/, "\\\\", s); gsub(/'\''/, "\\'\''", s); return "'\''" s "'\''" }
    $1 == "cmd" { order[++nc] = $2; cmds = cmds " " $2; sum[$2] = $3 }
    $1 == "opt" { opt[++no] = $0 }
    END {
        print "# fish completion for idpc. Generated from `idpc --help` and `idpc COMMAND --help`"
        print "# by scripts/gen-completions.sh; do not edit."
        print "complete -c idpc -f -n __fish_use_subcommand -l help -d " q("show help")
        print "complete -c idpc -f -n __fish_use_subcommand -l version -d " q("show the version")
        for (i = 1; i <= nc; i++)
            print "complete -c idpc -f -n __fish_use_subcommand -a " order[i] " -d " q(sum[order[i]])
        print "complete -c idpc -f -n " q("__fish_seen_subcommand_from help") " -a " q(substr(cmds, 2))
        for (i = 1; i <= no; i++) {
            split(opt[i], f, "\t")
            line = "complete -c idpc -n " q("__fish_seen_subcommand_from " f[2])
            if (f[3] != "-") line = line " -s " substr(f[3], 2)
            if (f[4] != "-") line = line " -l " substr(f[4], 3)
            if (f[5] == 1) line = line (f[6] != "" ? " -x -a " q(f[6]) : " -r -F")
            print line " -d " q(f[7])
        }
    }' "$tmp" >"$out/idpc.fish"
