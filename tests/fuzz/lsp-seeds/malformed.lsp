Content-Length: 9

{not jsonContent-Length: 5

[1,2]Content-Type: x

Content-Length: 61

{"jsonrpc": "2.0", "id": "a", "method": "nope", "params": []}