"""A small Language Server Protocol client over pipes, for the `idpc lsp` tests and benchmark.

Frames JSON-RPC messages with Content-Length headers, reads the server's messages on a thread
into a queue, and waits for responses or notifications with a deadline (a hung server fails
the test instead of blocking it).
"""
import json
import os
import queue
import subprocess
import threading
import time


def uri_of(path):
    from urllib.parse import quote
    return "file://" + quote(os.path.abspath(path))


class Client:
    def __init__(self, idpc, stderr=None):
        self.proc = subprocess.Popen([idpc, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=stderr if stderr is not None else subprocess.PIPE)
        self.q = queue.Queue()
        self.next_id = 1
        self.pending = []  # messages read while waiting for something else
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        f = self.proc.stdout
        while True:
            length = None
            while True:
                line = f.readline()
                if not line:
                    self.q.put(None)
                    return
                line = line.rstrip(b"\r\n")
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            body = f.read(length)
            self.q.put(json.loads(body))

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_async(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return i

    def wait(self, pred, timeout=20):
        """The first message (pending or new) for which pred(msg) holds."""
        for k, m in enumerate(self.pending):
            if pred(m):
                return self.pending.pop(k)
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching message from idpc lsp")
            try:
                m = self.q.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no matching message from idpc lsp")
            if m is None:
                raise EOFError("idpc lsp closed its output")
            if pred(m):
                return m
            self.pending.append(m)

    def response(self, i, timeout=20):
        return self.wait(lambda m: m.get("id") == i and "method" not in m, timeout)

    def request(self, method, params, timeout=20):
        return self.response(self.request_async(method, params), timeout)

    def diagnostics(self, uri, timeout=20):
        m = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"] == uri, timeout)
        return m["params"]["diagnostics"]

    def drain(self):
        """Forget every message read so far."""
        self.pending = []
        while True:
            try:
                if self.q.get_nowait() is None:
                    return
            except queue.Empty:
                return

    def close(self, timeout=20):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
