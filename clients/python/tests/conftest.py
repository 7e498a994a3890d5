"""Fixtures: a scripted HTTP endpoint for the retry contract, and the real backend when npm test runs one.

The scripted endpoint only answers what a test tells it to (status, headers, body) and records what
arrived; it stands in for network conditions (a 503, a 429, a dropped connection), never for the
backend's rules, which the ``backend`` tests check against the real ModelRails backend.
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

Reply = Tuple[int, Dict[str, str], Any]


class Scripted:
    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.replies: List[Any] = []
        self.default: Callable[[Dict[str, Any]], Reply] = lambda req: (200, {}, committed(req))
        self.lock = threading.Lock()
        self.hold = threading.Event()
        self.hold.set()

    def reply(self, *replies: Any) -> None:
        """Each reply: (status, headers, body), a callable of the request, or "drop" to close the connection."""
        self.replies.extend(replies)

    def next(self, request: Dict[str, Any]) -> Any:
        with self.lock:
            self.requests.append(request)
            reply = self.replies.pop(0) if self.replies else self.default
        return reply(request) if callable(reply) else reply


def committed(request: Dict[str, Any]) -> Dict[str, Any]:
    body = request.get("json") or {}
    items = body.get("events") or body.get("outcomes") or body.get("profiles") or []
    return {"batchId": body.get("batchId"), "accepted": len(items), "duplicates": 0, "dropped": 0, "redelivered": False}


@pytest.fixture()
def scripted():
    script = Scripted()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = {"method": self.command, "path": self.path, "headers": dict(self.headers), "raw": raw,
                       "json": json.loads(raw) if raw else None}
            script.hold.wait(30)
            reply = script.next(request)
            if reply == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            status, headers, body = reply
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}/api/mlops"
    yield script
    script.hold.set()
    server.shutdown()


def error(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> Reply:
    """A Backstage error body, as the backend answers."""
    return (status, headers or {}, {"error": {"name": "InputError", "message": message}, "request": {}, "response": {"statusCode": status}})


@pytest.fixture()
def backend():
    """The real backend npm test started (scripts/python/client-tests.mjs), else the test is skipped
    when run by hand (npm test always runs them)."""
    url = os.environ.get("MODELRAILS_TEST_URL")
    if not url:
        pytest.skip("needs the backend npm test starts (MODELRAILS_TEST_URL)")
    return {
        "url": url,
        "serving": os.environ["MODELRAILS_TEST_SERVING_TOKEN"],
        "ci": os.environ["MODELRAILS_TEST_CI_TOKEN"],
        "reader": os.environ["MODELRAILS_TEST_READ_TOKEN"],
        "mlflow": os.environ.get("MODELRAILS_TEST_MLFLOW_URL"),
        "sqlite": os.environ.get("MODELRAILS_TEST_SQLITE_DIR"),
    }
