#!/usr/bin/env python3
"""End-to-end test of `idpc lsp` in neovim: the set-up of docs/editors.md, neovim's own LSP client.

  nvim_e2e.py --idpc BUILD/cli/idpc --root REPO

Neovim runs headless with the `init.lua` that docs/editors.md gives (the first ```lua block of
its "Neovim" section, read from the page, so that the page shows what is tested) and `idpc` on
PATH, on a copy of policies/contoso. A Lua script (DRIVER below) then works as a user would:
  - opens ca-baseline.idp: the filetype is idp and the idpc client attaches;
  - adds a misspelt statement in a policy: an error diagnostic arrives at that line; removing it
    clears it;
  - asks for completion on an empty line in a policy block: `grant` is offered;
  - presses K on a role name: the hover window shows the role's template id;
  - presses gd on `$admin_roles` and on `group "Admin Accounts"`: the cursor lands on their
    declarations in ca-templates.idp and identities.idp;
  - breaks the indentation of a policy and writes the file: what is saved is exactly what
    `idpc fmt` makes of the broken text.
Skipped (exit 77) when `nvim` is not installed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

DRIVER = r"""
local dir, out, idpc = vim.env.IDPC_E2E_DIR, vim.env.IDPC_E2E_OUT, vim.env.IDPC_E2E_IDPC
local lines = {}
local function check(cond, what)
  table.insert(lines, (cond and "ok   " or "FAIL ") .. what)
end
local function finish()
  vim.fn.writefile(lines, out)
  vim.cmd("qa!")
end
local function clients(buf)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = buf })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(buf))
end
local function find(buf, needle, nth)
  local n = 0
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local c = l:find(needle, 1, true)
    if c then
      n = n + 1
      if n == (nth or 1) then
        return i, c -- 1-based line, 1-based column
      end
    end
  end
  error("not found: " .. needle)
end
local function floats()
  local t = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= "" then
      table.insert(t, w)
    end
  end
  return t
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/ca-baseline.idp"))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "idp", "ca-baseline.idp has filetype idp")
  local attached = vim.wait(20000, function()
    local c = clients(buf)[1]
    return c ~= nil and c.initialized == true
  end, 50)
  check(attached, "the idpc client attaches and initializes")
  if not attached then
    return
  end
  check(clients(buf)[1].name == "idpc", "the client is named idpc")
  check(vim.bo[buf].omnifunc == "v:lua.vim.lsp.omnifunc", "omnifunc is the LSP's")
  check(vim.wait(20000, function()
    return #vim.diagnostic.get(buf) == 0 and #clients(buf) > 0
  end, 50), "no diagnostics on the unchanged configuration")

  -- diagnostics: a misspelt statement after CA001's grant
  local gl = find(buf, "  grant strength", 1)
  vim.api.nvim_buf_set_lines(buf, gl, gl, false, { "  grnt block" })
  local got = vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })) do
      if d.lnum == gl and d.message:find("grnt", 1, true) then
        return true
      end
    end
    return false
  end, 50)
  local msgs = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(msgs, (d.lnum + 1) .. ":" .. (d.col + 1) .. " " .. d.message)
  end
  check(got, "an error about 'grnt' arrives at line " .. (gl + 1) .. " (got: "
    .. table.concat(msgs, " | ") .. ")")
  vim.api.nvim_buf_set_lines(buf, gl, gl + 1, false, {})
  check(vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 50),
    "removing the line clears the diagnostics")

  -- completion on an empty line in CA001's block
  vim.api.nvim_buf_set_lines(buf, gl, gl, false, { "  " })
  local res = vim.lsp.buf_request_sync(buf, "textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = gl, character = 2 },
  }, 10000)
  local labels = {}
  for _, r in pairs(res or {}) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, it in ipairs(items) do
      labels[it.label] = true
    end
  end
  check(labels["grant"] == true, "completion in a policy block offers grant")
  vim.api.nvim_buf_set_lines(buf, gl, gl + 1, false, {})

  -- hover: K on "Global Administrator"
  local hl, hc = find(buf, 'role "Global Administrator"', 1)
  vim.api.nvim_win_set_cursor(0, { hl, hc - 1 + 7 })
  vim.cmd("normal K")
  local text = ""
  check(vim.wait(10000, function()
    for _, w in ipairs(floats()) do
      text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), "\n")
      if text:find("62e90394-69f5-4237-9190-012177145e10", 1, true) then
        return true
      end
    end
    return false
  end, 50), "K on a role shows its template id (got: " .. text:gsub("\n", " | ") .. ")")
  for _, w in ipairs(floats()) do
    vim.api.nvim_win_close(w, true)
  end

  -- go to definition: gd on $admin_roles, then on group "Admin Accounts"
  local vl, vc = find(buf, "$admin_roles", 1)
  vim.api.nvim_win_set_cursor(0, { vl, vc })
  vim.cmd("normal gd")
  check(vim.wait(10000, function()
    return vim.api.nvim_buf_get_name(0):match("ca%-templates%.idp$") ~= nil
  end, 50), "gd on $admin_roles opens ca-templates.idp")
  local want = find(0, "define admin_roles", 1)
  check(vim.api.nvim_win_get_cursor(0)[1] == want,
    "gd on $admin_roles lands on its define (line " .. want .. ", at "
      .. vim.api.nvim_win_get_cursor(0)[1] .. ")")
  vim.cmd("buffer " .. buf)
  local al, ac = find(buf, 'group "Admin Accounts"', 1)
  vim.api.nvim_win_set_cursor(0, { al, ac - 1 + 8 })
  vim.cmd("normal gd")
  check(vim.wait(10000, function()
    return vim.api.nvim_buf_get_name(0):match("identities%.idp$") ~= nil
  end, 50), "gd on group \"Admin Accounts\" opens identities.idp")
  want = find(0, 'group "Admin Accounts" {', 1)
  check(vim.api.nvim_win_get_cursor(0)[1] == want,
    "gd on a group lands on its declaration (line " .. want .. ", at "
      .. vim.api.nvim_win_get_cursor(0)[1] .. ")")
  vim.cmd("buffer " .. buf)

  -- formatting on save: break CA001's indentation and spacing, then :write
  local sl = find(buf, "  state on", 1)
  vim.api.nvim_buf_set_lines(buf, sl - 1, sl, false, { "state      on" })
  local ul = find(buf, "  users include $admin_roles", 1)
  vim.api.nvim_buf_set_lines(buf, ul - 1, ul, false, { "      users   include   $admin_roles" })
  local broken = dir .. "/../broken.idp"
  vim.fn.writefile(vim.api.nvim_buf_get_lines(buf, 0, -1, false), broken)
  local expected = vim.fn.system({ idpc, "fmt", broken })
  check(vim.v.shell_error == 0, "idpc fmt formats the broken text")
  vim.cmd("write")
  local saved = table.concat(vim.fn.readfile(dir .. "/ca-baseline.idp"), "\n") .. "\n"
  check(saved == expected, ":w saves exactly what idpc fmt prints")
  check(saved:find("\n  state on\n", 1, true) ~= nil, "the saved file has CA001's state re-indented")
