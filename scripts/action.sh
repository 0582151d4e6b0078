#!/usr/bin/env bash
# The logic of the GitHub Action (action.yml at the repository's root), kept here so that
# tests/ci/action_test.py runs exactly this script with a simulated GitHub environment.
#
#   action.sh install   put idpc on PATH: nothing to do when `idpc` is already there (unless
#                       IDPC_ACTION_INSTALL=always); otherwise build the optimised binary from
#                       this repository (make release, which installs the build dependencies)
#                       and add it to $GITHUB_PATH. IDPC_ACTION_INSTALL=never only checks.
#   action.sh run       run one idpc command and report it to GitHub.
#
# Inputs (environment; action.yml passes its inputs this way, never through the shell):
#   IDPC_ACTION_COMMAND            the command and its arguments, split on blanks, no quoting
#                                  ("plan policies", "validate --format github policies")
#   IDPC_ACTION_WORKING_DIRECTORY  where to run it (default: the current directory)
#   IDPC_ACTION_TENANT             the tenant (graph:, file:PATH); sets IDPC_TENANT
#   IDPC_ACTION_OUTPUT_FILE        write the command's standard output to this file
#   IDPC_ACTION_FAIL_ON_ERROR      true (default): the step fails when the command fails
#   IDPC_BIN                       the idpc binary (default: idpc on PATH)
# For `plan` (unless the arguments choose --format or -o themselves) the plan is saved with -o
# and rendered as markdown, the pull-request comment (docs/plan-format.md).
# Outputs ($GITHUB_OUTPUT): exit-code, plan (the saved plan's path, or empty), markdown (the
# markdown file's path, or empty), output (IDPC_ACTION_OUTPUT_FILE's path, or empty).
# The markdown plan is appended to $GITHUB_STEP_SUMMARY when that file is set.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
idpc=${IDPC_BIN:-idpc}

output() { # output NAME VALUE (single-line values only)
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
    echo "idpc-action: $1=$2"
}

do_install() {
    local how=${IDPC_ACTION_INSTALL:-auto}
    if [ "$how" != always ] && command -v "$idpc" >/dev/null 2>&1; then
        echo "idpc-action: using $(command -v "$idpc"): $("$idpc" --version | head -1)"
        return 0
    fi
    if [ "$how" = never ]; then
        echo "idpc-action: error: idpc is not on PATH and install is 'never'" >&2
        return 1
    fi
    echo "idpc-action: building idpc from $here (make release)"
    make -C "$here" release || return 1
    if [ -n "${GITHUB_PATH:-}" ]; then
        echo "$here/build-release/cli" >>"$GITHUB_PATH"
    fi
    "$here/build-release/cli/idpc" --version
}

has_arg() { # has_arg WORD ARGS...: true when one of ARGS is WORD or starts with WORD=
    local w=$1
    shift
    for a in "$@"; do
        case $a in "$w" | "$w"=*) return 0 ;; esac
    done
    return 1
}

do_run() {
    local dir=${IDPC_ACTION_WORKING_DIRECTORY:-.}
    cd "$dir" || {
        echo "idpc-action: error: no working directory '$dir'" >&2
        return 1
    }
    if [ -n "${IDPC_ACTION_TENANT:-}" ]; then
        export IDPC_TENANT="$IDPC_ACTION_TENANT"
    fi
    local -a args
    set -f
    # shellcheck disable=SC2206 # split on blanks, without globbing, by design
    args=(${IDPC_ACTION_COMMAND:-})
    set +f
    if [ "${#args[@]}" -eq 0 ]; then
        echo "idpc-action: error: the command input is empty" >&2
        return 1
    fi
    local out_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/idpc-action-$$
    mkdir -p "$out_dir"
    local plan="" md="" outfile=${IDPC_ACTION_OUTPUT_FILE:-} rc=0
    if [ "${args[0]}" = plan ] && ! has_arg --format "${args[@]}"; then
        md="$out_dir/plan.md"
        if has_arg -o "${args[@]}" || has_arg --out "${args[@]}" || has_arg --output "${args[@]}"; then
            :
        else
            plan="$out_dir/plan.json"
            args+=(-o "$plan")
        fi
        args+=(--format markdown)
    fi
    echo "idpc-action: idpc ${args[*]} (in $(pwd))"
    if [ -n "$md" ]; then
        "$idpc" "${args[@]}" >"$md"
        rc=$?
        cat "$md"
        if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then
            printf '\n<sub>Full plan: [workflow run %s](%s/%s/actions/runs/%s) (log and the saved plan artifact).</sub>\n' \
                "$GITHUB_RUN_ID" "$GITHUB_SERVER_URL" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID" >>"$md"
        fi
    elif [ -n "$outfile" ]; then
        "$idpc" "${args[@]}" >"$outfile"
        rc=$?
    else
        "$idpc" "${args[@]}"
        rc=$?
    fi
    [ -n "$plan" ] && [ ! -s "$plan" ] && plan="" # a refused plan saves nothing
    [ -n "$md" ] && [ ! -s "$md" ] && md=""
    [ -n "$plan" ] && plan=$(cd "$(dirname "$plan")" && pwd)/$(basename "$plan")
    [ -n "$outfile" ] && outfile=$(cd "$(dirname "$outfile")" && pwd)/$(basename "$outfile")
    output exit-code "$rc"
    output plan "$plan"
    output markdown "$md"
    output output "$outfile"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        if [ -n "$md" ]; then
            cat "$md" >>"$GITHUB_STEP_SUMMARY"
        else
            printf '`idpc %s`: exit code %d\n\n' "${IDPC_ACTION_COMMAND}" "$rc" >>"$GITHUB_STEP_SUMMARY"
        fi
    fi
    # plan --detailed-exitcode: 2 means "changes", not a failure.
    if [ "$rc" -eq 2 ] && [ "${args[0]}" = plan ] && has_arg --detailed-exitcode "${args[@]}"; then
        return 0
    fi
    if [ "$rc" -ne 0 ] && [ "${IDPC_ACTION_FAIL_ON_ERROR:-true}" = true ]; then
        echo "idpc-action: idpc ${args[0]} exited $rc" >&2
        return "$rc"
    fi
    return 0
}

case ${1:-} in
install) do_install ;;
run) do_run ;;
*)
    echo "usage: action.sh install|run" >&2
    exit 1 # like idpc: a usage error is an error; 2 is only idpc plan's "changes present"
    ;;
esac
