#!/bin/sh
# coverage_html.sh IDPC SOURCE_DIR — renders `idpc coverage --format html` of policies/contoso in
# headless Chromium and asserts on what a person sees: the persona names, a known gap cell, the
# legend; takes a screenshot and checks it is a real image. Exit 77 when chromium is missing.
set -eu
IDPC=$1
SRC=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$(command -v "$c"); break; fi
done
if [ -z "$CHROMIUM" ]; then
    echo "skipped: chromium not found"
    exit 77
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$IDPC" coverage "$SRC/policies/contoso" --format html -o "$T/coverage.html" 2>"$T/err" ||
    fail "idpc coverage: $(cat "$T/err")"
# self-contained: no script, nothing fetched from anywhere
if grep -qiE '<script|<link|@import|src=|https?://' "$T/coverage.html"; then
    fail "the page refers to external resources or has a script"
fi

chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/profile" "$@" 2>>"$T/chrome.log"
}
chrome --dump-dom "file://$T/coverage.html" >"$T/dom.html" || fail "chromium --dump-dom failed: $(tail -3 "$T/chrome.log")"
[ -s "$T/dom.html" ] || fail "empty DOM"

has() { grep -qF -- "$1" "$T/dom.html" || fail "the rendered page lacks: $1"; }
# the title and the summary
has "<h1>Conditional Access coverage: contoso.onmicrosoft.com</h1>"
has "gaps</strong>"
# the legend, every class
has 'id="legend"'
for k in block strength mfa device weak allow; do has "class=\"sw k-$k\""; done
has "gap: allowed with nothing to satisfy"
# persona names
for p in "All users" "Admin Accounts" "GRP-Highly-Regulated" "GRP-Executive-Staff" \
    "Global Administrator" "Directory Synchronization Accounts" "guest (b2b_collaboration_guest)"; do
    has "$p"
done
# known cells: MFA away from the offices and at them, a gap for the temporarily excluded users
# at the office (CA014 lets them in there with nothing to satisfy), a block from embargoed
# countries
python3 - "$T/dom.html" <<'PY' || fail "gap cell check"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
def cell(persona, app, loc):
    m = re.search(r'<td class="(c[^"]*)" data-persona="%s" data-app="%s" data-location="%s">'
                  r'<div class="cell k-([a-z]+)"[^>]*><div class="lbl">([^<]*)</div>'
                  % (re.escape(persona), re.escape(app), re.escape(loc)), dom)
    if not m:
        sys.exit("no cell %s / %s / %s" % (persona, app, loc))
    return m.group(1), m.group(2), m.group(3)
# everybody does MFA away from the offices (CA015) ...
cls, kind, label = cell("All users", "Office 365", "untrusted")
assert "gap" not in cls.split() and kind == "mfa" and label == "MFA", (cls, kind, label)
# ... and at the trusted office network too: no location exclusion (issue 13)
cls, kind, label = cell("All users", "Office 365", "Contoso HQ")
assert "gap" not in cls.split() and kind == "mfa" and label == "MFA", (cls, kind, label)
# the temporary exclusion group at the office: allowed with nothing to satisfy, a gap
cls, kind, label = cell("CA-Exclusion", "Office 365", "Contoso HQ")
assert "gap" in cls.split() and kind == "allow" and label == "ALLOW", (cls, kind, label)
cls, kind, label = cell("Admin Accounts", "Admin portals", "untrusted")
assert "gap" not in cls.split() and kind == "strength", (cls, kind, label)
cls, kind, label = cell("All users", "Office 365", "Embargoed countries")
assert kind == "block" and label == "BLOCK", (cls, kind, label)
assert 'id="gaps"' in dom and "every platform and client" in dom
PY

chrome --window-size=1600,1200 --screenshot="$T/coverage.png" "file://$T/coverage.html" >/dev/null ||
    fail "chromium --screenshot failed: $(tail -3 "$T/chrome.log")"
[ -f "$T/coverage.png" ] || fail "no screenshot"
size=$(wc -c <"$T/coverage.png")
[ "$size" -gt 50000 ] || fail "the screenshot is only $size bytes"
head -c 8 "$T/coverage.png" | od -An -tx1 | grep -q "89 50 4e 47" || fail "the screenshot is not a PNG"
if [ -n "${IDPC_KEEP_SCREENSHOT:-}" ]; then cp "$T/coverage.png" "$IDPC_KEEP_SCREENSHOT"; fi
echo "ok: coverage page rendered ($size-byte screenshot)"
