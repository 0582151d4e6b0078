Content-Length: 83

{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}Content-Length: 279

{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "untitled:seed", "languageId": "idp", "version": 1, "text": "define admins = role \"Global Administrator\"\n\npolicy \"P\" {\n  users include $admins\n  apps include all\n  grant mfa\n}\n"}}}Content-Length: 246

{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": "untitled:seed", "version": 2}, "contentChanges": [{"range": {"start": {"line": 5, "character": 8}, "end": {"line": 5, "character": 11}}, "text": "blok"}]}}Content-Length: 159

{"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {"textDocument": {"uri": "untitled:seed"}, "position": {"line": 4, "character": 2}}}Content-Length: 155

{"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"textDocument": {"uri": "untitled:seed"}, "position": {"line": 0, "character": 25}}}Content-Length: 160

{"jsonrpc": "2.0", "id": 4, "method": "textDocument/definition", "params": {"textDocument": {"uri": "untitled:seed"}, "position": {"line": 3, "character": 18}}}Content-Length: 201

{"jsonrpc": "2.0", "id": 5, "method": "textDocument/references", "params": {"textDocument": {"uri": "untitled:seed"}, "position": {"line": 3, "character": 18}, "context": {"includeDeclaration": true}}}Content-Length: 122

{"jsonrpc": "2.0", "id": 6, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": "untitled:seed"}}}Content-Length: 133

{"jsonrpc": "2.0", "id": 7, "method": "textDocument/formatting", "params": {"textDocument": {"uri": "untitled:seed"}, "options": {}}}Content-Length: 49

{"jsonrpc": "2.0", "id": 8, "method": "shutdown"}Content-Length: 36

{"jsonrpc": "2.0", "method": "exit"}