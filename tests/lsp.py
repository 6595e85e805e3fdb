"""A minimal Language Server Protocol client over stdio, to run the real yaml-language-server.

It speaks just enough JSON-RPC for diagnostics: initialize, didOpen, and answers to the server's
own requests (workspace/configuration and the like); `diagnostics()` waits for the server's
publishDiagnostics of a document. No network: the schema store is off and schemas are files.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

from tests.datarepo import PROJECT

SERVER = PROJECT / "node_modules/yaml-language-server/bin/yaml-language-server"
SETTINGS = {
    "validate": True,
    "hover": False,
    "completion": False,
    "format": {"enable": False},
    "schemaStore": {"enable": False, "url": ""},
    "schemas": {},
    "yamlVersion": "1.2",
    "disableDefaultProperties": True,
    "maxItemsComputed": 5000,
}


class LanguageServer:
    """`with LanguageServer() as server: server.diagnostics(path, text)`."""

    def __init__(self, settings: dict | None = None):
        self.settings = {**SETTINGS, **(settings or {})}
        self.process = subprocess.Popen(
            ["node", str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.version = 0

    # ------------------------------------------------------------ JSON-RPC framing

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length)))

    def request(self, method: str, params: dict, timeout: float = 60) -> dict:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == ident and "method" not in m, timeout)["result"]

    def notify(self, method: str, params: dict) -> None:
        self._send({"method": method, "params": params})

    def _wait(self, wanted, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("yaml-language-server did not answer in time")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("yaml-language-server did not answer in time") from None
            if "method" in message and "id" in message:
                self._answer(message)
            elif wanted(message):
                return message

    def _answer(self, message: dict) -> None:
        """The server asks the client things; answer each so it never waits on us."""
        if message["method"] == "workspace/configuration":
            items = message["params"].get("items", [])
            result = [self.settings if item.get("section") == "yaml" else None for item in items]
        else:
            result = None
        self._send({"id": message["id"], "result": result})

    # ------------------------------------------------------------ LSP

    def __enter__(self) -> LanguageServer:
        root = PROJECT.as_uri()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root,
                "workspaceFolders": None,
                "capabilities": {"workspace": {"configuration": True}, "textDocument": {"publishDiagnostics": {}}},
                "initializationOptions": {},
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": self.settings}})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.request("shutdown", {}, timeout=10)
            self.notify("exit", {})
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a server that will not stop is killed
            self.process.kill()
            self.process.wait()

    def diagnostics(self, path: Path, text: str, timeout: float = 60) -> list[dict]:
        """Open `text` as a document beside `path` (same folder, so a relative schema path resolves
        the same; a new name each time, so no earlier answer is taken for this one) and return the
        diagnostics the server publishes for it (each with 0-based `range.start.line`, `message`)."""
        self.version += 1
        uri = path.resolve().with_name(f"{path.stem}.{self.version}{path.suffix}").as_uri()
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        found = self._wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri, timeout
        )
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        return found["params"]["diagnostics"]
