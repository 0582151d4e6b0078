#!/usr/bin/env python3
"""End-to-end test of `idpc lsp`: a scripted editor session over pipes (lsp_client.py).

  lsp_e2e.py --idpc BUILD/cli/idpc --root REPO CASE

CASE is one of:
  session    initialize, open a copy of policies/contoso, a change that makes an error (its
             diagnostic must match `idpc validate --format json` on the same text: message,
             line and columns), the fix clears it, completion in a policy block offers `grant`,
             hover on a role shows its template id, formatting returns exactly `idpc fmt`'s
             text, definition of a $variable is its `define`, references of a group, document
             symbols, shutdown and exit (exit code 0)
  utf16      positions count UTF-16 code units: an error after an emoji on its line
  malformed  bad headers, bodies that are not JSON or not JSON-RPC, unknown methods, requests
             before initialize and bad params get protocol errors; the server keeps serving
The copy lives in a temporary directory; the repository is never written.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, uri_of  # noqa: E402

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def start(idpc):
    c = Client(idpc)
    r = c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    caps = r["result"]["capabilities"]
    check(caps["textDocumentSync"]["change"] == 2 and caps["hoverProvider"]
          and caps["definitionProvider"] and caps["documentFormattingProvider"]
          and caps["referencesProvider"] and caps["documentSymbolProvider"]
          and "completionProvider" in caps, "initialize announces the features")
    c.notify("initialized", {})
    return c


def stop(c):
    r = c.request("shutdown", None)
    check("result" in r and r["result"] is None, "shutdown answers null")
    c.notify("exit", None)
    check(c.close() == 0, "exit after shutdown: exit code 0")


def pos_of(text, needle, delta=0, nth=0):
    """LSP position (UTF-16) of the nth occurrence of needle (+delta characters)."""
    k = -1
    for _ in range(nth + 1):
        k = text.index(needle, k + 1)
    k += delta
    line = text.count("\n", 0, k)
    col = k - (text.rfind("\n", 0, k) + 1)
    prefix = text[k - col:k]
    return {"line": line, "character": len(prefix.encode("utf-16-le")) // 2}


def validate_json(idpc, d):
    p = subprocess.run([idpc, "validate", "--format", "json", d], capture_output=True, text=True)
    return json.loads(p.stdout or p.stderr)["diagnostics"]


def edit(c, uri, version, start, end, text):
    c.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": {"start": start, "end": end}, "text": text}]})


def case_session(idpc, root):
    tmp = tempfile.mkdtemp(prefix="idpc-lsp-")
    try:
        cfg = os.path.join(tmp, "contoso")
        shutil.copytree(os.path.join(root, "policies", "contoso"), cfg)
        c = start(idpc)
        path = os.path.join(cfg, "ca-baseline.idp")
        text = open(path, encoding="utf-8").read()
        uri = uri_of(path)
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "idp", "version": 1, "text": text}})
        check(c.diagnostics(uri) == [], "didOpen: the Contoso file has no diagnostics")

        # A change that makes an error: `grant block` of CA002 becomes `grant blok`.
        at = pos_of(text, "grant block", len("grant "))
        edit(c, uri, 2, at, {"line": at["line"], "character": at["character"] + 5}, "blok")
        diags = c.diagnostics(uri)
        broken = text.replace("grant block", "grant blok", 1)
        bad_dir = os.path.join(tmp, "broken")
        shutil.copytree(cfg, bad_dir)
        with open(os.path.join(bad_dir, "ca-baseline.idp"), "w", encoding="utf-8") as f:
            f.write(broken)
        want = [d for d in validate_json(idpc, bad_dir) if d["file"].endswith("ca-baseline.idp")]
        check(len(diags) == 1 and len(want) == 1, "didChange: one error, as validate reports")
        if diags and want:
            d, w = diags[0], want[0]
            check(d["message"] == w["message"], "same message as validate: " + d["message"])
            r = d["range"]
            check(r["start"] == {"line": w["line"] - 1, "character": w["column"] - 1}
                  and r["end"] == {"line": w["endLine"] - 1, "character": w["endColumn"] - 1},
                  "diagnostic range = validate's line:column (%s)" % json.dumps(r))
            check(d["severity"] == 1, "severity error")
        # A note travels as relatedInformation: declare authentication.idp's strength again.
        edit(c, uri, 3, {"line": 0, "character": 0}, {"line": 0, "character": 0},
             'strength "Contoso phishing-resistant MFA" {\n}\n')
        diags = c.diagnostics(uri)
        twice = [d for d in diags if "declared twice" in d["message"]]
        check(len(twice) == 1 and twice[0].get("relatedInformation")
              and twice[0]["relatedInformation"][0]["location"]["uri"].endswith("authentication.idp")
              and twice[0]["relatedInformation"][0]["message"] == "first declared here",
              "a note is relatedInformation pointing into the other file")
        # Undo both edits: diagnostics clear.
        edit(c, uri, 4, {"line": 0, "character": 0}, {"line": 2, "character": 0}, "")
        edit(c, uri, 5, at, {"line": at["line"], "character": at["character"] + 4}, "block")
        c.diagnostics(uri)
        check(c.diagnostics(uri) == [], "the fix clears the diagnostics")

        # Completion on a new line inside a policy block offers grant (and not top-level words).
        p = pos_of(text, "  grant block", 0)
        edit(c, uri, 6, p, p, "  \n")
        c.diagnostics(uri)
        r = c.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                   "position": {"line": p["line"], "character": 2}})
        labels = [i["label"] for i in r["result"]]
        check("grant" in labels and "session" in labels and "policy" not in labels,
              "completion in a policy block offers grant, not policy")
        edit(c, uri, 7, p, {"line": p["line"] + 1, "character": 0}, "")
        c.diagnostics(uri)
        # Completion after `role "` offers role names; after `grant ` the grant controls.
        q = pos_of(text, 'role "Directory Synchronization Accounts"', 0)
        tpath = os.path.join(cfg, "ca-templates.idp")
        ttext = open(tpath, encoding="utf-8").read()
        turi = uri_of(tpath)
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": turi, "languageId": "idp", "version": 1, "text": ttext}})
        c.diagnostics(turi)
        # A syntax error in one file survives changes to another (its tree is reused, not
        # parsed again): the stray brace is still reported after ca-baseline.idp changes.
        end = pos_of(ttext + "\u0000", "\u0000")
        edit(c, turi, 2, end, end, "}\n")
        stray = c.diagnostics(turi)
        edit(c, uri, 8, {"line": 0, "character": 0}, {"line": 0, "character": 0}, "# x\n")
        again = c.diagnostics(turi)
        check(len(stray) == 1 and again == stray,
              "a syntax error of an unchanged file is reported again: " +
              (stray[0]["message"] if stray else "none"))
        edit(c, uri, 9, {"line": 0, "character": 0}, {"line": 1, "character": 0}, "")
        edit(c, turi, 3, end, {"line": end["line"] + 1, "character": 0}, "")
        c.diagnostics(turi)
        q = pos_of(ttext, 'role "Directory Synchronization Accounts"', len('role "Dir'))
        r = c.request("textDocument/completion", {"textDocument": {"uri": turi}, "position": q})
        labels = [i["label"] for i in r["result"]]
        check("Directory Synchronization Accounts" in labels and "Global Administrator" in labels,
              "completion inside role \"...\" offers role names")
        q = pos_of(text, "grant block", len("grant "))
        r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": q})
        labels = [i["label"] for i in r["result"]]
        check("mfa" in labels and "compliant_device" in labels, "completion after grant: controls")
        q = pos_of(text, "$admin_roles", 1)
        r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": q})
        labels = [i["label"] for i in r["result"]]
        check("$admin_roles" in labels and "$breakglass" in labels, "completion after $: defines")

        # Hover on a role shows its template id; on a statement its meaning and Graph field.
        q = pos_of(ttext, 'role "Directory Synchronization Accounts"', len('role "D'))
        r = c.request("textDocument/hover", {"textDocument": {"uri": turi}, "position": q})
        v = r["result"]["contents"]["value"]
        check("d29b2b05-8046-44ba-8758-1e26182fcf32" in v, "hover on a role shows its id: " + v)
        q = pos_of(text, "  grant block", 3)
        r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": q})
        v = r["result"]["contents"]["value"]
        check("grantControls" in v, "hover on grant names the Graph field: " + v)

        # Definition of $breakglass (used in ca-templates.idp) is its define.
        q = pos_of(ttext, "$breakglass", 2)
        r = c.request("textDocument/definition", {"textDocument": {"uri": turi}, "position": q})
        locs = r["result"]
        define_file = [f for f in sorted(os.listdir(cfg)) if f.endswith(".idp") and
                       "define breakglass" in open(os.path.join(cfg, f), encoding="utf-8").read()]
        check(len(locs) == 1 and define_file and locs[0]["uri"] == uri_of(os.path.join(cfg, define_file[0])),
              "definition of $breakglass is in " + (define_file[0] if define_file else "?"))
        if locs and define_file:
            dtext = open(os.path.join(cfg, define_file[0]), encoding="utf-8").read()
            check(locs[0]["range"]["start"] == pos_of(dtext, "define breakglass", len("define ")),
                  "definition range is the define's name")
        # Definition of a template from `use`.
        q = pos_of(text, "use exclusions", 5)
        r = c.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": q})
        check(r["result"] and r["result"][0]["range"]["start"] == pos_of(ttext, "template exclusions", 9),
              "definition of use NAME is the template")

        # References of the group "CA-Exclusion": its declaration and its uses.
        q = pos_of(ttext, 'group "CA-Exclusion"', 8)
        r = c.request("textDocument/references", {"textDocument": {"uri": turi}, "position": q,
                                                  "context": {"includeDeclaration": True}})
        files = sorted({os.path.basename(l["uri"]) for l in r["result"]})
        check("identities.idp" in files and "ca-templates.idp" in files,
              "references of a group: declaration and uses (%s)" % ", ".join(files))
        r2 = c.request("textDocument/references", {"textDocument": {"uri": turi}, "position": q,
                                                   "context": {"includeDeclaration": False}})
        check(len(r2["result"]) == len(r["result"]) - 1, "includeDeclaration false drops it")

        # Document symbols: the policies of the file, with their statements as children.
        r = c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        names = [s["name"] for s in r["result"]]
        check(any(n.startswith("CA001") for n in names) and r["result"][0]["children"],
              "document symbols list the policies")

        # Formatting: a badly laid out buffer comes back as `idpc fmt` prints it.
        messy = text.replace("  state on\n", "      state    on\n", 1).replace("  grant block", "grant   block", 1)
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 10},
                                            "contentChanges": [{"text": messy}]})
        c.diagnostics(uri)
        r = c.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                  "options": {"tabSize": 2, "insertSpaces": True}})
        mpath = os.path.join(tmp, "messy.idp")
        with open(mpath, "w", encoding="utf-8") as f:
            f.write(messy)
        fmt = subprocess.run([idpc, "fmt", mpath], capture_output=True, text=True).stdout
        edits = r["result"]
        check(len(edits) == 1 and edits[0]["newText"] == fmt and fmt == text,
              "formatting returns idpc fmt's text")
        stop(c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_utf16(idpc, root):
    tmp = tempfile.mkdtemp(prefix="idpc-lsp-")
    try:
        path = os.path.join(tmp, "u.idp")
        text = ('policy "P \U0001F600 é" { state onn\n'
                '  users include all\n  apps include all\n  grant mfa\n}\n')
        text = text.replace(" { state onn\n", " {\n  description \"\U0001F600\U0001F600\" x\n  state on\n")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        c = start(idpc)
        uri = uri_of(path)
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "idp", "version": 1, "text": text}})
        diags = c.diagnostics(uri)
        want = pos_of(text, '" x', 2)
        check(len(diags) == 1 and diags[0]["range"]["start"] == want,
              "an error after two emoji: character %d (UTF-16), got %s" %
              (want["character"], json.dumps(diags[0]["range"]) if diags else "none"))
        # Hover after a wide character lands on the right atom.
        q = pos_of(text, "grant mfa", 7)
        r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": q})
        check(r["result"] and "grant control" in r["result"]["contents"]["value"],
              "hover on mfa after non-ASCII lines")
        stop(c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_malformed(idpc, root):
    c = Client(idpc)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.idp"},
                                         "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32002, "a request before initialize: -32002")
    start_ok = c.request("initialize", {"capabilities": {}})
    check("result" in start_ok, "initialize after that works")

    def error_for(raw):
        c.send_raw(raw)
        return c.wait(lambda m: "error" in m and m.get("id") is None)["error"]

    e = error_for(b"Content-Length: 9\r\n\r\n{not json")
    check(e["code"] == -32700, "a body that is not JSON: -32700 parse error")
    e = error_for(b"Content-Length: 5\r\n\r\n[1,2]")
    check(e["code"] == -32600, "a JSON array: -32600 invalid request")
    e = error_for(b"Content-Length: 2\r\n\r\n{}")
    check(e["code"] == -32600, "an empty object: -32600")
    e = error_for(b"Content-Type: application/json\r\n\r\n")
    check(e["code"] == -32700, "no Content-Length: an error, and the stream goes on")
    e = error_for(b"Content-Length: lots\r\n\r\n")
    check(e["code"] == -32700, "a Content-Length that is not a number")
    e = error_for(b"Content-Length: 99999999999999999999\r\n\r\n")
    check(e["code"] == -32700, "a huge Content-Length is refused, not allocated")
    body = b'{"jsonrpc":"1.0","id":41,"method":"shutdown"}'
    c.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    r = c.response(41)
    check(r.get("error", {}).get("code") == -32600, "jsonrpc 1.0: -32600 with the request's id")
    r = c.request("textDocument/frobnicate", {})
    check(r.get("error", {}).get("code") == -32601, "an unknown method: -32601")
    c.notify("$/unknownNotification", {})
    c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere.idp"},
                                        "contentChanges": "nope"})
    i = c.request_async("textDocument/hover", [1, 2])
    r = c.response(i)
    check(r.get("error", {}).get("code") == -32602, "params that are not an object: -32602")
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.idp"}})
    check(r.get("error", {}).get("code") == -32602, "a hover without a position: -32602")
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///does/not/exist.idp"},
                                         "position": {"line": 3, "character": 4}})
    check("result" in r and r["result"] is None, "hover on a file that does not exist: null")
    r = c.request("textDocument/completion", {"textDocument": {"uri": "untitled:1"},
                                              "position": {"line": -1, "character": 0}})
    check(r.get("error", {}).get("code") == -32602, "a negative line: -32602")
    # An untitled buffer compiles alone; a change with a range past its end is clamped.
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "untitled:1", "languageId": "idp",
                                                       "version": 1, "text": "polcy \"x\" {\n}\n"}})
    d = c.diagnostics("untitled:1")
    check(len(d) >= 1 and "policy" in d[0]["message"], "an untitled buffer gets diagnostics")
    edit(c, "untitled:1", 2, {"line": 90, "character": 5}, {"line": 99, "character": 0}, "# end\n")
    c.diagnostics("untitled:1")
    r = c.request("shutdown", None)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "untitled:1"},
                                         "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32600, "a request after shutdown: -32600")
    # exit without a Content-Length on the last message: the stream just ends
    c.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"")
    check(c.close() == 1, "input ending before exit: exit code 1, no crash")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("case", choices=["session", "utf16", "malformed"])
    a = ap.parse_args()
    {"session": case_session, "utf16": case_utf16, "malformed": case_malformed}[a.case](
        os.path.abspath(a.idpc), os.path.abspath(a.root))
    print("%d failed" % len(FAILS))
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
