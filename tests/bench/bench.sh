#!/bin/sh
# The benchmark (see bench.py): `tests/bench/bench.sh path/to/idpc [bench.py options]`.
set -e
here=$(dirname "$0")
exec python3 "$here/bench.py" "$@"