end)
if not ok then
  check(false, "driver error: " .. tostring(err))
end
finish()
"""


def init_lua(root):
    """The first ```lua block of the Neovim section of docs/editors.md."""
    text = open(os.path.join(root, "docs", "editors.md"), encoding="utf-8").read()
    section = text[text.index("## Neovim"):]
    m = re.search(r"```lua\n(.*?)```", section, re.S)
    return m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idpc", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    nvim = shutil.which("nvim")
    if not nvim:
        print("nvim not installed (Debian: apt-get install neovim): skipped")
        return 77
    idpc = os.path.abspath(a.idpc)
    version = subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout
    print(version.splitlines()[0] if version else "nvim: unknown version")
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "contoso")
        shutil.copytree(os.path.join(a.root, "policies", "contoso"), d)
        with open(os.path.join(tmp, "init.lua"), "w", encoding="utf-8") as f:
            f.write(init_lua(a.root))
        with open(os.path.join(tmp, "driver.lua"), "w", encoding="utf-8") as f:
            f.write(DRIVER)
        out = os.path.join(tmp, "result.txt")
        env = dict(os.environ)
        # `idpc` on PATH, as the set-up expects; a private home for neovim's files and logs
        env["PATH"] = os.path.dirname(idpc) + os.pathsep + env.get("PATH", "")
        for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[k] = os.path.join(tmp, k.lower())
        env.update(IDPC_E2E_DIR=d, IDPC_E2E_OUT=out, IDPC_E2E_IDPC=idpc)
        try:
            p = subprocess.run([nvim, "--headless", "-n", "-i", "NONE",
                                "-u", os.path.join(tmp, "init.lua"),
                                "-c", "luafile " + os.path.join(tmp, "driver.lua")],
                               env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            print("FAIL nvim did not finish in 240 s")
            return 1
        if not os.path.exists(out):
            print("FAIL nvim wrote no result (exit %d)\n%s\n%s" % (p.returncode, p.stdout, p.stderr))
            return 1
        result = open(out, encoding="utf-8").read()
        print(result, end="")
        if p.stderr.strip():
            print("nvim stderr:\n" + p.stderr)
        fails = [l for l in result.splitlines() if not l.startswith("ok ")]
        if fails or not result.strip():
            print("%d check(s) failed" % len(fails))
            return 1
        print("all %d checks passed" % len(result.splitlines()))
        return 0


if __name__ == "__main__":
    sys.exit(main())
